//! `GET /metrics`: the registry in Prometheus text format, the readings (viewers, the
//! state's age) taken from the hub as it is scraped; no Docker request is made for it.
//!
//! Open unless a token is set (FLOTILLA_METRICS_TOKEN, or a file named by
//! FLOTILLA_METRICS_TOKEN_FILE, read like the login tokens): then a scrape must carry
//! `Authorization: Bearer <token>`, or it is answered 401.

use crate::cluster::Hub;
use crate::metrics::{CONTENT_TYPE, Metrics};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The environment variable (and, with `_FILE`, the file) the scrape token is read from.
pub const TOKEN_VAR: &str = "FLOTILLA_METRICS_TOKEN";

#[derive(Clone)]
pub struct Scrape {
    pub metrics: Arc<Metrics>,
    pub hub: Arc<Hub>,
    pub token: Option<Arc<str>>,
}

/// Whether an Authorization header value carries `expected` as its bearer token. Digests are
/// compared, in constant time: neither how much of the token matched nor its length shows
/// in the time taken.
fn bearer_ok(expected: &str, authorization: Option<&str>) -> bool {
    let Some((scheme, given)) = authorization.and_then(|a| a.trim().split_once(' ')) else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return false;
    }
    let given = Sha256::digest(given.trim().as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    bool::from(given.as_slice().ct_eq(expected.as_slice()))
}

pub async fn metrics(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if let Some(token) = &scrape.token {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if !bearer_ok(token, authorization) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "/metrics needs Authorization: Bearer <FLOTILLA_METRICS_TOKEN>",
            )
                .into_response();
        }
    }
    let hub = &scrape.hub;
    let text = scrape.metrics.encode(hub.viewers(), hub.sync_age());
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bearer_token_passes() {
        let token = "metrics-token-0123456789-abcdefghij";
        let cases = [
            (Some("Bearer metrics-token-0123456789-abcdefghij"), true),
            (Some("bearer metrics-token-0123456789-abcdefghij"), true),
            (
                Some("  Bearer   metrics-token-0123456789-abcdefghij "),
                true,
            ),
            (Some("Bearer metrics-token-0123456789-abcdefghi"), false),
            (Some("Bearer metrics-token-0123456789-abcdefghijk"), false),
            (Some("Basic metrics-token-0123456789-abcdefghij"), false),
            (Some("metrics-token-0123456789-abcdefghij"), false),
            (Some("Bearer "), false),
            (Some(""), false),
            (None, false),
        ];
        for (header, want) in cases {
            assert_eq!(bearer_ok(token, header), want, "{header:?}");
        }
    }
}
