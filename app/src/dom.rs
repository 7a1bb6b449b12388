//! Dense mode's marks in the page, as both bundles find them: a mark is known by its node
//! box and its place among the box's marks (it carries nothing else: see
//! `html::dense::marks`).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The mark an element is, or is in.
pub fn mark(element: &Element) -> Option<Element> {
    element.closest("i.m").ok().flatten()
}

/// A mark's node box (its key) and its place among the box's marks.
pub fn position(mark: &Element) -> Option<(String, usize)> {
    let key = mark
        .closest("section.node-column")
        .ok()??
        .get_attribute("data-id")?;
    let mut index = 0;
    let mut before = mark.previous_element_sibling();
    while let Some(element) = before {
        // Marks are `<i>`; stack names between them are not.
        if element.tag_name().eq_ignore_ascii_case("i") {
            index += 1;
        }
        before = element.previous_element_sibling();
    }
    Some((key, index))
}

/// Focuses the mark at `index` in the box `key`, if there is one.
pub fn refocus((key, index): &(String, usize)) {
    // Marks are the strip's `<i>` elements: nth-of-type counts them alone.
    let selector = format!(
        "section[data-id=\"{key}\"] .marks > i:nth-of-type({})",
        index + 1
    );
    let document = web_sys::window().and_then(|w| w.document());
    let found = document.and_then(|d| d.query_selector(&selector).ok().flatten());
    if let Some(mark) = found.and_then(|m| m.dyn_into::<HtmlElement>().ok()) {
        let _ = mark.focus();
    }
}
