//! Control: every change to the swarm goes through here. One seam authorizes (same origin,
//! a session with the needed role), one audit log records every attempt, and each operation
//! validates its input before the Docker adapter is called. There is no route that passes
//! anything through to Docker.

pub mod audit;
pub mod auth;
mod networks;
mod nodes;
pub mod registry;
mod services;

use crate::cluster::Hub;
use crate::docker::Engine;
use audit::AuditLog;
use auth::{Auth, Role};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use flotilla_app::forms::FieldError;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Every mutation route, with the role it needs. The router is built from this list and a
/// test walks it, so a new mutation cannot be added without its guard.
pub const MUTATIONS: &[(&str, Role)] = &[
    ("/api/services", Role::Admin),
    ("/api/services/{id}/scale", Role::Operator),
    ("/api/services/{id}/image", Role::Operator),
    ("/api/services/{id}/rollback", Role::Operator),
    ("/api/services/{id}/remove", Role::Admin),
    ("/api/nodes/{id}/availability", Role::Operator),
    ("/api/nodes/{id}/labels", Role::Admin),
    ("/api/nodes/{id}/role", Role::Admin),
    ("/api/networks", Role::Admin),
    ("/api/networks/{id}/remove", Role::Admin),
];

pub struct Control {
    pub auth: Auth,
    pub audit: AuditLog,
    pub hub: Arc<Hub>,
    pub registry: Option<registry::Registry>,
    docker_host: String,
    engine: Mutex<Option<Engine>>,
}

/// A mutation's JSON body, or why it could not be read: handlers take it this way so that an
/// unreadable body is refused with a message naming it, and audited like any other attempt.
pub type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// Who is acting, as the audit log names them.
#[derive(Clone, Debug)]
pub struct Actor {
    pub role: Role,
}

impl Actor {
    pub fn name(&self) -> &'static str {
        match self.role {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }
}

impl Control {
    pub fn new(auth: Auth, audit: AuditLog, hub: Arc<Hub>, docker_host: String) -> Control {
        Control {
            auth,
            audit,
            hub,
            registry: None,
            docker_host,
            engine: Mutex::new(None),
        }
    }

    /// The engine, connected on first use and again after a failure.
    pub async fn engine(&self) -> Result<Engine, ControlError> {
        let mut slot = self.engine.lock().await;
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let engine = Engine::connect_with_timeout(&self.docker_host, 30)
            .await
            .map_err(|e| ControlError::Docker(e.to_string()))?;
        *slot = Some(engine.clone());
        Ok(engine)
    }

    /// The body's content, or the refusal (recorded) when it is not the JSON the route takes.
    pub fn body<T>(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        body: Body<T>,
    ) -> Result<T, ControlError> {
        body.map(|Json(content)| content).map_err(|rejection| {
            let refusal =
                ControlError::Invalid(vec![FieldError::new("body", rejection.body_text())]);
            self.audit
                .record(actor.name(), action, target, "", &refusal.outcome());
            refusal
        })
    }

    /// Runs one operation and records its outcome; the single place mutations are audited.
    pub async fn audited<T: serde::Serialize>(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &str,
        operation: impl Future<Output = Result<T, ControlError>>,
    ) -> Result<Json<T>, ControlError> {
        let result = operation.await;
        let outcome = match &result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.outcome(),
        };
        if matches!(&result, Err(ControlError::Docker(_))) {
            // The link may be what failed: reconnect next time.
            *self.engine.lock().await = None;
        }
        self.audit
            .record(actor.name(), action, target, detail, &outcome);
        result.map(Json)
    }
}

/// The authorization seam, in front of every mutation route: same origin, POST, a session
/// with at least `needed`. Refusals are audited too.
async fn guard(
    State((control, needed)): State<(Arc<Control>, Role)>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    let role = header(header::COOKIE)
        .and_then(auth::session_from_cookies)
        .and_then(|s| control.auth.session_role(s));
    let refusal = if !crate::web::origin_allowed(header(header::ORIGIN), header(header::HOST)) {
        Some(ControlError::CrossOrigin)
    } else {
        match role {
            None if !control.auth.control_enabled() => Some(ControlError::ReadOnly),
            None => Some(ControlError::Unauthenticated),
            Some(role) if role < needed => Some(ControlError::Forbidden),
            Some(_) => None,
        }
    };
    if let Some(refusal) = refusal {
        let who = role
            .map(|r| Actor { role: r }.name())
            .unwrap_or("anonymous");
        control
            .audit
            .record(who, request.uri().path(), "", "", &refusal.outcome());
        return refusal.into_response();
    }
    request.extensions_mut().insert(Actor {
        role: role.unwrap_or(Role::Viewer),
    });
    next.run(request).await
}

/// The /api routes: login, who am I, the audit log, and the guarded mutations.
pub fn routes(control: Arc<Control>) -> Router {
    let mut guarded = Router::new();
    for &(path, needed) in MUTATIONS {
        let handler = match path {
            "/api/services" => post(services::create),
            "/api/services/{id}/scale" => post(services::scale),
            "/api/services/{id}/image" => post(services::image),
            "/api/services/{id}/rollback" => post(services::rollback),
            "/api/services/{id}/remove" => post(services::remove),
            "/api/nodes/{id}/availability" => post(nodes::availability),
            "/api/nodes/{id}/labels" => post(nodes::labels),
            "/api/nodes/{id}/role" => post(nodes::role),
            "/api/networks" => post(networks::create),
            "/api/networks/{id}/remove" => post(networks::remove),
            other => unreachable!("MUTATIONS lists {other} without a handler"),
        };
        let layer = middleware::from_fn_with_state((control.clone(), needed), guard);
        guarded = guarded.route(path, handler.route_layer(layer));
    }
    Router::new()
        .route("/api/login", post(auth_routes::login))
        .route("/api/logout", post(auth_routes::logout))
        .route("/api/me", get(auth_routes::me))
        .route("/api/audit", get(auth_routes::audit_tail))
        .route("/api/registry", get(registry::images))
        .merge(guarded)
        .layer(DefaultBodyLimit::max(256 * 1024))
        .with_state(control)
}

mod auth_routes;
mod error;

pub use error::ControlError;

#[cfg(test)]
mod tests;
