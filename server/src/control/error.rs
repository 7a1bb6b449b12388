//! How control refuses: one error type for every mutation, with the HTTP status it maps to,
//! the outcome the audit log records, and the JSON body the browser reads (`api::Refusal`).

use crate::docker::{ChangeError, DockerError, Refusal as DockerRefusal};
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use flotilla_app::forms::FieldError;
use flotilla_app::policy::Violation;
use std::time::Duration;

/// How a mutation ended, in a few fixed words: the `outcome` label of /metrics and the log
/// line's, where the audit log's outcome text may quote the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    Ok,
    Denied,
    Throttled,
    Invalid,
    Policy,
    Failed,
}

impl OutcomeKind {
    pub const fn label(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "ok",
            OutcomeKind::Denied => "denied",
            OutcomeKind::Throttled => "throttled",
            OutcomeKind::Invalid => "invalid",
            OutcomeKind::Policy => "policy",
            OutcomeKind::Failed => "failed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("log in first")]
    Unauthenticated,
    #[error("log in to see the cluster: this panel shows it only to sessions (--view token)")]
    LoginToView,
    #[error("that token is not valid")]
    WrongToken,
    #[error("too many failed logins: try again in {} s", .0.as_secs().max(1))]
    Throttled(Duration),
    #[error(
        "the panel is read-only: start it with FLOTILLA_ADMIN_TOKEN (or FLOTILLA_ADMIN_TOKEN_FILE) to enable control"
    )]
    ReadOnly,
    #[error("your role may not do this")]
    Forbidden,
    /// The role may do the action, but not this far (an operator's new repository).
    #[error("{0}")]
    NotPermitted(String),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("refused by the spec policy")]
    Policy(Vec<Violation>),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    NotFound(String),
    /// Docker refused the request itself; the status says why (conflict, bad request...).
    #[error("Docker refused: {message}")]
    Docker { status: StatusCode, message: String },
    /// The engine could not be reached, or answered with an error of its own.
    #[error("the Docker engine could not be reached: {0}")]
    Unreachable(String),
    #[error("the audit log cannot be written, so no change is made; see the panel's log")]
    AuditUnavailable,
    /// The panel got SIGTERM: it finishes what it started and takes nothing new.
    #[error("the panel is stopping (a new version is starting); try again in a moment")]
    Stopping,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ControlError {
    pub fn status(&self) -> StatusCode {
        match self {
            ControlError::Unauthenticated
            | ControlError::WrongToken
            | ControlError::LoginToView => StatusCode::UNAUTHORIZED,
            ControlError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ControlError::ReadOnly | ControlError::Forbidden | ControlError::NotPermitted(_) => {
                StatusCode::FORBIDDEN
            }
            ControlError::Invalid(_) | ControlError::Policy(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ControlError::Refused(_) => StatusCode::CONFLICT,
            ControlError::NotFound(_) => StatusCode::NOT_FOUND,
            ControlError::Docker { status, .. } => *status,
            ControlError::Unreachable(_) => StatusCode::BAD_GATEWAY,
            ControlError::AuditUnavailable | ControlError::Stopping => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ControlError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The fields a refusal is about, as the form shows them.
    fn fields(&self) -> Vec<FieldError> {
        match self {
            ControlError::Invalid(fields) => fields.clone(),
            ControlError::Policy(violations) => violations
                .iter()
                .map(|v| FieldError::new(v.field.clone(), v.explained()))
                .collect(),
            _ => vec![],
        }
    }

    /// The outcome's kind: what metrics count by and logs say, where the text may quote
    /// the input.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            ControlError::Policy(_) => OutcomeKind::Policy,
            _ => match self.status() {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => OutcomeKind::Denied,
                StatusCode::TOO_MANY_REQUESTS => OutcomeKind::Throttled,
                StatusCode::UNPROCESSABLE_ENTITY => OutcomeKind::Invalid,
                _ => OutcomeKind::Failed,
            },
        }
    }

    /// The outcome as the audit log words it.
    pub fn outcome(&self) -> String {
        let kind = match self.kind() {
            OutcomeKind::Policy => "refused by policy",
            kind => kind.label(),
        };
        match self {
            ControlError::Policy(violations) => format!(
                "{kind}: {}",
                violations
                    .iter()
                    .map(|v| format!("{} {}", v.field, v.rule.name()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            ControlError::Invalid(fields) => format!(
                "{kind}: {}",
                fields
                    .iter()
                    .map(|f| format!("{} {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => format!("{kind}: {other}"),
        }
    }
}

impl From<DockerError> for ControlError {
    fn from(e: DockerError) -> Self {
        match e.refusal() {
            Some(DockerRefusal::NotFound(message)) => ControlError::NotFound(message),
            Some(DockerRefusal::Conflict(message)) => ControlError::Docker {
                status: StatusCode::CONFLICT,
                message,
            },
            Some(DockerRefusal::BadRequest(message)) => ControlError::Docker {
                status: StatusCode::BAD_REQUEST,
                message,
            },
            Some(DockerRefusal::Other(message)) => ControlError::Docker {
                status: StatusCode::BAD_GATEWAY,
                message,
            },
            // Not Docker's answer: our own mapping disagreed with Docker's names.
            None if matches!(e, DockerError::Other(_)) => ControlError::Internal(e.to_string()),
            None => ControlError::Unreachable(e.to_string()),
        }
    }
}

impl From<ChangeError<ControlError>> for ControlError {
    fn from(e: ChangeError<ControlError>) -> Self {
        match e {
            ChangeError::Refused(refusal) => refusal,
            ChangeError::Docker(e) => e.into(),
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let body = flotilla_app::api::Refusal {
            error: self.to_string(),
            fields: self.fields(),
            status: 0,
        };
        let status = self.status();
        let mut response = (status, Json(body)).into_response();
        if let ControlError::Throttled(wait) = self {
            let secs = wait.as_secs().max(1).to_string();
            if let Ok(value) = secs.parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
