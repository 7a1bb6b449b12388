//! Logging in and out, who the browser is, and the audit log for those allowed to read it.

use super::auth::{self, Role};
use super::{Control, ControlError};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use flotilla_app::api::{Login, Me};
use std::sync::Arc;

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(super) fn session_role(control: &Control, headers: &HeaderMap) -> Option<Role> {
    header(headers, header::COOKIE)
        .and_then(auth::session_from_cookies)
        .and_then(|s| control.auth.session_role(s))
}

pub async fn login(
    State(control): State<Arc<Control>>,
    headers: HeaderMap,
    Json(login): Json<Login>,
) -> Response {
    if !crate::web::origin_allowed(
        header(&headers, header::ORIGIN),
        header(&headers, header::HOST),
    ) {
        return ControlError::CrossOrigin.into_response();
    }
    if !control.auth.control_enabled() {
        return ControlError::ReadOnly.into_response();
    }
    match control
        .auth
        .login(login.token.get(..256).unwrap_or(&login.token))
    {
        Some((session, role)) => {
            control
                .audit
                .record(&format!("{role:?}").to_lowercase(), "login", "", "", "ok");
            (
                [(header::SET_COOKIE, auth::session_cookie(&session))],
                Json(Me {
                    role,
                    control_enabled: true,
                }),
            )
                .into_response()
        }
        None => {
            control
                .audit
                .record("anonymous", "login", "", "", "denied: wrong token");
            ControlError::WrongToken.into_response()
        }
    }
}

pub async fn logout(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    if let Some(session) = header(&headers, header::COOKIE).and_then(auth::session_from_cookies) {
        control.auth.logout(session);
    }
    [(header::SET_COOKIE, auth::expired_cookie())].into_response()
}

pub async fn me(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    let role = session_role(&control, &headers).unwrap_or(Role::Viewer);
    Json(Me {
        role,
        control_enabled: control.auth.control_enabled(),
    })
    .into_response()
}

pub async fn audit_tail(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    match session_role(&control, &headers) {
        Some(role) if role >= Role::Operator => Json(control.audit.tail(200)).into_response(),
        Some(_) => ControlError::Forbidden.into_response(),
        None => ControlError::Unauthenticated.into_response(),
    }
}
