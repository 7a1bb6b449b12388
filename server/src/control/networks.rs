//! Network operations: create an overlay network (`docker network create --driver=overlay
//! --attachable ch03`), remove one that no service uses.

use super::services::{Done, object_id};
use super::{Action, Actor, Body, Control, ControlError};
use axum::Json;
use axum::extract::{Extension, Path, State};
use flotilla_app::api::NetworkCreate as Create;
use flotilla_app::forms::fields;
use std::sync::Arc;

pub async fn create(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    body: Body<Create>,
) -> Result<Json<Done>, ControlError> {
    let body = control
        .body(&actor, Action::NetworkCreate, "", body)
        .await?;
    let name = body.name.get(..64).unwrap_or(&body.name).to_string();
    let detail = format!("driver=overlay attachable={}", body.attachable);
    control
        .audited(&actor, Action::NetworkCreate, &name, detail, async {
            let name = fields::object_name("name", &body.name)
                .map_err(|e| ControlError::Invalid(vec![e]))?;
            if control
                .hub
                .snapshot()
                .state
                .networks
                .values()
                .any(|n| n.name == name)
            {
                return Err(ControlError::Refused(format!(
                    "a network named {name:?} already exists"
                )));
            }
            let id = control
                .engine()
                .await?
                .create_overlay_network(&name, body.attachable)
                .await?;
            Ok(Done { id, attempts: 1 })
        })
        .await
}

pub async fn remove(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<Done>, ControlError> {
    control
        .audited(&actor, Action::NetworkRemove, &id, String::new(), async {
            let id = object_id(&id)?;
            // Docker refuses to remove a network in use, with its own message; that is shown.
            control.engine().await?.remove_network(&id).await?;
            Ok(Done { id, attempts: 1 })
        })
        .await
}
