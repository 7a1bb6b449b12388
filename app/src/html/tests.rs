//! A viewer's page as the server writes it: what a browser without scripts must find in it
//! (the end-to-end test looks for the same), escaping, the wall screen's parts, the toggles'
//! targets and the session's forms.

use super::document::{Body, Head, write_document};
use super::screen::{DenseBoxes, Link, Region, Screen, build_strips, grid};
use super::topbar::SessionView;
use crate::api::Role;
use crate::fixtures::{cluster, service, task};
use crate::model::TaskState;
use crate::protocol::{EngineStatus, Snapshot};
use crate::view::{Filters, ServiceColours, palette::service_names};
use std::sync::Arc;

const HEAD: Head = Head {
    bundle: "flotilla-view.ab12",
    css: "flotilla.cd34.css",
    nonce: "n0nce",
};

fn snapshot() -> Snapshot {
    Snapshot {
        seq: 7,
        epoch: 1,
        state: cluster(),
        engine: EngineStatus::Live,
    }
}

/// The page for `query`'s filters, read-only, from `snapshot`.
fn page(snapshot: &Snapshot, query: &str, session: SessionView) -> String {
    let filters = crate::address::filters_of(query);
    let colours = ServiceColours::new(service_names(&snapshot.state));
    let screen = Screen {
        snapshot,
        filters: &filters,
        link: Link::Connecting,
        now_ms: 1_100_000.0,
        colours: &colours,
    };
    let body = Body::Live {
        screen,
        json: "{\"snapshot\":\"</script><b>\"}",
    };
    write_document(&HEAD, session, &body)
}

fn occurrences(page: &str, needle: &str) -> usize {
    page.matches(needle).count()
}

#[test]
fn the_page_holds_the_whole_cluster_without_scripts() {
    let page = page(&snapshot(), "", SessionView::ReadOnly);
    for (needle, times) in [
        // A column per node (managers first) and the unassigned tasks' column.
        ("<section class=\"node-column\"", 4),
        ("data-node=\"zmanager\"", 2),
        // Running-only: every task but the one shut down, as a card with its state.
        ("<article class=\"task-card", 7),
        ("data-state=\"failed\"", 1),
        ("<tr class=\"service\" data-service=\"", 3),
        ("<tr class=\"node\"", 3),
        ("<td class=\"hostname\">worker02</td>", 1),
        // Read-only until the feed is open: the server's render never claims "live".
        (
            "id=\"connection\" role=\"status\" data-state=\"connecting\"",
            1,
        ),
        // The bundle, preloaded and started under the page's nonce; the stylesheet.
        ("href=\"/pkg/flotilla-view.ab12_bg.wasm\"", 1),
        ("<script type=\"module\" nonce=\"n0nce\">", 1),
        ("href=\"/pkg/flotilla.cd34.css\"", 1),
        ("read-only: start the panel", 1),
    ] {
        assert_eq!(occurrences(&page, needle), times, "{needle}");
    }
    for region in Region::of_page(false) {
        let id = format!("id=\"{}\"", region.id());
        assert_eq!(occurrences(&page, &id), 1, "{region:?}");
    }
    // The page's state cannot end its script element.
    assert!(page.contains("\\u003c/script>\\u003cb>"), "{page}");
    assert_eq!(occurrences(&page, "</script>"), 2);
}

#[test]
fn docker_text_is_escaped_everywhere() {
    let mut snapshot = snapshot();
    let evil = "<img src=x onerror=alert(1)>\"'&";
    let mut s = service("s9", evil, Some(evil));
    s.image = evil.into();
    snapshot.state.services.insert(s.id.clone(), s);
    let mut t = task("t9", "s9", Some("n1"), TaskState::Failed, 1);
    t.error = Some(evil.into());
    t.message = evil.into();
    snapshot.state.tasks.insert(t.id.clone(), t);
    let node = snapshot.state.nodes.get_mut("n1").expect("n1");
    node.labels.insert(evil.into(), evil.into());
    node.hostname = evil.into();
    for query in [
        "running=0&group=stack",
        "dense=1&running=0",
        "service=%3Cimg",
    ] {
        let page = page(&snapshot, query, SessionView::LogIn);
        assert!(!page.contains("<img"), "{query}: {page}");
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"),
            "{query}"
        );
    }
}

