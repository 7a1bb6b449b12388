//! Node operations: availability (active / pause / drain), labels, promote / demote.

use super::services::{Done, object_id};
use super::{Actor, Body, Control, ControlError};
use axum::Json;
use axum::extract::{Extension, Path, State};
use bollard::models::{NodeSpecAvailabilityEnum, NodeSpecRoleEnum};
use flotilla_app::api::{Availability, Labels, RoleChange};
use flotilla_app::forms::fields::{self, FieldError};
use std::sync::Arc;

fn invalid(field: &str, message: &str) -> ControlError {
    ControlError::Invalid(vec![FieldError::new(field, message)])
}

pub async fn availability(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<Availability>,
) -> Result<Json<Done>, ControlError> {
    let body = control.body(&actor, "node.availability", &id, body)?;
    let detail = format!(
        "availability={}",
        body.availability.get(..20).unwrap_or(&body.availability)
    );
    control
        .audited(&actor, "node.availability", &id, &detail, async {
            let id = object_id(&id)?;
            let wanted = match body.availability.as_str() {
                "active" => NodeSpecAvailabilityEnum::ACTIVE,
                "pause" => NodeSpecAvailabilityEnum::PAUSE,
                "drain" => NodeSpecAvailabilityEnum::DRAIN,
                _ => return Err(invalid("availability", "must be active, pause or drain")),
            };
            let attempts = control
                .engine()
                .await?
                .change_node(&id, |spec| {
                    spec.availability = Some(wanted);
                    Ok(())
                })
                .await?;
            Ok(Done { id, attempts })
        })
        .await
}

pub async fn labels(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<Labels>,
) -> Result<Json<Done>, ControlError> {
    let body = control.body(&actor, "node.labels", &id, body)?;
    let detail = format!("add={} remove={}", body.add.len(), body.remove.len());
    control
        .audited(&actor, "node.labels", &id, &detail, async {
            let id = object_id(&id)?;
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
            let attempts = control
                .engine()
                .await?
                .change_node(&id, |spec| {
                    let labels = spec.labels.get_or_insert_default();
                    for key in &body.remove {
                        labels.remove(key.trim());
                    }
                    labels.extend(add.iter().cloned());
                    Ok(())
                })
                .await?;
            Ok(Done { id, attempts })
        })
        .await
}

pub async fn role(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<RoleChange>,
) -> Result<Json<Done>, ControlError> {
    let body = control.body(&actor, "node.role", &id, body)?;
    let detail = format!("role={}", body.role.get(..20).unwrap_or(&body.role));
    control
        .audited(&actor, "node.role", &id, &detail, async {
            let id = object_id(&id)?;
            let wanted = match body.role.as_str() {
                "manager" => NodeSpecRoleEnum::MANAGER,
                "worker" => NodeSpecRoleEnum::WORKER,
                _ => return Err(invalid("role", "must be manager or worker")),
            };
            let attempts = control
                .engine()
                .await?
                .change_node(&id, |spec| {
                    spec.role = Some(wanted);
                    Ok(())
                })
                .await?;
            Ok(Done { id, attempts })
        })
        .await
}
