//! The seam itself, in process: every mutation route refuses anonymous sessions, foreign
//! origins, too-small roles and non-POST methods, and its refusals are audited.

use super::*;
use crate::web::security::{self, Allowed};
use axum::body::Body;
use axum::http::{Method, Request as HttpRequest, StatusCode};
use axum_extra::extract::cookie::Key;
use tower::ServiceExt;

const ADMIN: &str = "admin-token-0123456789-0123456789";
const OPERATOR: &str = "operator-token-0123456789-012345";

struct Fixture {
    control: Arc<Control>,
    app: Router,
    audit_path: std::path::PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.audit_path);
    }
}

/// Control with an engine address nothing answers on: a request that got as far as Docker
/// would fail as unreachable, which the tests would see.
fn fixture(test: &str, admin: Option<&str>, operator: Option<&str>) -> Fixture {
    let audit_path = std::env::temp_dir().join(format!(
        "flotilla-audit-{test}-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&audit_path);
    let key = Key::derive_from(&[1u8; 32]);
    let auth = Auth::new(
        admin.map(String::from),
        operator.map(String::from),
        None,
        key,
        false,
    )
    .expect("auth");
    let audit = AuditLog::open_with(audit_path.clone(), Default::default()).expect("audit log");
    let control = Arc::new(Control::new(
        auth,
        audit,
        Arc::new(Hub::default()),
        "tcp://127.0.0.1:9".into(),
        Policy::default(),
        kiosk::Kiosks::open(audit_path.with_extension("kiosks.json")).expect("kiosks"),
    ));
    let allowed = Allowed::new(
        "127.0.0.1:8080".parse().unwrap(),
        &["http://panel.test:8080".into()],
    )
    .expect("allowed");
    let app = routes(control.clone()).layer(middleware::from_fn_with_state(
        Arc::new(allowed),
        security::check,
    ));
    Fixture {
        control,
        app,
        audit_path,
    }
}

/// The Cookie header value of a fresh session with `role`.
fn session(control: &Control, role: Role) -> String {
    auth::cookie_pair(&control.auth.issue(role).1)
}

async fn send(
    app: &Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let mut request = HttpRequest::builder()
        .method(method)
        .uri(path)
        .header("host", "panel.test:8080");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let request = request
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

async fn call(
    app: &Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> StatusCode {
    send(app, method, path, cookie, origin, "{}").await.0
}

#[tokio::test]
async fn every_mutation_is_guarded() {
    let f = fixture("guarded", Some(ADMIN), Some(OPERATOR));
    let admin = session(&f.control, Role::Admin);
    let operator = session(&f.control, Role::Operator);
    let forged = format!("{}=admin.99999999999.00", f.control.auth.cookie_name());
    let mut keys = std::collections::HashSet::new();
    for action in Action::ALL {
        let path = action.path("some-id");
        for cookie in [None, Some(forged.as_str())] {
            assert_eq!(
                call(&f.app, Method::POST, &path, cookie, None).await,
                StatusCode::UNAUTHORIZED,
                "{path} with {cookie:?}"
            );
        }
        keys.insert((action, "anonymous"));
        let foreign = call(
            &f.app,
            Method::POST,
            &path,
            Some(&admin),
            Some("http://evil.example"),
        )
        .await;
        assert_eq!(foreign, StatusCode::FORBIDDEN, "foreign origin {path}");
        if action.role() == Role::Admin {
            assert_eq!(
                call(&f.app, Method::POST, &path, Some(&operator), None).await,
                StatusCode::FORBIDDEN,
                "operator {path}"
            );
            keys.insert((action, "operator"));
        }
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            // GET /api/kiosks is the admin's list of links, not the mutation.
            if action == Action::KioskCreate && method == Method::GET {
                continue;
            }
            let status = call(&f.app, method.clone(), &path, Some(&admin), None).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
    // Each kind of refusal is written once; its repeats are counted, not written.
    let entries = f.control.audit.read_tail(1000).await.expect("audit");
    assert_eq!(entries.len(), keys.len(), "{entries:?}");
    assert!(
        entries.iter().all(|e| e.outcome.starts_with("denied")),
        "{entries:?}"
    );
}

#[tokio::test]
async fn without_credentials_the_panel_is_read_only() {
    let f = fixture("read-only", None, None);
    for action in Action::ALL {
        let path = action.path("x");
        assert_eq!(
            call(&f.app, Method::POST, &path, None, None).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        call(&f.app, Method::POST, "/api/login", None, None).await,
        StatusCode::FORBIDDEN,
        "nobody to log in as"
    );
}

#[tokio::test]
async fn an_authorized_request_with_bad_input_never_reaches_docker() {
    let f = fixture("bad-input", Some(ADMIN), None);
    let admin = session(&f.control, Role::Admin);
    let form =
        r#"{"name":"bad name","image":"Nope:","replicas":"-1","env":"SECRET=hunter2\nNOEQUALS"}"#;
    let (status, body) = send(
        &f.app,
        Method::POST,
        Action::ServiceCreate.route(),
        Some(&admin),
        None,
        form,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "image", "replicas", "env"], "{body}");
    let entries = f.control.audit.read_tail(10).await.expect("audit");
    let outcomes: Vec<&str> = entries.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes.len(), 2, "{entries:?}");
    assert_eq!(outcomes[0], "attempt");
    assert!(outcomes[1].starts_with("invalid:"), "{entries:?}");
    assert_eq!(
        entries[0].op, entries[1].op,
        "attempt and outcome share an op id"
    );
    let log = std::fs::read_to_string(&f.audit_path).expect("audit");
    assert!(
        !log.contains("hunter2"),
        "a secret reached the audit log: {log}"
    );
}

#[tokio::test]
async fn the_policy_refuses_the_docker_socket_even_for_an_admin() {
    let f = fixture("policy", Some(ADMIN), None);
    let admin = session(&f.control, Role::Admin);
    let form = serde_json::json!({
        "name": "escalate", "image": "busybox", "replicas": "1",
        "mounts": [{ "kind": "bind", "source": "/var/run/docker.sock", "target": "/sock" }],
        "ports": [{ "target": "80", "published": "80" }]
    });
    let (status, body) = send(
        &f.app,
        Method::POST,
        Action::ServiceCreate.route(),
        Some(&admin),
        None,
        &form.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<(&str, &str)> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(fields.len(), 2, "{body}");
    assert_eq!(fields[0].0, "mounts[0].source");
    assert!(fields[0].1.contains("protected-path"), "{body}");
    assert_eq!(fields[1].0, "ports[0].published");
    assert!(fields[1].1.contains("--allow-low-ports"), "{body}");
    let entries = f.control.audit.read_tail(10).await.expect("audit");
    assert!(
        entries.last().is_some_and(|e| e
            .outcome
            .starts_with("refused by policy: mounts[0].source protected-path")),
        "{entries:?}"
    );
}

#[tokio::test]
async fn an_unreadable_body_is_refused_by_name_and_audited() {
    let f = fixture("unreadable", Some(ADMIN), None);
    let admin = session(&f.control, Role::Admin);
    // Rollback, removes and revoke take no body.
    let with_body = Action::ALL.into_iter().filter(|a| {
        !matches!(
            a,
            Action::ServiceRollback
                | Action::ServiceRemove
                | Action::NetworkRemove
                | Action::KioskRevoke
                | Action::StackRemove
        )
    });
    let mut attempts = 0;
    for action in with_body {
        let path = action.path("some-id");
        for body in ["not json", r#"{"replicas": 3, "name": ["x"]}"#, ""] {
            let (status, refusal) =
                send(&f.app, Method::POST, &path, Some(&admin), None, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body:?}");
            let refusal: flotilla_app::api::Refusal =
                serde_json::from_value(refusal).expect("a JSON refusal");
            assert_eq!(refusal.fields.len(), 1, "{path}: {refusal:?}");
            assert_eq!(refusal.fields[0].field, "body", "{path}");
            attempts += 1;
        }
    }
    let entries = f.control.audit.read_tail(1000).await.expect("audit");
    assert_eq!(entries.len(), attempts, "one audit line per attempt");
    assert!(
        entries
            .iter()
            .all(|e| e.outcome.starts_with("invalid: body")),
        "{entries:?}"
    );
}
