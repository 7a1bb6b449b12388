//! Dense mode's pure parts: marks, titles, escaping, node boxes and their reuse, layout.

use super::layout::{GRID_NODES, Layout, height};
use super::marks::{self as html, Mark};
use super::strips::{Strips, UNASSIGNED};
use crate::fixtures::{cluster as state, node};
use crate::model::*;
use crate::state::ClusterState;
use crate::view::{self, Filters, ServiceColours, Swatch};
use std::sync::Arc;

fn colours(s: &ClusterState) -> ServiceColours {
    ServiceColours::new(view::palette::service_names(s))
}

fn build(s: &ClusterState, f: &Filters, prev: Option<&Strips>) -> Strips {
    Strips::build(s, f, &colours(s), 1_100, prev)
}

/// The marks' services (from their titles) and first class after `m`, in order.
fn marks(html: &str) -> Vec<(String, String)> {
    html.split("<i class=\"m ")
        .skip(1)
        .map(|m| {
            let class = m.split([' ', '"']).next().unwrap_or_default().to_string();
            let label = m
                .split("title=\"")
                .nth(1)
                .and_then(|r| r.split(" · ").next())
                .unwrap_or_default();
            let service = label.split('.').next().unwrap_or_default().to_string();
            (service, class)
        })
        .collect()
}

#[test]
fn states_look_apart() {
    use TaskState::*;
    let cases = [
        (Running, "run"),
        (New, "up"),
        (Pending, "up"),
        (Assigned, "up"),
        (Preparing, "up"),
        (Starting, "up"),
        (Failed, "bad"),
        (Rejected, "bad"),
        (Shutdown, "old"),
        (Complete, "old"),
        (Remove, "old"),
        (Orphaned, "old"),
        (Unknown, "unk"),
    ];
    for (state, class) in cases {
        assert_eq!(html::state_class(state), class, "{state:?}");
    }
}

#[test]
fn colour_classes_cover_the_palette() {
    let cases = [
        (Swatch { hue: 0, light: 0 }, " h0"),
        (Swatch { hue: 210, light: 0 }, " h14"),
        (
            Swatch {
                hue: 225,
                light: -1,
            },
            " h15 dk",
        ),
        (Swatch { hue: 345, light: 1 }, " h23 lt"),
        // Off the 15° grid: the nearest class, wrapping past 360.
        (Swatch { hue: 359, light: 0 }, " h0"),
        (Swatch { hue: 97, light: 0 }, " h6"),
    ];
    for (swatch, want) in cases {
        let mut out = String::new();
        html::write_colour(swatch, &mut out);
        assert_eq!(out, want, "{swatch:?}");
    }
    // Every colour the palette hands out is on the grid, and main.css has its class.
    let css = include_str!("../../../../style/main.css");
    let names: Vec<String> = (0..200).map(|i| format!("svc-{i}")).collect();
    for (name, swatch) in ServiceColours::new(&names).iter() {
        assert_eq!(swatch.hue % html::HUE_STEP, 0, "{name}: {swatch:?}");
        let mut class = String::new();
        html::write_colour(swatch, &mut class);
        for class in class.split_whitespace() {
            assert!(
                css.contains(&format!(".m.{class} ")),
                "main.css lacks .m.{class}"
            );
        }
    }
}

#[test]
fn only_a_task_being_stopped_is_striped() {
    use TaskState::*;
    let cases = [
        (Running, Shutdown, true),
        (Starting, Remove, true),
        (Running, Running, false),
        (Starting, Running, false),
        (Failed, Shutdown, false),
        (Shutdown, Shutdown, false),
    ];
    for (state, desired, striped) in cases {
        let mark = Mark {
            service: "echo",
            slot: None,
            state,
            desired,
            image: "",
            since: 0,
            error: None,
            swatch: None,
            highlight: false,
        };
        let mut out = String::new();
        html::write_mark(&mark, false, 0, &mut out);
        assert_eq!(
            out.contains(" mv"),
            striped,
            "{state:?} → {desired:?}: {out}"
        );
    }
}

