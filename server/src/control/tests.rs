//! The seam itself, in process: every mutation route refuses anonymous sessions, foreign
//! origins, too-small roles and non-POST methods, and each refusal is one audit line.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request as HttpRequest, StatusCode};
use tower::ServiceExt;

const ADMIN: &str = "admin-token-0123456789";
const OPERATOR: &str = "operator-token-0123456";

fn control(
    test: &str,
    admin: Option<&str>,
    operator: Option<&str>,
) -> (Arc<Control>, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "flotilla-audit-{test}-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let auth = Auth::new(admin.map(String::from), operator.map(String::from));
    let audit = AuditLog::open(path.clone()).expect("audit log");
    (
        Arc::new(Control::new(
            auth,
            audit,
            Arc::new(Hub::default()),
            "tcp://127.0.0.1:9".into(),
        )),
        path,
    )
}

async fn call(
    app: &Router,
    method: Method,
    path: &str,
    session: Option<&str>,
    origin: Option<&str>,
) -> StatusCode {
    let mut request = HttpRequest::builder()
        .method(method)
        .uri(path)
        .header("host", "panel.test:8080");
    if let Some(session) = session {
        request = request.header("cookie", format!("{}={session}", auth::SESSION_COOKIE));
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let request = request
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .expect("request");
    app.clone()
        .oneshot(request)
        .await
        .expect("response")
        .status()
}

#[tokio::test]
async fn every_mutation_is_guarded() {
    let (control, audit_path) = control("guarded", Some(ADMIN), Some(OPERATOR));
    let app = routes(control.clone());
    let (admin, _) = control.auth.login(ADMIN).expect("admin session");
    let (operator, _) = control.auth.login(OPERATOR).expect("operator session");
    let mut attempts = 0;
    for &(pattern, needed) in MUTATIONS {
        let path = pattern.replace("{id}", "some-id");
        assert_eq!(
            call(&app, Method::POST, &path, None, None).await,
            StatusCode::UNAUTHORIZED,
            "anonymous {path}"
        );
        assert_eq!(
            call(&app, Method::POST, &path, Some("forged-session"), None).await,
            StatusCode::UNAUTHORIZED,
            "forged {path}"
        );
        let foreign = call(
            &app,
            Method::POST,
            &path,
            Some(&admin),
            Some("http://evil.example"),
        )
        .await;
        assert_eq!(foreign, StatusCode::FORBIDDEN, "foreign origin {path}");
        attempts += 3;
        if needed == Role::Admin {
            assert_eq!(
                call(&app, Method::POST, &path, Some(&operator), None).await,
                StatusCode::FORBIDDEN,
                "operator {path}"
            );
            attempts += 1;
        }
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            let status = call(&app, method.clone(), &path, Some(&admin), None).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
    let lines = std::fs::read_to_string(&audit_path)
        .expect("audit log")
        .lines()
        .count();
    assert_eq!(lines, attempts, "one audit line per refused attempt");
    let entries = control.audit.tail(1000);
    assert!(
        entries.iter().all(|e| e.outcome.starts_with("denied")),
        "{entries:?}"
    );
    let _ = std::fs::remove_file(audit_path);
}

#[tokio::test]
async fn without_credentials_the_panel_is_read_only() {
    let (control, audit_path) = control("read-only", None, None);
    let app = routes(control);
    for &(pattern, _) in MUTATIONS {
        let path = pattern.replace("{id}", "x");
        assert_eq!(
            call(&app, Method::POST, &path, None, None).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        call(&app, Method::POST, "/api/login", None, None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no token field"
    );
    let _ = std::fs::remove_file(audit_path);
}

#[tokio::test]
async fn an_authorized_request_with_bad_input_never_reaches_docker() {
    // The engine address is unreachable: had the request got that far it would be a 502.
    let (control, audit_path) = control("bad-input", Some(ADMIN), None);
    let app = routes(control.clone());
    let (admin, _) = control.auth.login(ADMIN).expect("admin session");
    let request = HttpRequest::builder()
        .method(Method::POST)
        .uri("/api/services")
        .header("host", "panel.test:8080")
        .header("cookie", format!("{}={admin}", auth::SESSION_COOKIE))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"bad name","image":"Nope:","replicas":"-1","env":"SECRET=hunter2\nNOEQUALS"}"#))
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "image", "replicas", "env"], "{body}");
    let log = std::fs::read_to_string(&audit_path).expect("audit");
    assert!(log.contains("invalid:"), "{log}");
    assert!(
        !log.contains("hunter2"),
        "a secret reached the audit log: {log}"
    );
    let _ = std::fs::remove_file(audit_path);
}

#[tokio::test]
async fn an_unreadable_body_is_refused_by_name_and_audited() {
    let (control, audit_path) = control("unreadable", Some(ADMIN), None);
    let app = routes(control.clone());
    let (admin, _) = control.auth.login(ADMIN).expect("admin session");
    // Rollback and remove take no body.
    let with_body = MUTATIONS
        .iter()
        .map(|&(pattern, _)| pattern)
        .filter(|p| !p.ends_with("/rollback") && !p.ends_with("/remove"));
    let mut attempts = 0;
    for pattern in with_body {
        let path = pattern.replace("{id}", "some-id");
        for body in ["not json", r#"{"replicas": 3, "name": ["x"]}"#, ""] {
            let request = HttpRequest::builder()
                .method(Method::POST)
                .uri(&path)
                .header("host", "panel.test:8080")
                .header("cookie", format!("{}={admin}", auth::SESSION_COOKIE))
                .header("content-type", "application/json")
                .body(Body::from(body))
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {body:?}"
            );
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            let refusal: flotilla_app::api::Refusal =
                serde_json::from_slice(&bytes).expect("a JSON refusal");
            assert_eq!(refusal.fields.len(), 1, "{path}: {refusal:?}");
            assert_eq!(refusal.fields[0].field, "body", "{path}");
            attempts += 1;
        }
    }
    let entries = control.audit.tail(1000);
    assert_eq!(entries.len(), attempts, "one audit line per attempt");
    assert!(
        entries
            .iter()
            .all(|e| e.outcome.starts_with("invalid: body")),
        "{entries:?}"
    );
    let _ = std::fs::remove_file(audit_path);
}
