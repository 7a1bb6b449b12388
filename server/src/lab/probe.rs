//! What `lab up` asks the lab registry over HTTP: whether it is up, and whether it already
//! holds an image tag (so the demo image is pushed only once).

use crate::http_client::get;
use serde::Deserialize;

/// Whether the registry at host:port answers its API's base endpoint with 200.
pub async fn registry_answers(addr: &str) -> bool {
    matches!(get(&format!("http://{addr}/v2/")).await, Ok((200, _)))
}

/// Whether the registry at host:port lists `tag` for `repository`. Any failure counts as no:
/// pushing again is harmless.
pub async fn holds_tag(addr: &str, repository: &str, tag: &str) -> bool {
    #[derive(Deserialize)]
    struct Tags {
        tags: Option<Vec<String>>,
    }
    match get(&format!("http://{addr}/v2/{repository}/tags/list")).await {
        Ok((200, body)) => serde_json::from_str::<Tags>(&body)
            .ok()
            .and_then(|t| t.tags)
            .is_some_and(|tags| tags.iter().any(|t| t == tag)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::get as route;

    /// A stand-in registry on loopback that answers every tags list with `body`.
    async fn registry(status: StatusCode, body: &'static str) -> String {
        let app = Router::new()
            .route("/v2/", route(move || async move { (status, "{}") }))
            .route(
                "/v2/example/echo/tags/list",
                route(move || async move { (status, body) }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr.to_string()
    }

    #[tokio::test]
    async fn probes_read_status_and_tags() {
        let cases = [
            (
                StatusCode::OK,
                r#"{"name":"x","tags":["v1","latest"]}"#,
                true,
                true,
            ),
            (StatusCode::OK, r#"{"name":"x","tags":["v1"]}"#, true, false),
            (StatusCode::OK, r#"{"name":"x","tags":null}"#, true, false),
            (StatusCode::OK, r#"{"note":"\"latest\""}"#, true, false),
            (
                StatusCode::NOT_FOUND,
                r#"{"tags":["latest"]}"#,
                false,
                false,
            ),
        ];
        for (status, body, up, held) in cases {
            let addr = registry(status, body).await;
            assert_eq!(registry_answers(&addr).await, up, "{status} {body}");
            assert_eq!(
                holds_tag(&addr, "example/echo", "latest").await,
                held,
                "{status} {body}"
            );
        }
    }
}
