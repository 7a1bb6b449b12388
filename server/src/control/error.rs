//! How control refuses: one error type for every mutation, with the HTTP status it maps to,
//! the outcome the audit log records, and the JSON body the browser reads (`api::Refusal`).

use crate::docker::{ChangeError, DockerError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flotilla_app::forms::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("log in first")]
    Unauthenticated,
    #[error("that token is not valid")]
    WrongToken,
    #[error(
        "the panel is read-only: start it with FLOTILLA_ADMIN_TOKEN (or FLOTILLA_ADMIN_TOKEN_FILE) to enable control"
    )]
    ReadOnly,
    #[error("your role may not do this")]
    Forbidden,
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    NotFound(String),
    #[error("Docker refused: {0}")]
    Docker(String),
}

impl ControlError {
    pub fn status(&self) -> StatusCode {
        match self {
            ControlError::Unauthenticated | ControlError::WrongToken => StatusCode::UNAUTHORIZED,
            ControlError::ReadOnly | ControlError::Forbidden | ControlError::CrossOrigin => {
                StatusCode::FORBIDDEN
            }
            ControlError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ControlError::Refused(_) => StatusCode::CONFLICT,
            ControlError::NotFound(_) => StatusCode::NOT_FOUND,
            ControlError::Docker(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// The outcome as the audit log words it.
    pub fn outcome(&self) -> String {
        let kind = match self.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "denied",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            _ => "failed",
        };
        match self {
            ControlError::Invalid(fields) => {
                format!(
                    "{kind}: {}",
                    fields
                        .iter()
                        .map(|f| format!("{} {}", f.field, f.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
            other => format!("{kind}: {other}"),
        }
    }
}

impl From<DockerError> for ControlError {
    fn from(e: DockerError) -> Self {
        if e.not_found() {
            ControlError::NotFound(e.plain())
        } else {
            ControlError::Docker(e.plain())
        }
    }
}

impl From<ChangeError> for ControlError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Refused(why) => ControlError::Refused(why),
            ChangeError::Docker(e) => e.into(),
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let fields = match &self {
            ControlError::Invalid(fields) => fields.clone(),
            _ => vec![],
        };
        let body = flotilla_app::api::Refusal {
            error: self.to_string(),
            fields,
            status: 0,
        };
        (self.status(), Json(body)).into_response()
    }
}