#[test]
fn a_wall_screen_shows_the_grid_alone() {
    let page = page(&snapshot(), "kiosk=1", SessionView::LogIn);
    assert!(page.contains("<div class=\"kiosk\">"));
    for region in [Region::Connection, Region::Problem, Region::Grid] {
        assert!(page.contains(region.id()), "{region:?}");
    }
    for absent in [
        Region::Toggles.id(),
        Region::Services.id(),
        Region::Nodes.id(),
        "form class=\"session login\"",
    ] {
        assert!(!page.contains(absent), "{absent}");
    }
    // Grouped by stack, as a wall screen always is.
    assert!(page.contains("<h3 class=\"stack-heading\">web</h3>"));
}

#[test]
fn toggles_lead_to_their_filters() {
    let page = page(&snapshot(), "service=echo", SessionView::ReadOnly);
    for target in [
        "data-href=\"/?running=0&amp;service=echo\"",
        "data-href=\"/?group=stack&amp;service=echo\"",
        "data-href=\"/?dense=1&amp;service=echo\"",
        // Clearing the highlight.
        "data-href=\"/\"",
    ] {
        assert_eq!(occurrences(&page, target), 1, "{target}");
    }
    // The highlighted service: its cards, its row, its panel.
    assert_eq!(occurrences(&page, "task-card highlight"), 4);
    assert!(page.contains("<tr class=\"service selected\" data-service=\"echo\">"));
    assert!(page.contains("<section class=\"service-panel\" data-service=\"echo\">"));
}

#[test]
fn dense_boxes_and_cards_are_the_same_nodes() {
    let snapshot = snapshot();
    let colours = ServiceColours::new(service_names(&snapshot.state));
    for dense in [false, true] {
        let filters = Filters {
            dense: Some(dense),
            ..Filters::default()
        };
        let screen = Screen {
            snapshot: &snapshot,
            filters: &filters,
            link: Link::Open,
            now_ms: 0.0,
            colours: &colours,
        };
        let grid = grid(&screen, None);
        let keys: Vec<&str> = grid.boxes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["n1", "n2", "n3", "unassigned"], "dense {dense}");
        assert_eq!(grid.class.contains("dense"), dense);
        for (key, html) in &grid.boxes {
            assert!(html.contains(&format!("data-id=\"{key}\"")), "{html}");
        }
    }
}

#[test]
fn sessions() {
    let cases = [
        (SessionView::ReadOnly, "class=\"session read-only\""),
        (
            SessionView::LogIn,
            "<input type=\"password\" name=\"token\"",
        ),
        (
            SessionView::SignedIn(Role::Viewer),
            "<span class=\"role\" data-role=\"viewer\">viewer</span>",
        ),
    ];
    for (session, needle) in cases {
        assert!(
            page(&snapshot(), "", session).contains(needle),
            "{session:?}"
        );
    }
    // Unavailable: the form and the reason, no cluster.
    let page = write_document(
        &HEAD,
        SessionView::LogIn,
        &Body::Unavailable {
            error: "log in to see the cluster",
            json: "{}",
        },
    );
    assert!(page.contains("<p class=\"error\" role=\"alert\">log in to see the cluster</p>"));
    assert!(page.contains("form class=\"session login\""));
    assert!(!page.contains("node-column"));
}

#[test]
fn a_dense_box_whose_strip_was_kept_is_not_written_again() {
    let before = snapshot();
    let colours = ServiceColours::new(service_names(&before.state));
    // A task on worker01 (n2) fails; the other nodes' boxes stay as they were.
    let mut after = before.clone();
    after.state.tasks.get_mut("t1").expect("t1").state = TaskState::Failed;
    let filters = Filters {
        dense: Some(true),
        ..Filters::default()
    };
    let screen = |snapshot| Screen {
        snapshot,
        filters: &filters,
        link: Link::Open,
        now_ms: 0.0,
        colours: &colours,
    };
    let first_strips = build_strips(&screen(&before), None);
    let first = grid(
        &screen(&before),
        Some(DenseBoxes {
            strips: &first_strips,
            before: None,
        }),
    );
    let second_strips = build_strips(&screen(&after), Some(&first_strips));
    let second = grid(
        &screen(&after),
        Some(DenseBoxes {
            strips: &second_strips,
            before: Some((&first_strips, &first)),
        }),
    );
    for ((key, old), (_, new)) in first.boxes.iter().zip(&second.boxes) {
        assert_eq!(Arc::ptr_eq(old, new), key != "n2", "{key}");
    }
    assert!(second.boxes[1].1.contains("m bad"));
}
