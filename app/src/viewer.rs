//! The viewer bundle: a page the server wrote (`html`) kept live without a framework. It
//! reads the state the page was written from, follows the feed (`feed`), and when what is
//! shown changes writes each region again with the server's own functions, putting in place
//! only the regions (and the grid's boxes) whose markup changed. One listener per kind of
//! event on the document answers every control on the page (`events`).

use crate::browser::{document, every, now_ms};
use crate::feed::Watcher;
use crate::html::dense::strips::Strips;
use crate::html::screen::{DenseBoxes, Grid, Link, Region, Screen, build_strips, grid};
use crate::html::topbar::indicator;
use crate::protocol::{PAGE_DATA_ID, PageData, ServerMsg, Snapshot, since_param};
use crate::view::{Filters, ServiceColours, palette::service_names};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

mod events;

/// How long dense mode lets changes gather before it writes the grid again: under churn the
/// cluster changes several times a second, each build is a pass over every task, and a wall
/// screen half a second behind reads the same. Cards (small clusters) follow at once.
const DENSE_EVERY_MS: u32 = 500;

/// Everything the page shows, and what it last wrote.
struct Viewer {
    snapshot: Snapshot,
    filters: Filters,
    link: Link,
    names: Vec<String>,
    colours: ServiceColours,
    strips: Option<Strips>,
    /// Each region's markup as last written (the grid's apart: by box).
    shown: HashMap<Region, String>,
    grid: Grid,
    /// A write is scheduled.
    due: bool,
}

type Page = Rc<RefCell<Viewer>>;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    console_error_panic_hook::set_once();
    // What a test (or a person in the inspector) can tell a started page by.
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-started", "");
    }
    let data = document()
        .get_element_by_id(PAGE_DATA_ID)
        .and_then(|element| element.text_content());
    let snapshot = match data.map(|text| serde_json::from_str::<PageData>(&text)) {
        Some(Ok(PageData::Snapshot(snapshot))) => snapshot,
        // Nothing to follow: the log-in form is all the page has.
        Some(Ok(PageData::Unavailable(_))) => return events::listen(None),
        Some(Err(e)) => return warn(&format!("the page's cluster state is unreadable: {e}")),
        None => return warn("the page carries no cluster state"),
    };
    let query = crate::browser::window()
        .location()
        .search()
        .unwrap_or_default();
    let filters = crate::address::filters_of(query.trim_start_matches('?'));
    let page: Page = Rc::new(RefCell::new(Viewer {
        snapshot,
        filters,
        link: Link::Connecting,
        names: Vec::new(),
        colours: ServiceColours::default(),
        strips: None,
        shown: HashMap::new(),
        grid: Grid::default(),
        due: false,
    }));
    // What the server wrote is what this state gives: taken as written, not written again.
    page.borrow_mut().write(false);
    events::listen(Some(page.clone()));
    crate::feed::connect(Rc::new(Feed(page.clone())));
    every(1_000, move || page.borrow_mut().tick());
}

fn warn(text: &str) {
    web_sys::console::warn_1(&text.into());
}

struct Feed(Page);

impl Watcher for Feed {
    fn since(&self) -> String {
        since_param(&self.0.borrow().snapshot)
    }

    fn message(&self, message: ServerMsg) {
        let changed = self.0.borrow_mut().snapshot.receive(message);
        if changed {
            schedule(&self.0);
        }
    }

    fn link(&self, link: Link) {
        let mut viewer = self.0.borrow_mut();
        viewer.link = link;
        viewer.write(true);
    }
}

/// Writes the page once changes have gathered (see [`DENSE_EVERY_MS`]).
fn schedule(page: &Page) {
    let mut viewer = page.borrow_mut();
    if viewer.due {
        return;
    }
    viewer.due = true;
    let delay = if viewer.dense() { DENSE_EVERY_MS } else { 0 };
    let page = page.clone();
    crate::browser::after(delay, move || {
        let mut viewer = page.borrow_mut();
        viewer.due = false;
        viewer.write(true);
    });
}

impl Viewer {
    fn screen(&self) -> Screen<'_> {
        Screen {
            snapshot: &self.snapshot,
            filters: &self.filters,
            link: self.link,
            now_ms: now_ms(),
            colours: &self.colours,
        }
    }

    fn dense(&self) -> bool {
        self.screen().dense()
    }

    /// Writes every region whose markup changed; with `put` false, only records it (the
    /// page as the server wrote it).
    fn write(&mut self, put: bool) {
        let names = service_names(&self.snapshot.state);
        if names != self.names {
            self.colours = ServiceColours::new(&names);
            self.names = names;
        }
        let screen = self.screen();
        let strips = screen
            .dense()
            .then(|| build_strips(&screen, self.strips.as_ref()));
        let dense = strips.as_ref().map(|strips| DenseBoxes {
            strips,
            before: self.strips.as_ref().map(|before| (before, &self.grid)),
        });
        let grid = grid(&screen, dense);
        let mut written = Vec::new();
        for &region in Region::of_page(self.filters.kiosk) {
            if matches!(region, Region::Grid | Region::Connection) {
                continue;
            }
            let mut html = String::new();
            region.write(&screen, &mut html);
            if self.shown.get(&region) != Some(&html) {
                written.push((region, html));
            }
        }
        for (region, html) in written {
            if put && let Some(element) = document().get_element_by_id(region.id()) {
                element.set_inner_html(&html);
            }
            self.shown.insert(region, html);
        }
        if put {
            put_grid(&self.grid, &grid);
            self.put_connection();
        }
        self.grid = grid;
        self.strips = strips;
    }

    /// Every second: the connection's countdown, and the cards' ages.
    fn tick(&mut self) {
        self.put_connection();
        crate::dom::refresh_ages();
    }

    /// The connection indicator, changed in place (its state attribute and its words), so
    /// it stays the one status element assistive technology (and a test) is watching.
    fn put_connection(&mut self) {
        let (state, text) = indicator(&self.snapshot.engine, self.link, now_ms());
        let shown = format!("{state} {text}");
        if self.shown.get(&Region::Connection) == Some(&shown) {
            return;
        }
        if let Some(element) = document().get_element_by_id("connection") {
            let _ = element.set_attribute("data-state", state);
            if let Ok(Some(words)) = element.query_selector(".text") {
                words.set_text_content(Some(&text));
            }
        }
        self.shown.insert(Region::Connection, shown);
    }
}

/// Puts the grid's changed boxes in place of the old ones; the whole grid when its boxes
/// are others, or in another order.
fn put_grid(old: &Grid, new: &Grid) {
    let Some(region) = document().get_element_by_id(Region::Grid.id()) else {
        return;
    };
    let same_boxes = old.boxes.len() == new.boxes.len()
        && old.boxes.iter().zip(&new.boxes).all(|(a, b)| a.0 == b.0);
    let element = region.first_element_child();
    let (Some(element), true) = (element, same_boxes && old.summary == new.summary) else {
        let mut html = String::new();
        new.write(&mut html);
        region.set_inner_html(&html);
        return;
    };
    if old.class != new.class {
        let _ = element.set_attribute("class", &new.class);
    }
    if old.style != new.style {
        let _ = element.set_attribute("style", &new.style);
    }
    let boxes = element.children();
    for (i, (old, new)) in old.boxes.iter().zip(&new.boxes).enumerate() {
        if !Arc::ptr_eq(&old.1, &new.1)
            && old.1 != new.1
            && let Some(node_box) = boxes.item(i as u32)
        {
            node_box.set_outer_html(&new.1);
        }
    }
}
