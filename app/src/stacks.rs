//! What the browser and the server say to each other about stack deploys: the upload, the
//! preview (a plan), and the report of an apply. Plain serde types; the server builds them
//! from its own conversion and Docker reads, the browser only shows them.

use serde::{Deserialize, Serialize};

/// A compose file and everything it names, as uploaded from the browser. Nothing here is read
/// from the panel's disk: `file:` secrets/configs and `env_file:` resolve inside `files` only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployRequest {
    /// The stack's name (`docker stack deploy ... NAME`).
    pub stack: String,
    /// The compose files, merged in order as `-c a.yml -c b.yml` would be.
    pub compose: Vec<UploadedFile>,
    /// The other files the compose files name, by the relative path written there.
    #[serde(default)]
    pub files: Vec<UploadedFile>,
    /// `KEY=value` lines for interpolation (a `.env` upload goes here too).
    #[serde(default)]
    pub variables: String,
    /// Remove services of the stack that the file no longer has.
    #[serde(default)]
    pub prune: bool,
    #[serde(default)]
    pub resolve_image: ResolveImage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadedFile {
    pub name: String,
    pub text: String,
}

/// `--resolve-image`: whether the engine is asked for the image's digest to pin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResolveImage {
    /// Always ask, pin the digest (the CLI's default).
    #[default]
    Always,
    /// Ask only when the image differs from the one deployed.
    Changed,
    /// Never ask; the tag as written.
    Never,
}

/// The kinds of object a stack owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StackObject {
    Network,
    Secret,
    Config,
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    Create,
    Update,
    Unchanged,
    /// Only with `prune`, services only (as the CLI).
    Remove,
}

/// One spec field an update changes. Values are shown as compact JSON; secret and config
/// data and environment values are never in them (shown as "(hidden)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Dotted path in Docker's spec, e.g. `Mode.Replicated.Replicas`.
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub kind: StackObject,
    /// The object's full name (`web_api`, or its own name when external/`name:`).
    pub name: String,
    pub action: PlanAction,
    /// For `Update` only.
    pub changes: Vec<FieldChange>,
}

/// The preview: what an apply would do, in the order it would do it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub stack: String,
    pub items: Vec<PlanItem>,
    /// What the CLI would warn about (ignored keys and the like).
    pub warnings: Vec<String>,
}

impl Plan {
    /// True when an apply would change nothing.
    pub fn is_no_change(&self) -> bool {
        self.items.iter().all(|i| i.action == PlanAction::Unchanged)
    }
}

/// What an apply did. When Docker refuses midway, `failed` says at what and why, `done` lists
/// what had been changed before it, `not_done` what was not attempted; nothing is rolled back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub stack: String,
    pub done: Vec<PlanItem>,
    pub failed: Option<(PlanItem, String)>,
    pub not_done: Vec<PlanItem>,
}
