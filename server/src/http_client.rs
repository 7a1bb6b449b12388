//! The server's one outgoing HTTP client: a registry's API, asked by the panel (its catalog)
//! and by the lab (whether it is up, what it holds), and a panel's `/healthz`, asked by
//! `flotilla health`.
//!
//! hyper-util's pooled client rather than reqwest: bollard already builds it, so this adds
//! no crates to the binary, and plain HTTP is all a registry on the lab's network speaks.
//! It is built once, so connections to the registry are kept and reused between requests.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::header::HOST;
use hyper::{Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::LazyLock;
use std::time::Duration;

/// Both for connecting and for the whole exchange: a registry that takes longer is treated
/// as not answering, and the page asking for it must not hang.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Registry answers used here are small JSON documents; anything larger is refused
/// rather than held in memory.
const BODY_LIMIT: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{url} is not a plain-HTTP URL")]
    Url { url: String },
    #[error("GET {url}: {}", chain(source))]
    Request {
        url: String,
        #[source]
        source: hyper_util::client::legacy::Error,
    },
    #[error("GET {url}: no answer within {after:?}")]
    TimedOut { url: String, after: Duration },
    #[error("GET {url}: the body broke off or is larger than {BODY_LIMIT} bytes: {reason}")]
    Body { url: String, reason: String },
}

/// The client's own message ("client error (Connect)") names no cause: what people need to
/// read is at the end of the chain ("Connection refused").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

static CLIENT: LazyLock<Client<HttpConnector, Empty<Bytes>>> = LazyLock::new(|| {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(TIMEOUT));
    Client::builder(TokioExecutor::new())
        // Lets the pool drop idle connections on a timer instead of only when next asked.
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector)
});

/// GET a plain-HTTP URL: its status and its body (lossily decoded as UTF-8), whatever the
/// status. Errors are the exchange failing, not the server refusing.
pub async fn get(url: &str) -> Result<(u16, String), RegistryError> {
    get_as(url, None, TIMEOUT).await
}

/// As [`get`], with a `Host` header of its own (else the URL's authority, as hyper sends it)
/// and its own bound on the whole exchange (the connection attempt is bounded by [`TIMEOUT`]
/// as well).
pub async fn get_as(
    url: &str,
    host: Option<&str>,
    timeout: Duration,
) -> Result<(u16, String), RegistryError> {
    let uri = match url.parse::<Uri>() {
        Ok(uri) if uri.scheme_str() == Some("http") && uri.authority().is_some() => uri,
        _ => return Err(RegistryError::Url { url: url.into() }),
    };
    let mut request = Request::get(uri);
    if let Some(host) = host {
        request = request.header(HOST, host);
    }
    let request = request
        .body(Empty::new())
        .map_err(|_| RegistryError::Url { url: url.into() })?;
    let exchange = async {
        let response = CLIENT
            .request(request)
            .await
            .map_err(|source| RegistryError::Request {
                url: url.into(),
                source,
            })?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), BODY_LIMIT)
            .collect()
            .await
            .map_err(|e| RegistryError::Body {
                url: url.into(),
                reason: e.to_string(),
            })?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or_else(|_| {
            Err(RegistryError::TimedOut {
                url: url.into(),
                after: timeout,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get as route;

    /// A loopback server whose answers are known: the client is tested against real HTTP.
    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    /// An address nothing listens on: one just bound, then released.
    async fn closed_port() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        listener.local_addr().expect("addr")
    }

    #[tokio::test]
    async fn answers_refusals_and_bounds() {
        let big = "x".repeat(BODY_LIMIT + 1);
        let base = serve(
            Router::new()
                .route("/ok", route(|| async { "{}" }))
                .route("/big", route(move || async move { big })),
        )
        .await;
        let ok = get(&format!("{base}/ok")).await.expect("ok");
        assert_eq!(ok, (200, "{}".to_string()));
        let missing = get(&format!("{base}/missing")).await.expect("404");
        assert_eq!(missing.0, 404);
        let cases = [
            (format!("{base}/big"), "larger than"),
            ("https://127.0.0.1:1/".to_string(), "plain-HTTP"),
            ("127.0.0.1:1/v2/".to_string(), "plain-HTTP"),
            (format!("http://{}/", closed_port().await), "refused"),
        ];
        for (url, want) in cases {
            let error = get(&url).await.expect_err(&url).to_string();
            assert!(error.contains(want), "{url}: {error}");
        }
    }
}
