//! Control: every change to the swarm goes through here. One seam authorizes (same origin,
//! a session with the needed role), one audit log records every attempt, and each operation
//! validates its input before the Docker adapter is called. There is no route that passes
//! anything through to Docker.

pub mod audit;
pub mod auth;
pub mod kiosk;
mod kiosk_routes;
mod networks;
mod nodes;
pub mod registry;
mod services;
pub mod stack_store;
mod stacks;
pub mod throttle;

use crate::cluster::Hub;
use crate::docker::Engine;
use crate::metrics::Metrics;
use audit::{AuditEntry, AuditLog, short_hash};
use auth::{Auth, Role};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
pub use flotilla_app::api::Action;
use flotilla_app::forms::FieldError;
use flotilla_app::policy::Policy;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError};
use tokio::sync::Mutex;

/// Who may see the cluster: everyone who can reach the panel, or only sessions (a viewer
/// token's, a kiosk link's, or any higher role's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewMode {
    #[default]
    Public,
    Token,
}

/// The longest path a refusal's audit line keeps: paths come from anyone who can connect.
const AUDITED_PATH_CHARS: usize = 200;

pub struct Control {
    pub auth: Auth,
    pub audit: AuditLog,
    pub hub: Arc<Hub>,
    pub registry: Option<registry::Registry>,
    /// What specs written for panel users may hold.
    pub policy: Policy,
    /// Who may see the cluster at all.
    pub view: ViewMode,
    pub kiosks: kiosk::Kiosks,
    pub logins: std::sync::Mutex<throttle::Throttle>,
    /// The last upload of each stack deployed from the panel.
    pub stacks: stack_store::StackStore,
    /// Where mutations and failed logins are counted (`serve` shares its registry's).
    pub metrics: Arc<Metrics>,
    /// Mutations in flight, each a task detached from its request: a stop waits for them
    /// (see `finish_mutations`).
    pub mutations: tokio_util::task::TaskTracker,
    docker_host: String,
    engine: Mutex<Option<Engine>>,
}

/// A mutation's JSON body, or why it could not be read: handlers take it this way so that an
/// unreadable body is refused with a message naming it, and audited like any other attempt.
pub type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// Who is acting, as the audit log names them: the session's role (None: no session), the
/// client's address, and a short hash of the session (never the session itself).
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub role: Option<Role>,
    pub client: String,
    pub session: String,
}

impl Actor {
    pub fn name(&self) -> &'static str {
        self.role.map(Role::label).unwrap_or("anonymous")
    }

    /// An audit line by this actor.
    pub fn entry(&self, action: &str, target: &str, detail: &str, outcome: &str) -> AuditEntry {
        AuditEntry {
            who: self.name().into(),
            action: action.into(),
            target: target.into(),
            detail: detail.into(),
            outcome: outcome.into(),
            client: self.client.clone(),
            session: self.session.clone(),
            ..AuditEntry::default()
        }
    }
}

/// The client's address as the listener saw it (empty when the request came from inside
/// the process, as in tests).
pub fn client_ip(request_extensions: &axum::http::Extensions) -> String {
    request_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_default()
}

impl Control {
    pub fn new(
        auth: Auth,
        audit: AuditLog,
        hub: Arc<Hub>,
        docker_host: String,
        policy: Policy,
        kiosks: kiosk::Kiosks,
    ) -> Control {
        Control {
            auth,
            audit,
            hub,
            registry: None,
            policy,
            view: ViewMode::Public,
            kiosks,
            logins: std::sync::Mutex::new(throttle::Throttle::new(Default::default())),
            stacks: stack_store::StackStore::new("flotilla-stacks".into()),
            metrics: Arc::default(),
            mutations: tokio_util::task::TaskTracker::new(),
            docker_host,
            engine: Mutex::new(None),
        }
    }

    /// Takes no new mutation and waits up to `grace` for those in flight, whose outcome lines
    /// are written before their tasks end; false if some were still running at the end.
    pub async fn finish_mutations(&self, grace: std::time::Duration) -> bool {
        self.mutations.close();
        tokio::time::timeout(grace, self.mutations.wait())
            .await
            .is_ok()
    }

    /// The live session a request carries: signed, not expired or logged out, and for a
    /// wall screen, from a kiosk link that still exists.
    pub fn session(&self, headers: &HeaderMap) -> Option<auth::Session> {
        self.auth
            .session(headers)
            .filter(|s| s.kiosk.as_ref().is_none_or(|k| self.kiosks.exists(k)))
    }

