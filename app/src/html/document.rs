//! A viewer's whole page, as the server sends it: the head that loads the stylesheet and
//! the viewer bundle, the top bar, the regions (see `screen`), and the state the page was
//! written from, which the bundle reads to go on from there.

use crate::html::Esc;
use crate::html::screen::{Region, Screen};
use crate::html::topbar::{self, SessionView};
use crate::protocol::PAGE_DATA_ID;
use std::fmt::Write;

/// What the page loads: names from the front end's manifest (see `audience::Assets`).
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    /// The viewer bundle's stem: `/pkg/<stem>.js` and `/pkg/<stem>_bg.wasm`.
    pub bundle: &'a str,
    pub css: &'a str,
    /// The nonce of the page's one inline script (the response's policy allows it alone).
    pub nonce: &'a str,
}

/// What the page's body is.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    /// The cluster, live. `json` is the `PageData` the screen's snapshot was taken from.
    Live { screen: Screen<'a>, json: &'a str },
    /// Why this request may not see the cluster (`--view token` without a session), with
    /// the log-in form; `json` is the `PageData` saying so.
    Unavailable { error: &'a str, json: &'a str },
    /// Any address but the page's (status 404).
    NotFound,
}

pub fn write_document(head: &Head, session: SessionView, body: &Body) -> String {
    let mut out = String::with_capacity(match body {
        Body::Live { json, .. } => json.len() * 2 + 16 * 1024,
        _ => 4 * 1024,
    });
    write_head(head, &mut out);
    out.push_str("<body>");
    match body {
        Body::Live { screen, json } => {
            let kiosk = screen.filters.kiosk;
            if kiosk {
                out.push_str("<div class=\"kiosk\">");
            }
            topbar::write_topbar(&mut out, |out| {
                Region::Connection.write_whole(screen, out);
                if !kiosk {
                    Region::Toggles.write_whole(screen, out);
                    topbar::write_session(session, out);
                }
            });
            out.push_str("<main>");
            let in_main = Region::of_page(kiosk)
                .iter()
                .filter(|r| !matches!(r, Region::Connection | Region::Toggles));
            for region in in_main {
                region.write_whole(screen, &mut out);
            }
            out.push_str("</main>");
            if kiosk {
                out.push_str("</div>");
            }
            write_page_data(json, &mut out);
        }
        Body::Unavailable { error, json } => {
            topbar::write_topbar(&mut out, |out| topbar::write_session(session, out));
            let _ = write!(
                out,
                "<main><p class=\"error\" role=\"alert\">{}</p></main>",
                Esc(error)
            );
            write_page_data(json, &mut out);
        }
        Body::NotFound => {
            topbar::write_topbar(&mut out, |_| {});
            out.push_str("<main><p class=\"error\">No such page.</p></main>");
        }
    }
    out.push_str("</body></html>");
    out
}

/// The stylesheet first; the bundle is preloaded, and started once loaded (a module script
/// runs after the document is parsed).
fn write_head(head: &Head, out: &mut String) {
    let Head { bundle, css, nonce } = *head;
    let (bundle, css, nonce) = (Esc(bundle), Esc(css), Esc(nonce));
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Flotilla</title><link rel=\"stylesheet\" href=\"/pkg/{css}\">\
         <link rel=\"modulepreload\" href=\"/pkg/{bundle}.js\">\
         <link rel=\"preload\" href=\"/pkg/{bundle}_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"\">\
         <script type=\"module\" nonce=\"{nonce}\">import init, {{ start }} from '/pkg/{bundle}.js'; \
         init({{ module_or_path: '/pkg/{bundle}_bg.wasm' }}).then(start);</script>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"></head>"
    );
}

/// The state the page was written from, for the bundle: last, after the markup (at scale
/// it is most of the page, and in the head it held back the first paint). Every "<" is
/// escaped, so nothing in it can end the element.
fn write_page_data(json: &str, out: &mut String) {
    let _ = write!(
        out,
        "<script id=\"{PAGE_DATA_ID}\" type=\"application/json\">"
    );
    let mut from = 0;
    for (at, _) in json.match_indices('<') {
        out.push_str(&json[from..at]);
        out.push_str("\\u003c");
        from = at + 1;
    }
    out.push_str(&json[from..]);
    out.push_str("</script>");
}
