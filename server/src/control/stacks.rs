//! Stack operations for panel users: preview a deploy, deploy, remove, and the last deployed
//! upload of a stack. The browser's upload is read by the same pure pipeline as the CLI's
//! files (no file of the panel's disk is ever read for it), every service passes the spec
//! policy, and all of that finishes before the first Docker call.

use super::stack_store::{with_stored_files, without_file_contents};
use super::{Action, Actor, Body, Control, ControlError};
use crate::docker::{Engine, PrepareError, Prepared};
use crate::stack::{bundle, convert::convert, plan};
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use flotilla_app::api::{Done, Role};
use flotilla_app::forms::FieldError;
use flotilla_app::stacks::{ApplyReport, DeployRequest, Plan};
use std::sync::Arc;

/// The largest upload a stack route takes: compose files and the files they name.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

fn invalid(field: &str, message: impl std::fmt::Display) -> ControlError {
    ControlError::Invalid(vec![FieldError::new(field, message.to_string())])
}

fn stack_name(name: &str) -> Result<String, ControlError> {
    plan::valid_stack_name(name).map_err(|e| invalid("stack", e))?;
    Ok(name.to_string())
}

/// Upload -> the stack's wanted objects, checked against the policy. Pure: no Docker yet.
fn desired(
    control: &Control,
    request: &DeployRequest,
) -> Result<crate::stack::Desired, ControlError> {
    let stack = stack_name(&request.stack)?;
    let sources = bundle::sources(request).map_err(|e| ControlError::Invalid(vec![e]))?;
    let vars = bundle::variables(&request.variables).map_err(|e| ControlError::Invalid(vec![e]))?;
    let loaded = compose::load(&sources, &vars).map_err(|e| invalid("compose", e))?;
    let files = bundle::files(&loaded.config.files_named(), &request.files)
        .map_err(|e| ControlError::Invalid(vec![e]))?;
    let mut desired = convert(&stack, &loaded.config, &files).map_err(|e| invalid("compose", e))?;
    bundle::data_sizes(&desired).map_err(|e| ControlError::Invalid(vec![e]))?;
    desired
        .warnings
        .extend(loaded.warnings.into_iter().map(|w| w.0));
    plan::check_policy(&desired, &control.policy).map_err(|refusals| {
        ControlError::Invalid(
            refusals
                .into_iter()
                .map(|r| FieldError::new("compose", format!("refused by the spec policy: {r}")))
                .collect(),
        )
    })?;
    Ok(desired)
}

/// The live side: what the swarm holds, the digests, the plan. Reads only.
async fn prepared(
    engine: &Engine,
    desired: crate::stack::Desired,
    request: &DeployRequest,
) -> Result<Prepared, ControlError> {
    let warnings = desired.warnings.clone();
    let mut ready = engine
        .prepare_deploy(desired, request.resolve_image, request.prune)
        .await
        .map_err(|e| match e {
            PrepareError::Docker(e) => ControlError::from(e),
            PrepareError::Plan(e) => invalid("compose", e),
        })?;
    ready.plan.warnings.splice(0..0, warnings);
    Ok(ready)
}

/// The upload with the files a redeploy left empty taken from the stored one.
async fn completed(control: &Control, request: DeployRequest) -> DeployRequest {
    let stored = match plan::valid_stack_name(&request.stack) {
        Ok(()) => control.stacks.load(&request.stack).await,
        Err(_) => None,
    };
    with_stored_files(request, stored.as_ref())
}

pub async fn preview(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    body: Body<DeployRequest>,
) -> Result<Json<Plan>, ControlError> {
    let request = control.body(&actor, Action::StackPreview, "", body).await?;
    let request = completed(&control, request).await;
    let desired = desired(&control, &request)?;
    let engine = control.engine().await?;
    Ok(Json(prepared(&engine, desired, &request).await?.plan))
}

/// What the audit keeps of an upload: names and switches, never contents or variables.
fn detail(request: &DeployRequest) -> String {
    let names = |files: &[flotilla_app::stacks::UploadedFile]| {
        files
            .iter()
            .map(|f| f.name.chars().take(100).collect::<String>())
            .collect::<Vec<_>>()
            .join(",")
    };
    let detail = format!(
        "compose={} files={} variables={} prune={} resolve_image={:?}",
        names(&request.compose),
        names(&request.files),
        request
            .variables
            .lines()
            .filter(|l| l.contains('='))
            .count(),
        request.prune,
        request.resolve_image,
    );
    detail.chars().take(1000).collect()
}

