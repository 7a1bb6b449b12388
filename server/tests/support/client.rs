//! A logged-in API client, as the panel's own page is one: the session cookie sent along,
//! and a count of requests so a test can match them with the audit log.

use super::panel::Panel;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Client {
    pub addr: String,
    pub cookie: String,
    /// Requests sent, the login included: each must leave one outcome in the audit log.
    pub sent: AtomicUsize,
}

impl Client {
    pub async fn login(panel: &Panel, token: &str) -> Client {
        Client::login_at(&panel.addr, token).await
    }

    /// Logs in to the panel at `addr` (host:port), one this test did not start.
    pub async fn login_at(addr: &str, token: &str) -> Client {
        let body = json!({ "token": token }).to_string();
        let (status, headers, text) = super::http(addr, "POST", "/api/login", &[], &body)
            .await
            .expect("login");
        assert_eq!(status, 200, "{text}");
        let cookie = headers
            .iter()
            .find(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.clone())
            .expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        Client {
            addr: addr.to_string(),
            cookie: cookie.split(';').next().unwrap_or_default().to_string(),
            sent: AtomicUsize::new(1),
        }
    }

    /// No session at all: what an anonymous caller sends.
    #[allow(dead_code)] // each test binary uses its own part of the support code
    pub fn anonymous(panel: &Panel) -> Client {
        Client {
            addr: panel.addr.clone(),
            cookie: String::new(),
            sent: AtomicUsize::new(0),
        }
    }

    /// Any request, with the session cookie (if any) and `extra` headers; a JSON answer is
    /// parsed, any other kept as a string.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let mut headers = extra.to_vec();
        if !self.cookie.is_empty() {
            headers.push(("Cookie", self.cookie.as_str()));
        }
        let (status, _, text) = super::http(&self.addr, method, path, &headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.request("POST", path, &[], &body.to_string()).await
    }

    #[allow(dead_code)]
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.request("GET", path, &[], "").await
    }
}

fn entries(log: &str) -> Vec<Value> {
    log.lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect()
}

/// Audit lines that record an outcome (every line but the "attempt" ones).
pub fn outcomes(log: &str) -> usize {
    entries(log)
        .iter()
        .filter(|e| e["outcome"] != "attempt")
        .count()
}

/// Every "attempt" line has an outcome line after it with the same op id.
pub fn assert_each_attempt_completed(log: &str) {
    let entries = entries(log);
    for (i, attempt) in entries.iter().enumerate() {
        if attempt["outcome"] != "attempt" {
            continue;
        }
        let op = &attempt["op"];
        assert!(op.as_str().is_some_and(|o| !o.is_empty()), "{attempt}");
        assert!(
            entries[i + 1..]
                .iter()
                .any(|e| &e["op"] == op && e["outcome"] != "attempt"),
            "no outcome for {attempt}\n{log}"
        );
    }
}