#[test]
fn escaping() {
    let cases = [
        ("plain_name.3", "plain_name.3"),
        (r#"<b a="1">&'"#, "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"),
        ("", ""),
        ("é<ü>", "é&lt;ü&gt;"),
        ("&&", "&amp;&amp;"),
    ];
    for (text, want) in cases {
        let mut out = String::new();
        crate::html::escape(text, &mut out);
        assert_eq!(out, want);
    }
}

#[test]
fn titles_and_their_ages() {
    let mark = Mark {
        service: "web_api",
        slot: Some(3),
        state: TaskState::Running,
        desired: TaskState::Running,
        image: "registry:5000/web:1.2@sha256:abc",
        since: 1_000,
        error: None,
        swatch: None,
        highlight: false,
    };
    let global = Mark { slot: None, ..mark };
    let stopping = Mark {
        desired: TaskState::Shutdown,
        ..mark
    };
    let failed = Mark {
        state: TaskState::Failed,
        error: Some("task: non-zero exit (1)"),
        ..mark
    };
    let cases = [
        (
            mark,
            1_042,
            "web_api.3 · running · registry:5000/web:1.2 · 42s",
        ),
        (
            global,
            1_300,
            "web_api · running · registry:5000/web:1.2 · 5m",
        ),
        (
            stopping,
            1_000,
            "web_api.3 · running → shutdown · registry:5000/web:1.2 · 0s",
        ),
        (
            failed,
            8_200,
            "web_api.3 · failed · registry:5000/web:1.2 · 2h · task: non-zero exit (1)",
        ),
    ];
    for (mark, now, want) in cases {
        let title = html::title(&mark, now);
        assert_eq!(title, want);
        // A day later, only the age differs.
        let later = html::retitle(&title, mark.since, now + 86_400).unwrap();
        let age = view::age(mark.since, now + 86_400);
        assert_eq!(later, want.replacen(&view::age(mark.since, now), &age, 1));
    }
    assert_eq!(html::retitle("not · a title", 0, 0), None);
}

#[test]
fn a_mark_is_escaped_classed_and_focusable() {
    let mark = Mark {
        service: "a\"b",
        slot: Some(1),
        state: TaskState::Starting,
        desired: TaskState::Running,
        image: "x:<1>",
        since: 5,
        error: None,
        swatch: Some(Swatch { hue: 30, light: 1 }),
        highlight: true,
    };
    let mut out = String::new();
    html::write_mark(&mark, true, 65, &mut out);
    assert_eq!(
        out,
        "<i class=\"m up h2 lt hl sg\" tabindex=\"0\" \
         title=\"a&quot;b.1 · starting · x:&lt;1&gt; · 1m\"></i>"
    );
}

#[test]
fn boxes_follow_the_grid_order_and_hold_their_tasks() {
    let s = state();
    let strips = build(&s, &Filters::default(), None);
    assert_eq!(strips.order, ["n1", "n2", "n3", UNASSIGNED]);
    let names: Vec<&str> = strips
        .order
        .iter()
        .map(|k| &*strips.by_key[k].hostname)
        .collect();
    assert_eq!(names, ["zmanager", "worker01", "worker02", "unassigned"]);
    // The same order as the card grid's columns.
    let columns: Vec<Option<&str>> = view::columns(&s, &Filters::default())
        .iter()
        .map(|c| c.node.map(|n| n.id.as_str()))
        .collect();
    assert_eq!(columns, [Some("n1"), Some("n2"), Some("n3"), None]);

    let cases = [
        (
            Filters::default(),
            "n2",
            vec![
                ("echo", "run"),
                ("ops_viz", "bad"),
                ("web_api", "up"),
                ("web_api", "run"),
            ],
        ),
        (Filters::default(), "n3", vec![]),
        // The pending task and the one on a gone node.
        (
            Filters::default(),
            UNASSIGNED,
            vec![("echo", "up"), ("echo", "run")],
        ),
        (
            Filters {
                running_only: false,
                ..Filters::default()
            },
            "n3",
            vec![("echo", "old")],
        ),
        // By stack: no stack first, then ops, then web.
        (
            Filters {
                group_by_stack: true,
                ..Filters::default()
            },
            "n2",
            vec![
                ("echo", "run"),
                ("ops_viz", "bad"),
                ("web_api", "up"),
                ("web_api", "run"),
            ],
        ),
    ];
    for (filters, key, want) in cases {
        let strips = build(&s, &filters, None);
        let strip = &strips.by_key[key];
        let got = marks(&strip.html);
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want, "{key} with {filters:?}");
        assert_eq!(strip.tasks, want.len());
    }
    assert!(strips.by_key["n1"].html.starts_with("<h2>★ zmanager</h2>"));
    // What pointing at a mark finds: its service and start, by its place in the box.
    let n2 = build(&s, &Filters::default(), None);
    let services: Vec<String> = (0..4)
        .map(|i| n2.pointed("n2", i).unwrap().service.to_string())
        .collect();
    assert_eq!(services, ["echo", "ops_viz", "web_api", "web_api"]);
    assert_eq!(n2.pointed("n2", 0).unwrap().since, 1_000);
    assert_eq!(n2.pointed("n2", 4), None);
    assert_eq!(n2.pointed("nowhere", 0), None);
    assert_eq!(
        &*strips.by_key["n2"].title,
        "worker01 · worker · Ready · Active · 4 tasks"
    );
}

#[test]
fn stacks_are_named_in_a_grid_and_lined_in_columns() {
    let s = state();
    let grouped = Filters {
        group_by_stack: true,
        ..Filters::default()
    };
    let html = build(&s, &grouped, None).by_key["n2"].html.clone();
    let names: Vec<&str> = html
        .split("<span class=\"stack-name\">")
        .skip(1)
        .filter_map(|r| r.split('<').next())
        .collect();
    assert_eq!(names, ["no stack", "ops", "web"]);
    assert!(!html.contains(" sg\""), "{html}");

    // Past GRID_NODES boxes, no words: a line before each new stack instead.
    let mut big = s.clone();
    for i in 0..GRID_NODES {
        let n = node(&format!("x{i:02}"), &format!("extra{i:02}"), Role::Worker);
        big.nodes.insert(n.id.clone(), n);
    }
    let strips = build(&big, &grouped, None);
    assert!(strips.layout.columns());
    let html = &strips.by_key["n2"].html;
    assert!(!html.contains("stack-name"), "{html}");
    assert_eq!(html.matches(" sg\"").count(), 2, "{html}");
    assert_eq!(strips.by_key["n2"].rows(), 1);
}

