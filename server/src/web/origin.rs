//! Same-origin check. Browsers send Origin on websocket upgrades and on cross-site POSTs, and
//! neither axum nor Leptos checks it: without this, any page a user visits could open the
//! panel's websocket (or, later, call its mutations) with the user's cookies.

/// True when the request carries no Origin (not a browser, or a same-origin GET) or when the
/// Origin's host:port is the Host the request was sent to.
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin else { return true };
    let Some(host) = host else { return false };
    let Some((_scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    let origin_host = rest.split('/').next().unwrap_or(rest);
    !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn same_origin_only() {
        let cases = [
            (None, Some("127.0.0.1:8080"), true),
            (Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), true),
            (
                Some("https://Panel.example:443"),
                Some("panel.example:443"),
                true,
            ),
            (Some("http://evil.example"), Some("127.0.0.1:8080"), false),
            (Some("http://127.0.0.1:8081"), Some("127.0.0.1:8080"), false),
            (
                Some("http://127.0.0.1:8080.evil.example"),
                Some("127.0.0.1:8080"),
                false,
            ),
            (Some("null"), Some("127.0.0.1:8080"), false),
            (Some("http://127.0.0.1:8080"), None, false),
            (Some("http://"), Some(""), false),
        ];
        for (origin, host, want) in cases {
            assert_eq!(origin_allowed(origin, host), want, "{origin:?} -> {host:?}");
        }
    }
}
