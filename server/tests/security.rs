//! Attacks on the panel itself, each performed against the real binary and seen refused:
//! DNS rebinding, login brute force, a flood of refusals aimed at the audit file, weak or
//! shared tokens. None of these needs Docker: the panel is pointed at an address nothing
//! answers on, and the attacks are refused before any engine would be asked.

mod support;

use serde_json::json;
use support::panel::Panel;

const ADMIN: &str = "security-admin-token-0123456789-abcdef";
const NO_ENGINE: &str = "tcp://127.0.0.1:9";

fn panel(extra: &[&str]) -> Panel {
    Panel::start_with_env(NO_ENGINE, extra, &[("FLOTILLA_ADMIN_TOKEN", ADMIN)])
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_rebinding_page_is_refused_everywhere() {
    let panel = panel(&[]);
    let port = panel.addr.rsplit(':').next().expect("port");
    let evil_host = format!("evil.example:{port}");
    let evil_origin = format!("http://evil.example:{port}");
    // The attacker's name resolves to 127.0.0.1, so its page is same-origin with itself:
    // Origin and Host agree, and both are the attacker's.
    let rebinding = [
        ("Host", evil_host.as_str()),
        ("Origin", evil_origin.as_str()),
    ];
    let upgrade = [&rebinding[..], &support::WS_UPGRADE[..]].concat();
    let login = json!({ "token": ADMIN }).to_string();
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 5] = [
        ("GET", "/", &rebinding, ""),
        ("GET", "/ws", &upgrade, ""),
        ("GET", "/api/me", &rebinding, ""),
        ("POST", "/api/login", &rebinding, &login),
        (
            "POST",
            "/api/services/x/scale",
            &rebinding,
            r#"{"replicas":"0"}"#,
        ),
    ];
    for (method, path, headers, body) in cases {
        let (status, answer, text) = support::http(&panel.addr, method, path, headers, body)
            .await
            .expect("request");
        assert_eq!(status, 421, "{method} {path}: {text}");
        assert!(text.contains("--public-url"), "{text}");
        assert!(header(&answer, "set-cookie").is_none(), "{method} {path}");
    }
    // The panel's own name still works, and a foreign Origin on it is refused.
    let (status, _, _) = support::http(&panel.addr, "GET", "/api/me", &[], "")
        .await
        .expect("me");
    assert_eq!(status, 200);
    let foreign = [("Origin", "http://evil.example")];
    let (status, _, _) = support::http(&panel.addr, "POST", "/api/login", &foreign, &login)
        .await
        .expect("login");
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_public_url_behind_a_proxy_is_answered_and_makes_cookies_secure() {
    let panel = panel(&["--public-url", "https://panel.example"]);
    // A proxy that keeps the outside Host, and one that rewrites it to the panel's address:
    // both pass, since the Origin is the public URL.
    for host in ["panel.example", panel.addr.as_str()] {
        let headers = [("Host", host), ("Origin", "https://panel.example")];
        let body = json!({ "token": ADMIN }).to_string();
        let (status, answer, text) =
            support::http(&panel.addr, "POST", "/api/login", &headers, &body)
                .await
                .expect("login");
        assert_eq!(status, 200, "Host {host}: {text}");
        let cookie = header(&answer, "set-cookie").expect("a session cookie");
        assert!(cookie.starts_with("__Host-flotilla_session="), "{cookie}");
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(part), "{part} missing: {cookie}");
        }
    }
    // The plain-http origin of the same name is another origin.
    let headers = [
        ("Host", "panel.example"),
        ("Origin", "http://panel.example"),
    ];
    let (status, _, _) = support::http(&panel.addr, "POST", "/api/logout", &headers, "")
        .await
        .expect("logout");
    assert_eq!(status, 403);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let panel = panel(&[]);
    for path in ["/", "/api/me", "/no-such-file.js", "/ws"] {
        let (_, headers, _) = support::http(&panel.addr, "GET", path, &[], "")
            .await
            .expect("get");
        assert_eq!(
            header(&headers, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&headers, "referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
        let csp = header(&headers, "content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    // The page's inline hydration script carries the nonce its policy names.
    let (status, headers, page) = support::http(&panel.addr, "GET", "/", &[], "")
        .await
        .expect("page");
    assert_eq!(status, 200);
    let csp = header(&headers, "content-security-policy").expect("csp");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's policy");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(
        page.contains(&format!("nonce=\"{nonce}\"")),
        "no script with the nonce"
    );
}

#[tokio::test]
async fn brute_force_logins_are_locked_out_and_audited_once() {
    let panel = panel(&[]);
    let mut statuses = vec![];
    for i in 0..100 {
        let body = json!({ "token": format!("guess-{i:04}-0123456789-0123456789") }).to_string();
        let (status, headers, _) = support::http(&panel.addr, "POST", "/api/login", &[], &body)
            .await
            .expect("login");
        if status == 429 {
            let wait: u64 = header(&headers, "retry-after")
                .and_then(|v| v.parse().ok())
                .expect("Retry-After seconds");
            assert!(wait >= 1);
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses[..5],
        [401; 5],
        "the first tries are answered as wrong"
    );
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // Locked out: the right token waits too.
    let body = json!({ "token": ADMIN }).to_string();
    let (status, _, _) = support::http(&panel.addr, "POST", "/api/login", &[], &body)
        .await
        .expect("login");
    assert_eq!(status, 429);
    // One line for the window's first failure and one for the lockout, not one per try.
    let lines = support::wait_until(
        "login lines in the audit",
        std::time::Duration::from_secs(5),
        || async {
            let log = std::fs::read_to_string(&panel.audit_log).unwrap_or_default();
            let lines: Vec<String> = log
                .lines()
                .filter(|l| l.contains("\"login\""))
                .map(String::from)
                .collect();
            (lines.len() >= 2).then_some(lines)
        },
    )
    .await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains("locked out"), "{lines:?}");
}

#[tokio::test]
async fn a_flood_of_refusals_cannot_grow_the_audit_file() {
    let panel = panel(&[]);
    // 300 KB paths are refused by the HTTP layer (414) before any route; the longest paths
    // it takes (60 KB here) reach the guard, which refuses and audits them.
    let cases = [(300 * 1024, 414), (60 * 1024, 401)];
    let before = std::fs::metadata(&panel.audit_log)
        .map(|m| m.len())
        .unwrap_or(0);
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let addr = panel.addr.clone();
            tokio::spawn(async move {
                for i in 0..250 {
                    let (len, want) = cases[(worker + i) % 2];
                    let path = format!("/api/services/{}/scale", "x".repeat(len));
                    let (status, _, _) = support::http(&addr, "POST", &path, &[], "{}")
                        .await
                        .expect("post");
                    assert_eq!(status, want, "a {len}-byte path");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let after = std::fs::metadata(&panel.audit_log)
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "2,000 refused POSTs (half with 300 KB paths): the audit file grew by {} bytes",
        after - before
    );
    assert!(after > before, "the refusals were not audited at all");
    assert!(
        after - before < 1024 * 1024,
        "the audit file grew by {} bytes",
        after - before
    );
}

#[test]
fn weak_or_shared_tokens_refuse_to_start() {
    let cases = [
        (
            vec![("FLOTILLA_ADMIN_TOKEN", "short-token-0123456789")],
            "at least 32",
        ),
        (
            vec![
                ("FLOTILLA_ADMIN_TOKEN", ADMIN),
                ("FLOTILLA_OPERATOR_TOKEN", ADMIN),
            ],
            "must all differ",
        ),
    ];
    for (env, says) in cases {
        let output = support::flotilla()
            .args(["serve", "--docker", NO_ENGINE, "--addr", "127.0.0.1:0"])
            .env_remove("FLOTILLA_ADMIN_TOKEN")
            .env_remove("FLOTILLA_OPERATOR_TOKEN")
            .envs(env)
            .output()
            .expect("run flotilla serve");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "started with a bad token");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let key = std::env::temp_dir().join(format!("flotilla-key-{}", std::process::id()));
    std::fs::write(&key, "k".repeat(48)).expect("key file");
    let key_arg = key.to_string_lossy().to_string();
    let login = |panel: &Panel| {
        let addr = panel.addr.clone();
        async move {
            let body = json!({ "token": ADMIN }).to_string();
            let (status, headers, _) = support::http(&addr, "POST", "/api/login", &[], &body)
                .await
                .expect("login");
            assert_eq!(status, 200);
            header(&headers, "set-cookie")
                .and_then(|c| c.split(';').next())
                .expect("cookie")
                .to_string()
        }
    };
    let first = panel(&["--session-key-file", &key_arg]);
    let cookie = login(&first).await;
    drop(first);
    let second = panel(&["--session-key-file", &key_arg]);
    let (_, _, me) = support::http(&second.addr, "GET", "/api/me", &[("Cookie", &cookie)], "")
        .await
        .expect("me");
    assert!(me.contains("\"role\":\"admin\""), "{me}");
    let _ = std::fs::remove_file(key);
}
