//! What every request passes before anything else: its Host must be one the panel answers
//! as (a page on an attacker's name that resolves to this address, DNS rebinding, is
//! refused), a browser's Origin must be one of the panel's own (scheme included), and every
//! answer carries the headers that keep the page from being framed, sniffed or given
//! scripts it did not ship.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use url::Url;

/// The policy for answers that set none of their own: nothing but the panel's own files.
/// Pages set theirs, with the nonce of their inline scripts (see `page_csp`).
const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; style-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The Content-Security-Policy of a rendered page: its inline hydration scripts carry
/// `nonce`, WebAssembly may be compiled, styles come from the panel (the service colours are
/// inline style attributes), and nothing may frame it.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The names and origins the panel answers as.
#[derive(Clone, Debug)]
pub struct Allowed {
    /// Host header values, lowercase, with the port as browsers send it.
    hosts: Vec<String>,
    /// Origins, as browsers serialize them (`https://panel.example`).
    origins: Vec<String>,
    /// Whether a public URL is https: cookies are then `Secure`.
    pub https: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PublicUrlError {
    #[error("--public-url {0:?}: {1}")]
    Invalid(String, String),
}

impl Allowed {
    /// The listen address and the loopback names with its port, and each public URL. The
    /// loopback names and IP literals cannot be a rebinding attacker's: a browser sends the
    /// name it resolved, and those are not names anyone else controls.
    pub fn new(listen: SocketAddr, public_urls: &[String]) -> Result<Allowed, PublicUrlError> {
        let port = listen.port();
        let mut allowed = Allowed {
            hosts: vec![],
            origins: vec![],
            https: false,
        };
        let listen_host = match listen {
            SocketAddr::V4(a) => a.ip().to_string(),
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
        };
        for host in [listen_host.as_str(), "localhost", "127.0.0.1", "[::1]"] {
            allowed.add(&format!("http://{host}:{port}"));
        }
        for text in public_urls {
            let url = Url::parse(text)
                .map_err(|e| PublicUrlError::Invalid(text.clone(), e.to_string()))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(PublicUrlError::Invalid(
                    text.clone(),
                    "must be an http:// or https:// URL with a host".into(),
                ));
            }
            allowed.https |= url.scheme() == "https";
            allowed.add(text);
        }
        Ok(allowed)
    }

    fn add(&mut self, url: &str) {
        let Ok(url) = Url::parse(url) else { return };
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let origin = url.origin().ascii_serialization();
        // Browsers leave the scheme's default port out of Host; clients may write it in.
        let port = url.port_or_known_default();
        let mut hosts = vec![match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        }];
        if url.port().is_none() {
            hosts.extend(port.map(|p| format!("{host}:{p}")));
        }
        for h in hosts {
            if !self.hosts.contains(&h) {
                self.hosts.push(h);
            }
        }
        if !self.origins.contains(&origin) {
            self.origins.push(origin);
        }
    }

    pub fn host_ok(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.hosts.contains(&h.to_ascii_lowercase()))
    }

    /// No Origin is fine (not a browser, or a same-origin navigation); one that is sent must
    /// be the panel's own.
    pub fn origin_ok(&self, origin: Option<&str>) -> bool {
        origin.is_none_or(|o| self.origins.iter().any(|a| a.eq_ignore_ascii_case(o)))
    }

    /// How the panel may be reached, for a refusal's message.
    pub fn first_origin(&self) -> &str {
        self.origins.first().map(String::as_str).unwrap_or("")
    }
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The layer in front of every route: Host and Origin checked, security headers added.
pub async fn check(State(allowed): State<Arc<Allowed>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let mut response = if !allowed.host_ok(text(headers, header::HOST)) {
        (
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this panel does not answer to that host name; open it as {} or start it with --public-url",
                allowed.first_origin()
            ),
        )
            .into_response()
    } else if !allowed.origin_ok(text(headers, header::ORIGIN)) {
        (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        let local = Allowed::new("127.0.0.1:8080".parse().unwrap(), &[]).unwrap();
        let behind = Allowed::new(
            "0.0.0.0:8080".parse().unwrap(),
            &[
                "https://panel.example".into(),
                "http://wall.lan:9000".into(),
            ],
        )
        .unwrap();
        let host_cases = [
            (&local, "127.0.0.1:8080", true),
            (&local, "LOCALHOST:8080", true),
            (&local, "[::1]:8080", true),
            (&local, "127.0.0.1:8081", false),
            (&local, "evil.example:8080", false),
            (&local, "localhost", false),
            (&local, "", false),
            (&behind, "panel.example", true),
            (&behind, "panel.example:443", true),
            (&behind, "panel.example:8443", false),
            (&behind, "wall.lan:9000", true),
            (&behind, "127.0.0.1:8080", true),
            (&behind, "0.0.0.0:8080", true),
            (&behind, "evil.example", false),
        ];
        for (allowed, host, want) in host_cases {
            assert_eq!(allowed.host_ok(Some(host)), want, "{host}");
        }
        assert!(!local.host_ok(None));
        let origin_cases = [
            (&local, Some("http://127.0.0.1:8080"), true),
            (&local, Some("http://localhost:8080"), true),
            (&local, Some("https://127.0.0.1:8080"), false),
            (&local, Some("http://evil.example:8080"), false),
            (&local, Some("http://127.0.0.1:8080.evil.example"), false),
            (&local, Some("null"), false),
            (&local, None, true),
            (&behind, Some("https://panel.example"), true),
            (&behind, Some("http://panel.example"), false),
            (&behind, Some("http://wall.lan:9000"), true),
        ];
        for (allowed, origin, want) in origin_cases {
            assert_eq!(allowed.origin_ok(origin), want, "{origin:?}");
        }
        assert!(!local.https && behind.https);
        assert!(Allowed::new("127.0.0.1:1".parse().unwrap(), &["ftp://x".into()]).is_err());
        assert!(Allowed::new("127.0.0.1:1".parse().unwrap(), &["not a url".into()]).is_err());
    }
}