#[test]
fn unchanged_boxes_are_kept_and_changed_ones_rebuilt() {
    let s = state();
    let f = Filters::default();
    let first = build(&s, &f, None);
    let same =
        |a: &Strips, b: &Strips, key: &str| Arc::ptr_eq(&a.by_key[key].html, &b.by_key[key].html);

    // A task on n2 changes state: only n2's box is rewritten.
    let mut changed = s.clone();
    changed.tasks.get_mut("t2").unwrap().state = TaskState::Running;
    let second = build(&changed, &f, Some(&first));
    assert!(same(&first, &second, "n1") && same(&first, &second, "n3"));
    assert!(!same(&first, &second, "n2"));
    assert_eq!(
        marks(&second.by_key["n2"].html)[2],
        ("web_api".into(), "run".into())
    );

    // A node drains: its box is rewritten, classed.
    let mut drained = changed.clone();
    drained.nodes.get_mut("n3").unwrap().availability = Availability::Drain;
    let third = build(&drained, &f, Some(&second));
    assert!(same(&second, &third, "n2"));
    assert!(
        third.by_key["n3"]
            .html
            .starts_with("<h2 class=\"drain\">worker02</h2>")
    );
    assert_eq!(third.by_key["n3"].class, "node-column drain");
    assert_eq!(third.by_key["n2"].class, "node-column");
    assert_eq!(third.by_key[UNASSIGNED].class, "node-column pending");

    // A highlight changes every box: the chosen service's marks are classed `hl`.
    let lit = Filters {
        highlight: Some("echo".into()),
        ..f.clone()
    };
    let fourth = build(&drained, &lit, Some(&third));
    assert!(!same(&third, &fourth, "n1"));
    assert_eq!(fourth.by_key["n2"].html.matches(" hl\"").count(), 1);

    // Nothing changed: everything kept.
    let fifth = build(&drained, &lit, Some(&fourth));
    assert!(fifth.order.iter().all(|k| same(&fourth, &fifth, k)));

    // A service moves to another stack (its label changed): every box is rewritten, even
    // with its tasks unchanged.
    let mut moved = drained.clone();
    moved.services.get_mut("s2").unwrap().stack = Some("ops".into());
    let sixth = build(&moved, &lit, Some(&fifth));
    assert!(sixth.order.iter().all(|k| !same(&fifth, &sixth, k)));
}

#[test]
fn no_tasks_only_with_boxes_and_none_holding_a_task() {
    let mut s = state();
    assert!(!build(&s, &Filters::default(), None).no_tasks());
    s.tasks.clear();
    assert!(build(&s, &Filters::default(), None).no_tasks());
    assert!(!build(&ClusterState::default(), &Filters::default(), None).no_tasks());
}

#[test]
fn layouts_by_cluster_size() {
    let cases: [(usize, usize, Layout); 7] = [
        (4, 3, Layout::Grid),
        (GRID_NODES, 400, Layout::Grid),
        (
            GRID_NODES + 1,
            3,
            Layout::Columns {
                mark_px: 16,
                labels: true,
            },
        ),
        (
            100,
            20,
            Layout::Columns {
                mark_px: 16,
                labels: true,
            },
        ),
        (
            300,
            20,
            Layout::Columns {
                mark_px: 8,
                labels: true,
            },
        ),
        // The simulator's scale: 1,000 nodes, 20 tasks each.
        (
            1_000,
            20,
            Layout::Columns {
                mark_px: 5,
                labels: false,
            },
        ),
        // Past what fits: the smallest marks, and the wall scrolls.
        (
            5_000,
            40,
            Layout::Columns {
                mark_px: 4,
                labels: false,
            },
        ),
    ];
    for (nodes, tasks, want) in cases {
        let slots = vec![tasks; nodes];
        let got = Layout::choose(&slots);
        assert_eq!(got, want, "{nodes} nodes of {tasks} tasks");
        if let Layout::Columns { mark_px, labels } = got {
            assert!(nodes == 5_000 || height(&slots, mark_px, labels) <= 960);
        }
    }
    assert_eq!(Layout::Grid.style(), "");
    let columns = Layout::Columns {
        mark_px: 5,
        labels: false,
    };
    assert_eq!(columns.style(), "--m: 5px");
    assert!(columns.columns() && !columns.labels() && Layout::Grid.labels());
}

#[test]
fn taller_boxes_need_more_room() {
    // More tasks, more rows; hostnames take room too; smaller marks take less.
    let few = vec![12; 300];
    let many = vec![13; 300];
    assert!(height(&many, 8, true) > height(&few, 8, true));
    assert!(height(&few, 8, true) > height(&few, 8, false));
    assert!(height(&few, 8, true) > height(&few, 6, true));
    assert_eq!(height(&[], 8, true), 0);
}
