//! What a viewer's page shows at one moment (`Screen`), and its parts that change, each in an
//! element of its own (`Region`): the server writes them all into the page, the viewer bundle
//! writes a region again when what it shows changes and puts it in place.

use crate::html::cards::{self, column_views};
use crate::html::dense::{
    self,
    strips::{Strip, Strips},
};
use crate::html::{Esc, panel, tables, topbar};
use crate::protocol::{EngineStatus, Snapshot};
use crate::view::{self, Filters, ServiceColours};
use std::fmt::Write;
use std::sync::Arc;

pub use topbar::Link;

/// Everything a viewer's page is written from.
#[derive(Clone, Copy, Debug)]
pub struct Screen<'a> {
    pub snapshot: &'a Snapshot,
    pub filters: &'a Filters,
    pub link: Link,
    /// The clock (Unix milliseconds; the browser's in the browser).
    pub now_ms: f64,
    /// The services' colours (see [`ServiceColours`]; a page keeps them while the set of
    /// names stays the same).
    pub colours: &'a ServiceColours,
}

impl Screen<'_> {
    pub fn auto_dense(&self) -> bool {
        view::auto_dense(&self.snapshot.state, self.filters)
    }

    /// Dense mode: chosen in the address, or by the cluster's size.
    pub fn dense(&self) -> bool {
        self.filters.dense.unwrap_or_else(|| self.auto_dense())
    }

    /// Whether what is shown may be out of date: the feed or the engine is lost.
    pub fn outdated(&self) -> bool {
        matches!(self.link, Link::Retrying { .. } | Link::Ended)
            || matches!(self.snapshot.engine, EngineStatus::Stale { .. })
    }

    pub fn now_secs(&self) -> i64 {
        (self.now_ms / 1000.0) as i64
    }
}

/// The parts of a viewer's page that change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    Connection,
    Toggles,
    Problem,
    Panel,
    Grid,
    Services,
    Nodes,
}

impl Region {
    /// A wall screen (`?kiosk=1`) shows the connection, any problem and the grid.
    pub fn of_page(kiosk: bool) -> &'static [Region] {
        use Region::*;
        if kiosk {
            &[Connection, Problem, Grid]
        } else {
            &[Connection, Toggles, Problem, Panel, Grid, Services, Nodes]
        }
    }

    /// The id of the element that holds the region (`display: contents`, so it does not
    /// change the layout).
    pub fn id(self) -> &'static str {
        match self {
            Region::Connection => "v-connection",
            Region::Toggles => "v-toggles",
            Region::Problem => "v-problem",
            Region::Panel => "v-panel",
            Region::Grid => "v-grid",
            Region::Services => "v-services",
            Region::Nodes => "v-nodes",
        }
    }

    /// The region's content. (The grid is written from its boxes: see [`grid`].)
    pub fn write(self, screen: &Screen, out: &mut String) {
        match self {
            Region::Connection => topbar::write_connection(screen, out),
            Region::Toggles => topbar::write_toggles(screen, out),
            Region::Problem => {
                if let Some(text) = problem(screen.snapshot) {
                    let _ = write!(out, "<p class=\"error\" role=\"alert\">{}</p>", Esc(&text));
                }
            }
            Region::Panel => panel::write_service_panel(screen, out),
            Region::Grid => grid(screen, None).write(out),
            Region::Services => {
                tables::write_services(&screen.snapshot.state, screen.filters, screen.colours, out)
            }
            Region::Nodes => tables::write_nodes(screen, out),
        }
    }

    /// The region in its element, as the server writes it into the page.
    pub fn write_whole(self, screen: &Screen, out: &mut String) {
        let _ = write!(out, "<div id=\"{}\" class=\"region\">", self.id());
        self.write(screen, out);
        out.push_str("</div>");
    }
}

/// Why there is nothing (or nothing current) to show, in plain words; None when the grid
/// speaks for itself.
pub fn problem(snapshot: &Snapshot) -> Option<String> {
    let empty = snapshot.state.nodes.is_empty();
    match &snapshot.engine {
        EngineStatus::NotManager { reason } => Some(format!(
            "This engine is not a swarm manager, so there is no cluster to show: {reason}."
        )),
        EngineStatus::Stale { reason, .. } if empty => {
            Some(format!("The Docker engine cannot be reached: {reason}."))
        }
        EngineStatus::Connecting if empty => {
            Some("Waiting for the Docker engine: the cluster has not been read yet.".into())
        }
        EngineStatus::Live if empty => Some("The swarm reports no nodes.".into()),
        _ => None,
    }
}

