//! The page as both bundles read it where `html` wrote it: the cards' ages, kept up to date
//! in place, and dense mode's marks, each known by its node box and its place among the
//! box's marks (it carries nothing else: see `html::dense::marks`).

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

/// Brings every card's age up to date from its `data-since`, without writing it again.
pub fn refresh_ages() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(cards) = document.query_selector_all("article.task-card[data-since]") else {
        return;
    };
    let now = (js_sys::Date::now() / 1000.0) as i64;
    for i in 0..cards.length() {
        let Some(card) = cards.item(i).and_then(|c| c.dyn_into::<Element>().ok()) else {
            continue;
        };
        let since = card
            .get_attribute("data-since")
            .and_then(|s| s.parse().ok());
        let span = card.query_selector(".age").ok().flatten();
        if let (Some(since), Some(span)) = (since, span) {
            let text = crate::view::age(since, now);
            if span.text_content().as_deref() != Some(text.as_str()) {
                span.set_text_content(Some(&text));
            }
        }
    }
}
