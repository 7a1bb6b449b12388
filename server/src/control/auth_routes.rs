//! Logging in and out, who the browser is, and the audit log for those allowed to read it.
//! Failed logins are limited per client and over all clients (see `throttle`): past the
//! limit a client waits, even with the right token, and the tries are audited once per
//! window rather than each.

use super::auth::Role;
use super::throttle::Failure;
use super::{Actor, Body, Control, ControlError, client_ip};
use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap};
use axum::response::{IntoResponse, Response};
use flotilla_app::api::{AuditEntry, Login, Me};
use std::sync::Arc;
use tokio::time::Instant;

/// The entries `GET /api/audit` answers with.
const AUDIT_TAIL: usize = 200;
/// Tokens are compared up to this length: anything longer is wrong anyway.
const MAX_TOKEN: usize = 256;

pub async fn login(
    State(control): State<Arc<Control>>,
    extensions: Extensions,
    body: Body<Login>,
) -> Response {
    let actor = Actor {
        client: client_ip(&extensions),
        ..Actor::default()
    };
    if !control.auth.any_token() {
        return ControlError::ReadOnly.into_response();
    }
    let login = match body {
        Ok(Json(login)) => login,
        Err(rejection) => {
            let error = flotilla_app::forms::FieldError::new("token", rejection.body_text());
            return ControlError::Invalid(vec![error]).into_response();
        }
    };
    if let Err(wait) = control.throttle().check(&actor.client, Instant::now()) {
        control.metrics.login_failed("throttled");
        return ControlError::Throttled(wait).into_response();
    }
    let token: String = login.token.chars().take(MAX_TOKEN).collect();
    let Some(role) = control.auth.role_of(&token) else {
        control.metrics.login_failed("wrong_token");
        let failure = control.throttle().failed(&actor.client, Instant::now());
        let outcome = match failure {
            Failure::Counted { audit: false } => None,
            Failure::Counted { audit: true } => Some("denied: wrong token".to_string()),
            Failure::LockedOut(d) => Some(format!(
                "denied: wrong token; client locked out for {} s",
                d.as_secs()
            )),
        };
        if let Some(outcome) = outcome {
            control
                .audit
                .denied(actor.entry("login", "", "", &outcome))
                .await;
        }
        return ControlError::WrongToken.into_response();
    };
    control.throttle().succeeded(&actor.client);
    let (session, jar) = control.auth.issue(role);
    let actor = Actor {
        role: Some(role),
        session: super::audit::short_hash(&session.id),
        ..actor
    };
    if let Err(e) = control
        .audit
        .write(actor.entry("login", "", "", "ok"))
        .await
    {
        tracing::error!(error = %e, "audit log write failed for a login");
    }
    (jar, Json(me(&control, Some(role)))).into_response()
}

pub async fn logout(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    if let Some(session) = control.session(&headers) {
        control.auth.logout(&session).await;
    }
    control.auth.removal().into_response()
}

fn me(control: &Control, role: Option<Role>) -> Me {
    let signed_in = role.is_some();
    let role = role.unwrap_or(Role::Viewer);
    Me {
        role,
        signed_in,
        login: control.auth.any_token(),
        control_enabled: control.auth.control_enabled(),
        policy: (role >= Role::Operator).then(|| control.policy.clone()),
    }
}

pub async fn who_am_i(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    let role = control.session(&headers).map(|s| s.role);
    Json(me(&control, role)).into_response()
}

pub async fn audit_tail(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    match control.session(&headers).map(|s| s.role) {
        Some(role) if role >= Role::Operator => match control.audit.read_tail(AUDIT_TAIL).await {
            Ok(entries) => Json::<Vec<AuditEntry>>(entries).into_response(),
            Err(e) => ControlError::Internal(format!("reading the audit log: {e}")).into_response(),
        },
        Some(_) => ControlError::Forbidden.into_response(),
        None => ControlError::Unauthenticated.into_response(),
    }
}
