//! The few browser APIs both bundles call outside Leptos: the window, timers that own their
//! closure, and the clock.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a page has a window")
}

#[cfg_attr(not(feature = "viewer"), allow(dead_code))] // the control page reads it through Leptos
pub fn document() -> web_sys::Document {
    window().document().expect("a page has a document")
}

/// Unix milliseconds, by the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Runs `f` once after `ms` milliseconds.
pub fn after(ms: u32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
        callback.unchecked_ref(),
        ms.min(i32::MAX as u32) as i32,
    );
}

/// Runs `f` every `ms` milliseconds, for as long as the page lives.
pub fn every(ms: u32, f: impl FnMut() + 'static) {
    let callback = Closure::<dyn FnMut()>::new(f);
    let _ = window().set_interval_with_callback_and_timeout_and_arguments_0(
        callback.as_ref().unchecked_ref(),
        ms.min(i32::MAX as u32) as i32,
    );
    // The page's timers live as long as the page.
    callback.forget();
}
