//! Dense mode: a box per node holding a strip of small task marks, for clusters too large for
//! cards. `strips` builds the boxes (reusing those whose tasks did not change), `marks`
//! writes their markup, `layout` decides how boxes fill a wall screen.

mod fingerprint;
pub mod layout;
pub mod marks;
pub mod strips;
#[cfg(test)]
mod tests;

use crate::html::Esc;
use std::fmt::Write;
use strips::{Strip, Strips};

/// The grid element's classes and style for these strips.
pub fn grid_attributes(strips: &Strips, outdated: bool, highlighted: bool) -> (String, String) {
    let layout = strips.layout;
    let mut class = String::from("grid dense");
    for (on, name) in [
        (layout.columns(), " cols"),
        (!layout.labels(), " nolabels"),
        (outdated, " outdated"),
        (highlighted, " has-highlight"),
    ] {
        if on {
            class.push_str(name);
        }
    }
    (class, layout.style())
}

/// One node box: its heading and marks (the strip's HTML) in the box's element.
pub fn write_box(key: &str, strip: &Strip, out: &mut String) {
    let _ = write!(
        out,
        "<section class=\"{}\" style=\"--rows: {}\" data-id=\"{}\" data-node=\"{}\" title=\"{}\">{}</section>",
        strip.class,
        strip.rows(),
        Esc(key),
        Esc(&strip.hostname),
        Esc(&strip.title),
        strip.html
    );
}