    /// Whether a session read earlier still holds (checked by a viewer's feed every beat).
    pub fn still_valid(&self, session: &auth::Session) -> bool {
        self.auth.is_live(session) && session.kiosk.as_ref().is_none_or(|k| self.kiosks.exists(k))
    }

    /// Whether a request may see the cluster: anyone with `--view public`, a session with
    /// `--view token`.
    pub fn may_view(&self, headers: &HeaderMap) -> Result<Option<auth::Session>, ControlError> {
        let session = self.session(headers);
        match (self.view, &session) {
            (ViewMode::Token, None) => Err(ControlError::LoginToView),
            _ => Ok(session),
        }
    }

    /// Who sent a request: its session (if any valid one) and address.
    pub fn actor(&self, headers: &HeaderMap, client: String) -> Actor {
        let session = self.session(headers);
        Actor {
            role: session.as_ref().map(|s| s.role),
            client,
            session: session.map(|s| short_hash(&s.id)).unwrap_or_default(),
        }
    }

    pub fn throttle(&self) -> std::sync::MutexGuard<'_, throttle::Throttle> {
        self.logins.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The engine, connected on first use and again after a failure.
    pub async fn engine(&self) -> Result<Engine, ControlError> {
        let mut slot = self.engine.lock().await;
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let engine = Engine::connect_with_timeout(&self.docker_host, 30)
            .await
            .map_err(|e| ControlError::Unreachable(e.to_string()))?
            .with_metrics(self.hub.docker_metrics());
        *slot = Some(engine.clone());
        Ok(engine)
    }

    /// The body's content, or the refusal (recorded) when it is not the JSON the route takes.
    pub async fn body<T>(
        &self,
        actor: &Actor,
        action: Action,
        target: &str,
        body: Body<T>,
    ) -> Result<T, ControlError> {
        match body {
            Ok(Json(content)) => Ok(content),
            Err(rejection) => {
                let refusal =
                    ControlError::Invalid(vec![FieldError::new("body", rejection.body_text())]);
                let entry = actor.entry(action.audit_name(), target, "", &refusal.outcome());
                if let Err(e) = self.audit.write(entry).await {
                    tracing::error!(error = %e, "audit log write failed");
                }
                self.completed(actor, action, target, refusal.kind());
                Err(refusal)
            }
        }
    }

    /// Runs one operation, recorded before and after: the "attempt" line is written before
    /// anything else happens (if it cannot be, the operation is refused and Docker never
    /// called), and the outcome line after. (`guard` runs the whole handler detached from the
    /// connection, so a client that disconnects midway cancels neither.)
    pub async fn audited<T>(
        &self,
        actor: &Actor,
        action: Action,
        target: &str,
        detail: String,
        operation: impl Future<Output = Result<T, ControlError>>,
    ) -> Result<Json<T>, ControlError>
    where
        T: serde::Serialize,
    {
        self.audited_as(actor, action, target, detail, |_| None, operation)
            .await
    }

    /// [`Control::audited`] for operations whose answer can itself report a failure (a stack
    /// deploy refused midway answers with its report): `judge` gives the outcome to record
    /// then, None for "ok".
    pub async fn audited_as<T>(
        &self,
        actor: &Actor,
        action: Action,
        target: &str,
        detail: String,
        judge: impl FnOnce(&T) -> Option<String>,
        operation: impl Future<Output = Result<T, ControlError>>,
    ) -> Result<Json<T>, ControlError>
    where
        T: serde::Serialize,
    {
        let op = auth::random_hex(6);
        let mut attempt = actor.entry(action.audit_name(), target, &detail, "attempt");
        attempt.op = op.clone();
        if let Err(e) = self.audit.write(attempt.clone()).await {
            tracing::error!(error = %e, "audit log write failed: refusing the change");
            return Err(ControlError::AuditUnavailable);
        }
        let result = operation.await;
        if matches!(&result, Err(ControlError::Unreachable(_))) {
            // The link is what failed: reconnect next time.
            *self.engine.lock().await = None;
        }
        let (outcome, kind) = match &result {
            Ok(answer) => match judge(answer) {
                Some(failure) => (failure, OutcomeKind::Failed),
                None => ("ok".to_string(), OutcomeKind::Ok),
            },
            Err(e) => (e.outcome(), e.kind()),
        };
        attempt.outcome = outcome;
        attempt.time_ms = 0;
        if let Err(e) = self.audit.write(attempt).await {
            tracing::error!(error = %e, "audit log write failed for an outcome");
        }
        self.completed(actor, action, target, kind);
        result.map(Json)
    }

