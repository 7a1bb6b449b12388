//! The control API's wire types, shared by the server's routes and the browser's calls: what
//! each mutation takes, what it answers, and how a refusal reads. Every field arrives as text
//! and is validated on the server (and, for the create form, in the browser first).

use crate::forms::FieldError;
use serde::{Deserialize, Serialize};

/// What a session may do. Ordered: each role may do everything the one before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

/// GET /api/me: who this browser is, and whether control is configured at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub role: Role,
    pub control_enabled: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub token: String,
}

/// A mutation's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub id: String,
    /// Attempts an update needed (version conflicts retried).
    pub attempts: u32,
}

/// A refusal: the message in plain words, and the fields it is about (if any).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub error: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// The HTTP status it came with, set by the browser's client (0: no answer, or refused
    /// before sending). Not on the wire: the response carries it.
    #[serde(skip)]
    pub status: u16,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub replicas: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub image: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// active, pause or drain.
    pub availability: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// KEY=VALUE lines to set.
    #[serde(default)]
    pub add: String,
    /// Keys to remove.
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// manager or worker.
    pub role: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkCreate {
    pub name: String,
    #[serde(default)]
    pub attachable: bool,
}

/// GET /api/registry: images the configured registry holds, named as the nodes pull them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryImages {
    /// The registry as nodes name it (`registry:5000`); None when none is configured.
    pub registry: Option<String>,
    pub images: Vec<String>,
    /// Why the list is empty or short, when the registry did not answer well.
    pub problem: Option<String>,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix milliseconds.
    pub time_ms: u64,
    pub who: String,
    pub action: String,
    pub target: String,
    /// What was asked, with env values and label values redacted.
    pub detail: String,
    /// "ok", "denied: ...", "invalid: ...", "failed: ...".
    pub outcome: String,
}
