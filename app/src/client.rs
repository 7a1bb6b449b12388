//! The browser's calls to the control API: JSON in, JSON out, the session cookie sent along
//! (same origin only). A refusal comes back as the server worded it; a failure to reach the
//! server is worded here. On the server side of the app these calls do nothing.

use crate::api::Refusal;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn refusal(error: impl Into<String>) -> Refusal {
    Refusal {
        error: error.into(),
        ..Refusal::default()
    }
}

// The viewer bundle only posts (its log-in and log-out).
#[cfg_attr(all(feature = "viewer", not(feature = "hydrate")), allow(dead_code))]
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Refusal> {
    call(path, "GET", None).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Refusal> {
    let body = serde_json::to_string(body).map_err(|e| refusal(e.to_string()))?;
    call(path, "POST", Some(body)).await
}

#[cfg(feature = "browser")]
async fn call<T: DeserializeOwned>(
    path: &str,
    method: &str,
    body: Option<String>,
) -> Result<T, Refusal> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |_| refusal("the panel could not be reached; try again");
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(unreachable)?;
    if body.is_some() {
        let _ = request.headers().set("Content-Type", "application/json");
    }
    let response: web_sys::Response =
        JsFuture::from(crate::browser::window().fetch_with_request(&request))
            .await
            .and_then(|r| r.dyn_into())
            .map_err(unreachable)?;
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(unreachable)?
            .as_string()
            .unwrap_or_default(),
        Err(e) => return Err(unreachable(e)),
    };
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| refusal(format!("unreadable answer: {e}")))
    } else {
        // Refusals are JSON; axum's own (a malformed or oversized body) are a line of text.
        let status = response.status();
        let mut refused =
            serde_json::from_str::<Refusal>(&text).unwrap_or_else(|_| match text.trim() {
                line if !line.is_empty() && line.len() <= 300 => {
                    refusal(format!("the panel answered HTTP {status}: {line}"))
                }
                _ => refusal(format!("the panel answered HTTP {status}")),
            });
        refused.status = status;
        Err(refused)
    }
}

#[cfg(not(feature = "browser"))]
async fn call<T: DeserializeOwned>(
    _path: &str,
    _method: &str,
    _body: Option<String>,
) -> Result<T, Refusal> {
    Err(refusal("control runs in the browser"))
}
