//! A viewer's page as HTML text: the views a viewer (anyone not logged in, a wall screen)
//! sees, written by plain functions. The server writes the page with them, and the viewer
//! bundle (`crate::viewer`) writes the parts that change again and puts them in place, so
//! one function decides each part's markup, with no framework in the viewer's WebAssembly.
//! The control page (Leptos) uses the dense grid's strips (`dense`) and the cards' data.
//!
//! Everything from Docker is escaped as it is written (see [`escape`]).

use std::fmt;

pub mod cards;
pub mod dense;
pub mod document;
pub mod panel;
pub mod screen;
pub mod tables;
#[cfg(test)]
mod tests;
pub mod topbar;

/// Writes `text` escaped for element content or an attribute value in double quotes (every
/// attribute here is): `&`, `<`, `>`, `"` and `'` as entities, so no text can start a tag or
/// an entity, or end its attribute, whatever the context. Nothing else needs it: the
/// parser takes any other character as it is (a NUL becomes U+FFFD, harmlessly). The same
/// as `html-escape`'s attribute encoding (which Leptos uses) plus `'`, kept here rather than
/// added as a dependency: it is these few lines, and runs between the five characters are
/// copied whole (they are ASCII, so a run never splits a UTF-8 sequence).
pub fn escape(text: &str, out: &mut String) {
    let _ = write_escaped(text, out);
}

fn write_escaped(text: &str, out: &mut impl fmt::Write) -> fmt::Result {
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[from..at])?;
        out.write_str(entity)?;
        from = at + 1;
    }
    out.write_str(&text[from..])
}

/// Text to be escaped where it is formatted: `write!(out, "<td>{}</td>", Esc(name))`.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(self.0, f)
    }
}

/// `" name"` when `on`: for class lists.
pub fn class_if(on: bool, name: &str) -> &str {
    if on { name } else { "" }
}

/// `n thing` or `n things`.
pub fn count(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}
