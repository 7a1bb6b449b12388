//! The control API's wire types, shared by the server's routes and the browser's calls: what
//! each mutation takes, what it answers, and how a refusal reads. Every field arrives as text
//! and is validated on the server (and, for the create form, in the browser first).

use crate::forms::FieldError;
use crate::model;
use crate::policy::Policy;
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

/// Every change the control API offers: one table from which the server builds its routes,
/// its authorization guard and its audit names, the browser builds its URLs, and the tests
/// walk every route. A new action is a new variant; the compiler finds every place it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ServiceCreate,
    ServiceScale,
    ServiceImage,
    ServiceRollback,
    ServiceRemove,
    NodeAvailability,
    NodeLabels,
    NodeRole,
    NetworkCreate,
    NetworkRemove,
    KioskCreate,
    KioskRevoke,
    StackPreview,
    StackDeploy,
    StackRemove,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::ServiceCreate,
        Action::ServiceScale,
        Action::ServiceImage,
        Action::ServiceRollback,
        Action::ServiceRemove,
        Action::NodeAvailability,
        Action::NodeLabels,
        Action::NodeRole,
        Action::NetworkCreate,
        Action::NetworkRemove,
        Action::KioskCreate,
        Action::KioskRevoke,
        Action::StackPreview,
        Action::StackDeploy,
        Action::StackRemove,
    ];

    /// (route pattern with `{id}` for the object, least role, audit name).
    const fn entry(self) -> (&'static str, Role, &'static str) {
        match self {
            Action::ServiceCreate => ("/api/services", Role::Admin, "service.create"),
            Action::ServiceScale => ("/api/services/{id}/scale", Role::Operator, "service.scale"),
            Action::ServiceImage => ("/api/services/{id}/image", Role::Operator, "service.image"),
            Action::ServiceRollback => (
                "/api/services/{id}/rollback",
                Role::Operator,
                "service.rollback",
            ),
            Action::ServiceRemove => ("/api/services/{id}/remove", Role::Admin, "service.remove"),
            Action::NodeAvailability => (
                "/api/nodes/{id}/availability",
                Role::Operator,
                "node.availability",
            ),
            Action::NodeLabels => ("/api/nodes/{id}/labels", Role::Admin, "node.labels"),
            Action::NodeRole => ("/api/nodes/{id}/role", Role::Admin, "node.role"),
            Action::NetworkCreate => ("/api/networks", Role::Admin, "network.create"),
            Action::NetworkRemove => ("/api/networks/{id}/remove", Role::Admin, "network.remove"),
            Action::KioskCreate => ("/api/kiosks", Role::Admin, "kiosk.create"),
            Action::KioskRevoke => ("/api/kiosks/{id}/revoke", Role::Admin, "kiosk.revoke"),
            // A preview changes nothing, but reads every object of the stack: admins only, as
            // deploying is. Its audit name is used for refusals only.
            Action::StackPreview => ("/api/stacks/preview", Role::Admin, "stack.preview"),
            Action::StackDeploy => ("/api/stacks", Role::Admin, "stack.deploy"),
            Action::StackRemove => ("/api/stacks/{id}/remove", Role::Admin, "stack.remove"),
        }
    }

    /// The route, as the server's router takes it.
    pub const fn route(self) -> &'static str {
        self.entry().0
    }

    /// The least role that may do it.
    pub const fn role(self) -> Role {
        self.entry().1
    }

    /// Its name in the audit log.
    pub const fn audit_name(self) -> &'static str {
        self.entry().2
    }

    /// The URL for one object (`id` is a Docker ID or name, already validated as one).
    pub fn path(self, id: &str) -> String {
        self.route().replace("{id}", id)
    }
}

/// GET /api/me: who this browser is, whether control is configured at all, and (for those
/// who may change specs) the spec policy the server enforces, so forms can show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub role: Role,
    /// Whether this browser holds a session (a viewer's, or a kiosk screen's, included).
    #[serde(default)]
    pub signed_in: bool,
    /// Whether any token is set, so that logging in means anything.
    #[serde(default)]
    pub login: bool,
    pub control_enabled: bool,
    #[serde(default)]
    pub policy: Option<Policy>,
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

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub availability: model::Availability,
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

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: model::Role,
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

/// One line of the audit log. Fields added after the first release are `#[serde(default)]`
/// so that lines written before them still parse, and skipped when empty to keep lines short.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix milliseconds.
    pub time_ms: u64,
    pub who: String,
    pub action: String,
    pub target: String,
    /// What was asked, with env values and label values redacted.
    pub detail: String,
    /// "ok", "denied: ...", "invalid: ...", "failed: ...". Repeated denials are written once
    /// and then summarized: the summary's outcome ends in " (repeated N times)".
    pub outcome: String,
    /// The client's IP address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client: String,
    /// A short hash of the session token (never the token); empty without a session.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// Shared by an operation's "attempt" line and its completion line; empty for lone lines.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub op: String,
}

/// A kiosk link as admins see it: never its secret, which is shown once, when it is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskLink {
    pub id: String,
    pub name: String,
    pub created_ms: u64,
    /// When a screen last opened the link or was let in by its session.
    pub last_used_ms: Option<u64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskCreate {
    pub name: String,
}

/// A new kiosk link: the path to open on the wall screen, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskCreated {
    pub link: KioskLink,
    pub path: String,
}

/// The path a kiosk link opens, with its secret.
pub const KIOSK_PATH: &str = "/kiosk/{token}";

/// The websocket close code that tells a screen its access has ended (its kiosk link was
/// revoked, or its session lapsed): it stops reconnecting and says so.
pub const ACCESS_ENDED: u16 = 4001;

/// The websocket close code a panel that is stopping sends its viewers (the standard 1012,
/// "service restart"): the browser reconnects at once, to whatever serves next, instead of
/// waiting out a grown backoff.
pub const RESTARTING: u16 = 1012;