pub async fn deploy(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    body: Body<DeployRequest>,
) -> Result<Json<ApplyReport>, ControlError> {
    let request = control.body(&actor, Action::StackDeploy, "", body).await?;
    let target: String = request.stack.chars().take(64).collect();
    let detail = detail(&request);
    let judge = |report: &ApplyReport| {
        report
            .failed
            .as_ref()
            .map(|(item, why)| format!("failed: at {}: {why}", item.name))
    };
    // The refusal as the client gets it; the audit gets it with the upload's words hidden.
    let mut refusal = None;
    let result = control
        .audited_as(&actor, Action::StackDeploy, &target, detail, judge, async {
            let request = completed(&control, request).await;
            let desired = desired(&control, &request).map_err(|e| match e {
                ControlError::Invalid(fields) => {
                    let hidden = ControlError::Invalid(without_contents(&fields, &request));
                    refusal = Some(ControlError::Invalid(fields));
                    hidden
                }
                other => other,
            })?;
            let engine = control.engine().await?;
            // Read again now: the swarm may have changed since the preview.
            let ready = prepared(&engine, desired, &request).await?;
            let report = engine
                .apply_stack(&ready.desired, &ready.live, &ready.plan, &mut |_| {})
                .await;
            if report.failed.is_none()
                && let Err(e) = control.stacks.save(&request).await
            {
                tracing::warn!(error = %e, "the deployed stack file could not be kept");
            }
            Ok(report)
        })
        .await;
    match (result, refusal) {
        (Err(_), Some(refusal)) => Err(refusal),
        (result, _) => result,
    }
}

/// Refusal messages quote what they are about: an env file's line, or a value that a
/// variable put into the compose file. For the audit log, which holds no upload's contents
/// or variables, every such text is hidden (values shorter than 4 characters are left: they
/// would hide the message's own words, and hide no secret).
fn without_contents(fields: &[FieldError], request: &DeployRequest) -> Vec<FieldError> {
    let mut words: Vec<&str> = Vec::new();
    let texts = std::iter::once(request.variables.as_str())
        .chain(request.files.iter().map(|f| f.text.as_str()));
    for line in texts.flat_map(str::lines) {
        let line = line.trim();
        words.push(line);
        if let Some((_, value)) = line.split_once('=') {
            let value = value.trim();
            words.push(value);
            words.push(value.trim_matches(|c| c == '"' || c == '\''));
        }
    }
    words.retain(|w| w.chars().count() >= 4);
    // Longest first, so that a line is hidden whole rather than around its value.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    fields
        .iter()
        .map(|f| {
            let message = words
                .iter()
                .fold(f.message.clone(), |m, w| m.replace(w, "(hidden)"));
            FieldError::new(f.field.clone(), message)
        })
        .collect()
}

pub async fn remove(
    State(control): State<Arc<Control>>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<Done>, ControlError> {
    let target: String = id.chars().take(64).collect();
    control
        .audited(&actor, Action::StackRemove, &target, String::new(), async {
            let name = stack_name(&id)?;
            let mut warnings = Vec::new();
            let removed = control
                .engine()
                .await?
                .remove_stack(&name, &mut |note| {
                    if let crate::docker::Note::Warning(line) = note {
                        warnings.push(line);
                    }
                })
                .await?;
            // Whatever is found, the stored upload goes: a stack removed elsewhere (by the
            // CLI) must not lend its files to a later stack of the same name.
            control.stacks.forget(&name).await;
            if removed.nothing_found {
                return Err(ControlError::NotFound(format!(
                    "nothing found in stack: {name}"
                )));
            }
            if removed.failed {
                return Err(ControlError::Refused(format!(
                    "some objects of {name} could not be removed: {}",
                    warnings.join("; ")
                )));
            }
            Ok(Done {
                id: name,
                attempts: 1,
            })
        })
        .await
}

/// GET /api/stacks/{id}/file: the last upload deployed from the panel, for admins, without
/// the other files' contents.
pub async fn stored_file(
    State(control): State<Arc<Control>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match control.session(&headers).map(|s| s.role) {
        Some(Role::Admin) => {}
        Some(_) => return ControlError::Forbidden.into_response(),
        None => return ControlError::Unauthenticated.into_response(),
    }
    let name = match stack_name(&id) {
        Ok(name) => name,
        Err(e) => return e.into_response(),
    };
    match control.stacks.load(&name).await {
        Some(request) => Json(without_file_contents(request)).into_response(),
        None => ControlError::NotFound(format!(
            "no file of stack {name} is kept: it was not deployed from this panel"
        ))
        .into_response(),
    }
}
