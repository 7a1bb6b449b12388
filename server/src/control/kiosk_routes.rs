//! Kiosk links over HTTP: admins list, make and revoke them; a wall screen opens one and
//! gets a viewer session for that link, and the wall-screen layout.

use super::audit::now_ms;
use super::kiosk::{KioskError, good_name, well_formed};
use super::{Action, Actor, Body, Control, ControlError, client_ip};
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{Extensions, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use flotilla_app::api::{Done, KioskCreate, KioskCreated, Role};
use flotilla_app::forms::fields::FieldError;
use std::sync::Arc;

/// Where a kiosk link lands: the cluster in the wall-screen layout.
const KIOSK_VIEW: &str = "/?kiosk=1";

impl From<KioskError> for ControlError {
    fn from(e: KioskError) -> Self {
        match e {
            KioskError::Full => ControlError::Refused(e.to_string()),
            KioskError::Docker(e) => e.into(),
            other => ControlError::Internal(other.to_string()),
        }
    }
}

/// A kiosk's name: what the admin will recognise the screen by.
fn kiosk_name(name: &str) -> Result<String, ControlError> {
    let name = name.trim();
    if good_name(name) {
        Ok(name.to_string())
    } else {
        Err(ControlError::Invalid(vec![FieldError::new(
            "name",
            "must be 1 to 64 characters, no control characters",
        )]))
    }
}

pub async fn list(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    match control.session(&headers).map(|s| s.role) {
        Some(Role::Admin) => Json(control.kiosks.list()).into_response(),
        Some(_) => ControlError::Forbidden.into_response(),
        None => ControlError::Unauthenticated.into_response(),
    }
}

pub async fn create(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    body: Body<KioskCreate>,
) -> Result<Json<KioskCreated>, ControlError> {
    let action = Action::KioskCreate;
    let body = control.body(&actor, action, "", body).await?;
    let target: String = body.name.chars().take(64).collect();
    control
        .audited(&actor, action, &target, String::new(), async {
            let name = kiosk_name(&body.name)?;
            let (link, secret) = control.kiosks.create(&name, now_ms()).await?;
            let path = flotilla_app::api::KIOSK_PATH.replace("{token}", &secret);
            Ok(KioskCreated { link, path })
        })
        .await
}

pub async fn revoke(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<Done>, ControlError> {
    control
        .audited(&actor, Action::KioskRevoke, &id, String::new(), async {
            if control.kiosks.revoke(&id).await? {
                Ok(Done {
                    id: id.clone(),
                    attempts: 1,
                })
            } else {
                Err(ControlError::NotFound(format!("no kiosk link {id:?}")))
            }
        })
        .await
}

/// GET /kiosk/{secret}: a valid link sets the screen's viewer session and shows the wall
/// layout. A wrong one is refused like a wrong token, and counts toward the same limit.
pub async fn open(
    State(control): State<Arc<Control>>,
    extensions: Extensions,
    Path(secret): Path<String>,
) -> Response {
    let client = client_ip(&extensions);
    if let Err(wait) = control
        .throttle()
        .check(&client, tokio::time::Instant::now())
    {
        return ControlError::Throttled(wait).into_response();
    }
    let link = well_formed(&secret)
        .then(|| control.kiosks.by_secret(&secret))
        .flatten();
    let actor = Actor {
        client,
        ..Actor::default()
    };
    let Some(link) = link else {
        control
            .throttle()
            .failed(&actor.client, tokio::time::Instant::now());
        let entry = actor.entry("kiosk.open", "", "", "denied: no such kiosk link");
        control.audit.denied(entry).await;
        return ControlError::NotFound("no such kiosk link (it may have been revoked)".into())
            .into_response();
    };
    control.kiosks.touch(&link.id, now_ms()).await;
    let (session, jar) = control.auth.issue_kiosk(&link.id);
    let actor = Actor {
        role: Some(Role::Viewer),
        session: super::audit::short_hash(&session.id),
        ..actor
    };
    if let Err(e) = control
        .audit
        .write(actor.entry("kiosk.open", &link.name, "", "ok"))
        .await
    {
        tracing::error!(error = %e, "audit log write failed for a kiosk link");
    }
    (jar, Redirect::to(KIOSK_VIEW)).into_response()
}
