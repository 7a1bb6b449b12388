//! The preview: what a stack wants ([`Desired`]) against what is live ([`Live`]) -> per object
//! create / update / unchanged / remove, in the order an apply goes (the CLI's: prune,
//! networks, secrets, configs, services), with the spec fields each update changes.
//!
//! Pure. Services are compared the way the engine stores them ([`normalize`]), so that a
//! redeploy of an unchanged file is "unchanged" for every object and sends nothing.

mod checks;
mod diff;
pub mod images;
mod normalize;

// check_policy: for the panel's deploy route (the local CLI acts with its caller's rights).
#[allow(unused_imports)]
pub use checks::{check_policy, preflight, valid_stack_name};
pub use normalize::fill_refs;

use super::Desired;
use bollard::models as m;
use flotilla_app::stacks::{FieldChange, Plan, PlanAction, PlanItem, StackObject};
use std::collections::{BTreeMap, HashMap};

/// What a stack's objects look like now, as read from the engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// The stack's services (by the namespace label), by name.
    pub services: BTreeMap<String, LiveService>,
    /// The stack's networks (by the namespace label), by name.
    pub networks: BTreeMap<String, LiveNetwork>,
    /// The external networks the stack names that exist, by name.
    pub external_networks: BTreeMap<String, LiveNetwork>,
    /// Secrets by name: the CLI finds a stack's secrets by name, labelled or not, and
    /// external ones by name too.
    pub secrets: BTreeMap<String, LiveObject<m::SecretSpec>>,
    pub configs: BTreeMap<String, LiveObject<m::ConfigSpec>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveService {
    pub id: String,
    pub version: u64,
    pub spec: m::ServiceSpec,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveNetwork {
    pub id: String,
    pub scope: String,
}

/// A secret or config: the engine never returns a secret's data, a config's it does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveObject<S> {
    pub id: String,
    pub version: u64,
    pub spec: S,
}

/// Why a stack cannot be deployed as it is, found before anything is sent. The messages
/// are the docker CLI's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "network {0:?} is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"
    )]
    ExternalNetworkMissing(String),
    #[error(
        "network {name:?} is declared as external, but it is not in the right scope: {scope:?} instead of \"swarm\""
    )]
    ExternalNetworkScope { name: String, scope: String },
    #[error("secret not found: {0}")]
    SecretNotFound(String),
    #[error("config not found: {0}")]
    ConfigNotFound(String),
    #[error(
        "failed to update config {0}: its content differs from the live config's, and only updates to Labels are allowed (remove the stack's services using it, or give the config a new name)"
    )]
    ConfigChanged(String),
    #[error("invalid service name {0:?}: it must be valid as a DNS name component")]
    ServiceName(String),
    #[error("invalid service name {0:?}: it must be 63 characters or fewer")]
    ServiceNameLength(String),
}

/// The preview of deploying `desired` over `live`: services the file no longer has are
/// removed only with `prune` (as the CLI's `--prune`). `desired` is taken as it will be sent:
/// images already resolved and tagged (see [`images::pin`]).
pub fn plan(desired: &Desired, live: &Live, prune: bool) -> Result<Plan, PlanError> {
    preflight(desired, live)?;
    let mut items = Vec::new();
    let item = |kind, name: &str, action, changes| PlanItem {
        kind,
        name: name.to_string(),
        action,
        changes,
    };
    if prune {
        let wanted: Vec<_> = desired.services.iter().map(service_name).collect();
        for name in live.services.keys() {
            if !wanted.contains(&name.as_str()) {
                items.push(item(StackObject::Service, name, PlanAction::Remove, vec![]));
            }
        }
    }
    // Networks are created when missing and never updated, as the CLI does.
    for network in &desired.networks {
        let action = match live.networks.contains_key(&network.name) {
            true => PlanAction::Unchanged,
            false => PlanAction::Create,
        };
        items.push(item(StackObject::Network, &network.name, action, vec![]));
    }
    for name in &desired.external_networks {
        items.push(item(
            StackObject::Network,
            name,
            PlanAction::Unchanged,
            vec![],
        ));
    }
    for spec in &desired.secrets {
        let name = spec.name.as_deref().unwrap_or_default();
        let labels = live.secrets.get(name).map(|l| &l.spec.labels);
        let (action, changes) = labelled(labels, &spec.labels);
        items.push(item(StackObject::Secret, name, action, changes));
    }
    for name in &desired.external_secrets {
        items.push(item(
            StackObject::Secret,
            name,
            PlanAction::Unchanged,
            vec![],
        ));
    }
    for spec in &desired.configs {
        let name = spec.name.as_deref().unwrap_or_default();
        let labels = live.configs.get(name).map(|l| &l.spec.labels);
        let (action, changes) = labelled(labels, &spec.labels);
        items.push(item(StackObject::Config, name, action, changes));
    }
    for name in &desired.external_configs {
        items.push(item(
            StackObject::Config,
            name,
            PlanAction::Unchanged,
            vec![],
        ));
    }
    for spec in &desired.services {
        let name = service_name(spec);
        let (action, changes) = match live.services.get(name) {
            None => (PlanAction::Create, vec![]),
            Some(current) => {
                let changes = service_changes(spec, current, live);
                match changes.is_empty() {
                    true => (PlanAction::Unchanged, changes),
                    false => (PlanAction::Update, changes),
                }
            }
        };
        items.push(item(StackObject::Service, name, action, changes));
    }
    Ok(Plan {
        stack: desired.namespace.clone(),
        items,
        warnings: desired.warnings.clone(),
    })
}

pub(crate) fn service_name(spec: &m::ServiceSpec) -> &str {
    spec.name.as_deref().unwrap_or_default()
}

/// Secrets and configs: only their labels may change (the content is checked elsewhere).
fn labelled(
    live: Option<&Option<HashMap<String, String>>>,
    wanted: &Option<HashMap<String, String>>,
) -> (PlanAction, Vec<FieldChange>) {
    let Some(live) = live else {
        return (PlanAction::Create, vec![]);
    };
    let as_value = |labels: &Option<HashMap<String, String>>| serde_json::json!({ "Labels": labels.clone().unwrap_or_default() });
    let changes = diff::changes(&as_value(live), &as_value(wanted));
    match changes.is_empty() {
        true => (PlanAction::Unchanged, changes),
        false => (PlanAction::Update, changes),
    }
}

/// The fields an update of `current` to `wanted` would change, both seen as the engine
/// stores them. The CLI keeps the live ForceUpdate, and refers to secrets, configs and
/// networks by the IDs the engine knows them by.
fn service_changes(
    wanted: &m::ServiceSpec,
    current: &LiveService,
    live: &Live,
) -> Vec<FieldChange> {
    let mut wanted = wanted.clone();
    fill_refs(
        &mut wanted,
        |name| known_id(&live.secrets, name),
        |name| known_id(&live.configs, name),
    );
    let network_names: HashMap<&str, &str> = live
        .networks
        .iter()
        .chain(&live.external_networks)
        .map(|(name, n)| (n.id.as_str(), name.as_str()))
        .collect();
    let old = normalize::engine_form(&current.spec, &network_names);
    let new = normalize::engine_form(&wanted, &network_names);
    diff::changes(&old, &new)
}

/// The ID a referenced object has now; one still to be created has none yet, which shows
/// in the preview as a new ID.
fn known_id<S>(objects: &BTreeMap<String, LiveObject<S>>, name: &str) -> String {
    objects
        .get(name)
        .map(|o| o.id.clone())
        .unwrap_or_else(|| "(new)".to_string())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_checks;
