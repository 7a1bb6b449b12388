//! Service operations: create, scale, change image (a rolling update), roll back, remove.
//! Every spec written for a panel user passes the spec policy first, as it would be written.

use super::audit::redact_pairs;
use super::{Action, Actor, Body, Control, ControlError};
use crate::docker::spec::{image_of, policy_subject, service_spec, set_image};
use axum::Json;
use axum::extract::{Extension, Path, State};
use flotilla_app::api::{Image, Role, Scale};
use flotilla_app::forms::fields::{self, FieldError};
use flotilla_app::forms::service::{MAX_REPLICAS, ServiceForm, validate_service};
use flotilla_app::policy::{ImageName, Subject};
use std::sync::Arc;

pub use flotilla_app::api::Done;

/// Path IDs are Docker IDs or names: checked like names before they reach a URL.
pub fn object_id(value: &str) -> Result<String, ControlError> {
    fields::object_name("id", value).map_err(|e| ControlError::Invalid(vec![e]))
}

/// The policy's verdict on a spec as it would be written.
fn allowed(control: &Control, subject: &Subject) -> Result<(), ControlError> {
    let violations = control.policy.check(subject);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ControlError::Policy(violations))
    }
}

pub async fn create(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    form: Body<ServiceForm>,
) -> Result<Json<Done>, ControlError> {
    let form = control
        .body(&actor, Action::ServiceCreate, "", form)
        .await?;
    let detail = format!(
        "image={} replicas={} env={} labels={}",
        form.image.get(..200).unwrap_or(&form.image),
        form.replicas.get(..20).unwrap_or(&form.replicas),
        fields::key_values("env", &form.env, true)
            .map(|p| redact_pairs(&p))
            .unwrap_or_default(),
        fields::key_values("labels", &form.labels, false)
            .map(|p| redact_pairs(&p))
            .unwrap_or_default(),
    );
    let name = form.name.get(..64).unwrap_or(&form.name).to_string();
    control
        .audited(&actor, Action::ServiceCreate, &name, detail, async {
            let request = validate_service(&form).map_err(ControlError::Invalid)?;
            allowed(&control, &Subject::of_request(&request))?;
            // Networks must exist, with swarm scope, before Docker is asked.
            let snapshot = control.hub.snapshot();
            let unknown: Vec<FieldError> = request
                .networks
                .iter()
                .filter(|n| {
                    !snapshot
                        .state
                        .networks
                        .values()
                        .any(|net| (&net.name == *n || &net.id == *n) && net.scope == "swarm")
                })
                .map(|n| {
                    FieldError::new("networks", format!("no swarm-scoped network named {n:?}"))
                })
                .collect();
            if !unknown.is_empty() {
                return Err(ControlError::Invalid(unknown));
            }
            let id = control
                .engine()
                .await?
                .create_service(service_spec(&request)?)
                .await?;
            Ok(Done { id, attempts: 1 })
        })
        .await
}

pub async fn scale(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<Scale>,
) -> Result<Json<Done>, ControlError> {
    let body = control
        .body(&actor, Action::ServiceScale, &id, body)
        .await?;
    let detail = format!(
        "replicas={}",
        body.replicas.get(..20).unwrap_or(&body.replicas)
    );
    control
        .audited(&actor, Action::ServiceScale, &id, detail, async {
            let id = object_id(&id)?;
            let replicas = fields::number("replicas", &body.replicas, 0, MAX_REPLICAS, u64::MAX)
                .and_then(|n| {
                    if n == u64::MAX {
                        Err(FieldError::new("replicas", "is required"))
                    } else {
                        Ok(n)
                    }
                })
                .map_err(|e| ControlError::Invalid(vec![e]))?;
            let attempts = control
                .engine()
                .await?
                .change_service(&id, false, |spec| {
                    let mode = spec.mode.get_or_insert_default();
                    match mode.replicated.as_mut() {
                        Some(replicated) => {
                            replicated.replicas = Some(replicas as i64);
                            Ok(())
                        }
                        // As the CLI: "scale can only be used with replicated or replicated-job mode".
                        None => Err(ControlError::Refused(
                            "only replicated services can be scaled; this one is global".into(),
                        )),
                    }
                })
                .await?;
            Ok(Done { id, attempts })
        })
        .await
}

/// A new image for a running service: its mounts, secrets, networks and ports stay, so the
/// new image inherits whatever the service may reach. Operators may only move within the
/// repository the service runs (a new tag or digest); a new repository is an admin's act.
/// Either way the spec as it would be written passes the policy.
pub async fn image(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    body: Body<Image>,
) -> Result<Json<Done>, ControlError> {
    let body = control
        .body(&actor, Action::ServiceImage, &id, body)
        .await?;
    let detail = format!("image={}", body.image.get(..200).unwrap_or(&body.image));
    let admin = actor.role >= Some(Role::Admin);
    control
        .audited(&actor, Action::ServiceImage, &id, detail, async {
            let id = object_id(&id)?;
            let image = fields::image_ref("image", &body.image)
                .map_err(|e| ControlError::Invalid(vec![e]))?;
            let attempts = control
                .engine()
                .await?
                .change_service(&id, false, |spec| {
                    let current = image_of(spec).unwrap_or_default();
                    if !admin && !ImageName::same_repository(current, &image) {
                        return Err(ControlError::NotPermitted(format!(
                            "operators may change only the tag or digest of {}; another repository needs an admin",
                            ImageName::parse(current).repository()
                        )));
                    }
                    set_image(spec, &image);
                    allowed(&control, &policy_subject(spec))
                })
                .await?;
            Ok(Done { id, attempts })
        })
        .await
}

pub async fn rollback(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<Done>, ControlError> {
    control
        .audited(&actor, Action::ServiceRollback, &id, String::new(), async {
            let id = object_id(&id)?;
            let attempts = control
                .engine()
                .await?
                .change_service(&id, true, |_| Ok::<(), ControlError>(()))
                .await?;
            Ok(Done { id, attempts })
        })
        .await
}

pub async fn remove(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<Done>, ControlError> {
    control
        .audited(&actor, Action::ServiceRemove, &id, String::new(), async {
            let id = object_id(&id)?;
            control.engine().await?.remove_service(&id).await?;
            Ok(Done { id, attempts: 1 })
        })
        .await
}