/// The grid as its boxes (node columns, or dense mode's node boxes), each written out, so a
/// page can put in place only those that changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    pub class: String,
    pub style: String,
    /// (key, HTML) per box: the node's ID, or "unassigned". A dense box whose strip was
    /// kept is the same `Arc` as before: neither written nor compared again.
    pub boxes: Vec<(String, Arc<str>)>,
    /// What an empty grid says below it.
    pub summary: Option<&'static str>,
}

/// Dense mode's strips for a grid, and the strips and grid written before (whose boxes are
/// reused where their strip was).
#[derive(Clone, Copy)]
pub struct DenseBoxes<'a> {
    pub strips: &'a Strips,
    pub before: Option<(&'a Strips, &'a Grid)>,
}

/// The grid of `screen`; in dense mode from `dense` when given (built for this screen),
/// else from strips built here.
pub fn grid(screen: &Screen, dense: Option<DenseBoxes>) -> Grid {
    let highlighted = screen.filters.highlight.is_some();
    if screen.dense() {
        let built;
        let dense = match dense {
            Some(dense) => dense,
            None => {
                built = build_strips(screen, None);
                DenseBoxes {
                    strips: &built,
                    before: None,
                }
            }
        };
        let strips = dense.strips;
        let (class, style) = dense::grid_attributes(strips, screen.outdated(), highlighted);
        let kept = |key: &str, strip: &Strip| -> Option<Arc<str>> {
            let (old_strips, old_grid) = dense.before?;
            let at = old_strips.order.iter().position(|k| k == key)?;
            let same = Arc::ptr_eq(&old_strips.by_key.get(key)?.html, &strip.html);
            let (old_key, html) = old_grid.boxes.get(at)?;
            (same && old_key == key).then(|| html.clone())
        };
        let boxes = strips
            .order
            .iter()
            .filter_map(|key| {
                let strip = strips.by_key.get(key)?;
                let html = kept(key, strip).unwrap_or_else(|| {
                    let mut html = String::new();
                    dense::write_box(key, strip, &mut html);
                    html.into()
                });
                Some((key.clone(), html))
            })
            .collect();
        let summary = cards::empty_summary(strips.no_tasks(), screen.filters);
        return Grid {
            class,
            style,
            boxes,
            summary,
        };
    }
    let columns = column_views(screen.snapshot, screen.filters);
    let empty = !columns.is_empty() && columns.iter().all(|c| c.items.is_empty());
    let boxes = columns
        .iter()
        .map(|column| {
            let mut html = String::new();
            cards::write_column(
                column,
                screen.filters,
                screen.colours,
                screen.now_secs(),
                &mut html,
            );
            (column.key.clone(), html.into())
        })
        .collect();
    Grid {
        class: cards::grid_class(screen.outdated(), highlighted),
        style: String::new(),
        boxes,
        summary: cards::empty_summary(empty, screen.filters),
    }
}

/// Dense mode's boxes for `screen`, reusing `prev`'s where nothing they show changed.
pub fn build_strips(screen: &Screen, prev: Option<&Strips>) -> Strips {
    Strips::build(
        &screen.snapshot.state,
        screen.filters,
        screen.colours,
        screen.now_secs(),
        prev,
    )
}

impl Grid {
    pub fn write(&self, out: &mut String) {
        let _ = write!(out, "<div class=\"{}\"", self.class);
        if !self.style.is_empty() {
            let _ = write!(out, " style=\"{}\"", self.style);
        }
        out.push('>');
        for (_, html) in &self.boxes {
            out.push_str(html);
        }
        out.push_str("</div>");
        self.write_summary(out);
    }

    pub fn write_summary(&self, out: &mut String) {
        if let Some(text) = self.summary {
            let _ = write!(out, "<p class=\"summary\">{text}</p>");
        }
    }
}
