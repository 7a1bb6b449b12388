//! The policy as the create form meets it: what a form asks for, read as a subject, and the
//! form's own checks followed by the policy's.

use super::{MountKind, Policy, Subject};
use crate::forms::{FieldError, ServiceForm, ServiceRequest, validate_service};

impl Subject {
    /// What the create form asks for.
    pub fn of_request(request: &ServiceRequest) -> Subject {
        Subject {
            image: request.image.clone(),
            mounts: request
                .mounts
                .iter()
                .map(|m| {
                    let kind = match m.kind.as_str() {
                        "bind" => MountKind::Bind,
                        "volume" => MountKind::Volume,
                        "tmpfs" => MountKind::Tmpfs,
                        _ => MountKind::Other,
                    };
                    (kind, m.source.clone())
                })
                .collect(),
            ports: request
                .ports
                .iter()
                .map(|p| (p.published, p.host_mode))
                .collect(),
        }
    }
}

/// The form's own checks, then the policy's on what passed them: what the browser shows as
/// the user goes, and what the server answers (as 422) if the browser was bypassed.
pub fn check_form(
    form: &ServiceForm,
    policy: Option<&Policy>,
) -> Result<ServiceRequest, Vec<FieldError>> {
    let request = validate_service(form)?;
    let violations = policy
        .map(|p| p.check(&Subject::of_request(&request)))
        .unwrap_or_default();
    if violations.is_empty() {
        Ok(request)
    } else {
        Err(violations
            .iter()
            .map(|v| FieldError::new(v.field.clone(), v.explained()))
            .collect())
    }
}
