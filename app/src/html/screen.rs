//! What a viewer's page shows at one moment (`Screen`), and its parts that change, each in an
//! element of its own (`Region`): the server writes them all into the page, the viewer bundle
//! writes a region again when what it shows changes and puts it in place.

use crate::html::cards::{self, column_views};
use crate::html::dense::{self, strips::Strips};
use crate::html::{Esc, panel, tables, topbar};
use crate::protocol::{EngineStatus, Snapshot};
use crate::view::{self, Filters, ServiceColours};
use std::fmt::Write;

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
            Region::Services => tables::write_services(screen, out),
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
    /// (key, HTML) per box: the node's ID, or "unassigned".
    pub boxes: Vec<(String, String)>,
    /// What an empty grid says below it.
    pub summary: Option<&'static str>,
}

/// The grid of `screen`; in dense mode from `strips` when given (built for this screen),
/// else from strips built here.
pub fn grid(screen: &Screen, strips: Option<&Strips>) -> Grid {
    let highlighted = screen.filters.highlight.is_some();
    if screen.dense() {
        let built;
        let strips = match strips {
            Some(strips) => strips,
            None => {
                built = build_strips(screen, None);
                &built
            }
        };
        let (class, style) = dense::grid_attributes(strips, screen.outdated(), highlighted);
        let boxes = strips
            .order
            .iter()
            .filter_map(|key| {
                let mut html = String::new();
                dense::write_box(key, strips.by_key.get(key)?, &mut html);
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
            (column.key.clone(), html)
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
