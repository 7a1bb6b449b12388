//! The viewer page's controls, answered by one listener per kind of event on the document
//! (the regions' markup is replaced as the cluster changes; listeners on it would go too):
//! the toggles and highlights (the address changes in place: no history entry, no scroll),
//! dense mode's marks (a click or Enter highlights the service, pointing brings the age in
//! the title up to date), and the log-in form and log-out button, which load the page again
//! once done: the server renders it for the session.

use super::{Page, warn};
use crate::api::{Login, Me, Refusal};
use crate::browser::{document, now_ms, window};
use crate::dom::{mark, position, refocus};
use crate::html::dense::marks::retitle;
use crate::view::Filters;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, Event, HtmlInputElement, KeyboardEvent, MouseEvent};

/// Listens on the document; without a page (nothing to follow) only to the session's forms.
pub fn listen(page: Option<Page>) {
    on("submit", |ev: Event| {
        if let Some(form) = target(&ev).and_then(|t| t.closest("form.login").ok().flatten()) {
            ev.prevent_default();
            log_in(form);
        }
    });
    let Some(page) = page else {
        return;
    };
    let clicked = page.clone();
    on("click", move |ev: MouseEvent| {
        if ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return; // a new tab or window: the browser's
        }
        let Some(target) = target(&ev) else {
            return;
        };
        if target.closest("button.log-out").ok().flatten().is_some() {
            wasm_bindgen_futures::spawn_local(async {
                let _ = crate::client::post::<_, serde_json::Value>("/api/logout", &()).await;
                let _ = window().location().reload();
            });
            return;
        }
        let wanted = wanted(&clicked, &target);
        if let Some(filters) = wanted {
            ev.prevent_default();
            go(&clicked, filters);
        }
    });
    let keyed = page.clone();
    on("keydown", move |ev: KeyboardEvent| {
        if !matches!(ev.key().as_str(), "Enter" | " ") {
            return;
        }
        let Some(mark) = target(&ev).and_then(|t| mark(&t)) else {
            return;
        };
        let Some(at) = position(&mark) else {
            return;
        };
        ev.prevent_default();
        if let Some(filters) = wanted(&keyed, &mark) {
            go(&keyed, filters);
            // The highlight rewrote the mark's box: focus the same place again.
            refocus(&at);
        }
    });
    for kind in ["mouseover", "focusin"] {
        let pointed = page.clone();
        on(kind, move |ev: Event| {
            if let Some(mark) = target(&ev).and_then(|t| mark(&t)) {
                retitle_mark(&pointed, &mark);
            }
        });
    }
}

fn on<E: JsCast + 'static>(kind: &str, mut handler: impl FnMut(E) + 'static) {
    let listener = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        if let Ok(ev) = ev.dyn_into::<E>() {
            handler(ev);
        }
    });
    let _ = document().add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
    // The document's listeners live as long as the page.
    listener.forget();
}

fn target(ev: &Event) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()
}

/// The filters a click on `target` asks for: a toggle's, or a highlight of the service of a
/// mark, a card or a row (a second click clears it).
fn wanted(page: &Page, target: &Element) -> Option<Filters> {
    let closest = |selector: &str| target.closest(selector).ok().flatten();
    if let Some(button) = closest("button[data-href]") {
        let href = button.get_attribute("data-href")?;
        let query = href.split_once('?').map_or("", |(_, q)| q);
        return Some(crate::address::filters_of(query));
    }
    let viewer = page.borrow();
    let service = if let Some(mark) = closest("i.m") {
        let (key, index) = position(&mark)?;
        let strips = viewer.strips.as_ref()?;
        strips.pointed(&key, index)?.service.to_string()
    } else {
        let item = closest("article.task-card[data-service]")
            .or_else(|| closest("tr.service[data-service]"))?;
        item.get_attribute("data-service")?
    };
    Some(viewer.filters.toggle_highlight(&service))
}

/// Shows the page with `filters`, replacing the address in place.
fn go(page: &Page, filters: Filters) {
    if let Ok(history) = window().history() {
        let _ =
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&filters.href()));
    }
    let mut viewer = page.borrow_mut();
    viewer.filters = filters;
    viewer.write(true);
}

/// Brings the age in a mark's title up to date.
fn retitle_mark(page: &Page, mark: &Element) {
    let Some((key, index)) = position(mark) else {
        return;
    };
    let viewer = page.borrow();
    let Some(pointed) = viewer.strips.as_ref().and_then(|s| s.pointed(&key, index)) else {
        return;
    };
    let Some(title) = mark.get_attribute("title") else {
        return;
    };
    let fresh = retitle(&title, pointed.since, (now_ms() / 1000.0) as i64);
    if let Some(fresh) = fresh.filter(|fresh| *fresh != title) {
        let _ = mark.set_attribute("title", &fresh);
    }
}

/// Posts the token; once logged in, loads the page again (the server renders it for the
/// session, with the control bundle if the session may change things). A refusal is shown
/// in the form's outcome line.
fn log_in(form: Element) {
    let input = form.query_selector("input[name=token]").ok().flatten();
    let token = input
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default();
    let button = form.query_selector("button[type=submit]").ok().flatten();
    let set_busy = move |busy: bool| {
        if let Some(button) = &button {
            let _ = if busy {
                button.set_attribute("disabled", "")
            } else {
                button.remove_attribute("disabled")
            };
        }
    };
    set_busy(true);
    outcome(&form, "outcome pending", "status", "logging in…");
    wasm_bindgen_futures::spawn_local(async move {
        match crate::client::post::<_, Me>("/api/login", &Login { token }).await {
            Ok(_) => {
                if window().location().reload().is_err() {
                    warn("could not load the page again");
                }
            }
            Err(refusal) => {
                set_busy(false);
                outcome(&form, "outcome failed", "alert", &refused(&refusal));
            }
        }
    });
}

/// A refusal in plain words, with the fields it names.
fn refused(refusal: &Refusal) -> String {
    let fields: Vec<String> = refusal
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    if fields.is_empty() {
        refusal.error.clone()
    } else {
        format!("{} ({})", refusal.error, fields.join("; "))
    }
}

fn outcome(form: &Element, class: &str, role: &str, text: &str) {
    if let Some(line) = form.query_selector(".outcome").ok().flatten() {
        let _ = line.set_attribute("class", class);
        let _ = line.set_attribute("role", role);
        let _ = line.remove_attribute("hidden");
        line.set_text_content(Some(text));
    }
}