    /// A mutation that ended (its outcome line written or attempted): counted for /metrics
    /// and said in one log line. The line names the action, its target and the outcome's
    /// kind, never the detail or the outcome's text, which may quote what was sent.
    fn completed(&self, actor: &Actor, action: Action, target: &str, kind: OutcomeKind) {
        self.metrics.mutation(action.audit_name(), kind.label());
        let target: String = target.chars().take(AUDITED_PATH_CHARS).collect();
        tracing::info!(
            action = action.audit_name(),
            %target,
            outcome = kind.label(),
            role = actor.name(),
            client = %actor.client,
            "mutation"
        );
    }
}

/// The authorization seam, in front of every mutation route: a session with at least the
/// action's role (same-origin POST is checked for every route by `web::security`).
/// Refusals are audited, counted rather than each written.
async fn guard(
    State((control, action)): State<(Arc<Control>, Action)>,
    mut request: Request,
    next: Next,
) -> Response {
    let actor = control.actor(request.headers(), client_ip(request.extensions()));
    let refusal = match actor.role {
        None if !control.auth.control_enabled() => Some(ControlError::ReadOnly),
        None => Some(ControlError::Unauthenticated),
        Some(role) if role < action.role() => Some(ControlError::Forbidden),
        Some(_) => None,
    };
    if let Some(refusal) = refusal {
        let path: String = request
            .uri()
            .path()
            .chars()
            .take(AUDITED_PATH_CHARS)
            .collect();
        let entry = actor.entry(action.audit_name(), &path, "", &refusal.outcome());
        control.audit.denied(entry).await;
        // Counted, not logged one by one: anyone who can reach the port can cause these
        // (the audit log counts repeats for the same reason).
        control
            .metrics
            .mutation(action.audit_name(), refusal.kind().label());
        return refusal.into_response();
    }
    request.extensions_mut().insert(actor);
    // Detached from the connection: a client that hangs up mid-request drops this future,
    // not the change it asked for, nor the change's audit line.
    if control.mutations.is_closed() {
        return ControlError::Stopping.into_response();
    }
    match control.mutations.spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => ControlError::Internal(e.to_string()).into_response(),
    }
}

/// The handler of each action: a match, so a new action without one does not compile.
fn handler(action: Action) -> MethodRouter<Arc<Control>> {
    match action {
        Action::ServiceCreate => post(services::create),
        Action::ServiceScale => post(services::scale),
        Action::ServiceImage => post(services::image),
        Action::ServiceRollback => post(services::rollback),
        Action::ServiceRemove => post(services::remove),
        Action::NodeAvailability => post(nodes::availability),
        Action::NodeLabels => post(nodes::labels),
        Action::NodeRole => post(nodes::role),
        Action::NetworkCreate => post(networks::create),
        Action::NetworkRemove => post(networks::remove),
        Action::KioskCreate => post(kiosk_routes::create),
        Action::KioskRevoke => post(kiosk_routes::revoke),
        // Uploads carry compose files and the files they name: a larger body than others.
        Action::StackPreview => {
            post(stacks::preview).layer(DefaultBodyLimit::max(stacks::BODY_LIMIT))
        }
        Action::StackDeploy => {
            post(stacks::deploy).layer(DefaultBodyLimit::max(stacks::BODY_LIMIT))
        }
        Action::StackRemove => post(stacks::remove),
    }
}

/// The /api routes: login, who am I, the audit log, and the guarded mutations.
pub fn routes(control: Arc<Control>) -> Router {
    let mut guarded = Router::new();
    for action in Action::ALL {
        let layer = middleware::from_fn_with_state((control.clone(), action), guard);
        guarded = guarded.route(action.route(), handler(action).route_layer(layer));
    }
    Router::new()
        .route("/api/login", post(auth_routes::login))
        .route("/api/logout", post(auth_routes::logout))
        .route("/api/me", get(auth_routes::who_am_i))
        .route("/api/audit", get(auth_routes::audit_tail))
        .route("/api/registry", get(registry::images))
        .route("/api/kiosks", get(kiosk_routes::list))
        .route("/api/stacks/{id}/file", get(stacks::stored_file))
        .route(flotilla_app::api::KIOSK_PATH, get(kiosk_routes::open))
        .merge(guarded)
        .layer(DefaultBodyLimit::max(256 * 1024))
        .with_state(control)
}

mod auth_routes;
mod error;

pub use error::{ControlError, OutcomeKind};

#[cfg(test)]
mod tests;
