//! Node operations: availability (active / pause / drain), labels, promote / demote.

use super::services::{Done, object_id};
use super::{Action, Actor, Body, Control, ControlError};
use crate::docker::NodeChange;
use axum::Json;
use axum::extract::{Extension, Path, State};
use flotilla_app::api::{Availability, Labels, RoleChange};
use flotilla_app::forms::fields::{self, FieldError};
use flotilla_app::model;
use std::sync::Arc;

fn invalid(field: &str, message: &str) -> ControlError {
    ControlError::Invalid(vec![FieldError::new(field, message)])
}

/// One node change, audited; `check` turns the validated body into the change.
async fn change(
    control: Arc<Control>,
    actor: Actor,
    action: Action,
    id: String,
    detail: String,
    change: Result<NodeChange, ControlError>,
) -> Result<Json<Done>, ControlError> {
    control
        .audited(&actor, action, &id, detail, async {
            let id = object_id(&id)?;
            let change = change?;
            let attempts = control.engine().await?.change_node(&id, &change).await?;
            Ok(Done { id, attempts })
        })
        .await
}

pub async fn availability(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<Availability>,
) -> Result<Json<Done>, ControlError> {
    let action = Action::NodeAvailability;
    let body = control.body(&actor, action, &id, body).await?;
    let wanted = body.availability;
    let detail = format!("availability={}", wanted.label().to_lowercase());
    let node_change = match wanted {
        model::Availability::Unknown => {
            Err(invalid("availability", "must be active, pause or drain"))
        }
        known => Ok(NodeChange::Availability(known)),
    };
    change(control, actor, action, id, detail, node_change).await
}

pub async fn labels(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<Labels>,
) -> Result<Json<Done>, ControlError> {
    let action = Action::NodeLabels;
    let body = control.body(&actor, action, &id, body).await?;
    let detail = format!("add={} remove={}", body.add.len(), body.remove.len());
    let node_change = (|| {
        let add = fields::key_values("add", &body.add, false)
            .map_err(|e| ControlError::Invalid(vec![e]))?;
        if body.remove.len() > 100
            || body
                .remove
                .iter()
                .any(|k| k.trim().is_empty() || k.len() > 256)
        {
            return Err(invalid("remove", "must be up to 100 label keys"));
        }
        if add.is_empty() && body.remove.is_empty() {
            return Err(invalid("add", "nothing to add or remove"));
        }
        let remove = body.remove.iter().map(|k| k.trim().to_string()).collect();
        Ok(NodeChange::Labels { add, remove })
    })();
    change(control, actor, action, id, detail, node_change).await
}

pub async fn role(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<RoleChange>,
) -> Result<Json<Done>, ControlError> {
    let action = Action::NodeRole;
    let body = control.body(&actor, action, &id, body).await?;
    let detail = format!("role={}", body.role.label());
    change(
        control,
        actor,
        action,
        id,
        detail,
        Ok(NodeChange::Role(body.role)),
    )
    .await
}
