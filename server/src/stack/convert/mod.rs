//! A typed compose model -> the swarm objects of a stack, as `docker stack deploy` builds them
//! (docker/cli cli/compose/convert: compose.go, service.go, volume.go), field for field, so a
//! service deployed by Flotilla inspects equal to one the CLI deployed. Pure: the contents of
//! `file:` secrets/configs and env files come in as [`Files`]; nothing reads the disk.
//!
//! - [`objects`]: networks, secrets, configs;
//! - [`service`]: a service's spec and its container spec;
//! - [`deploy`]: mode, restart, update/rollback, placement, endpoint; [`resources`];
//! - [`mounts`]: service volumes -> mounts;
//! - [`refs`]: environment, secret/config references, network attachments.
//!
//! What the CLI fills from the engine is left for apply: secret and config IDs in the
//! references (the CLI looks them up by name after creating them).

mod deploy;
mod mounts;
mod objects;
mod refs;
mod resources;
mod service;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_deploy;
#[cfg(test)]
mod tests_examples;
#[cfg(test)]
mod tests_mounts;
#[cfg(test)]
mod tests_service;

use super::{Desired, Files, NAMESPACE_LABEL};
use compose::model::Config;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{0}")]
    Invalid(String),
}

type Result<T> = std::result::Result<T, ConvertError>;

fn invalid(message: impl Into<String>) -> ConvertError {
    ConvertError::Invalid(message.into())
}

/// Everything the stack `namespace` wants, named, labelled and sorted as the CLI would.
pub fn convert(namespace: &str, config: &Config, files: &Files) -> Result<Desired> {
    let ns = Namespace(namespace);
    let (networks, external_networks) = objects::networks(ns, config);
    let (secrets, external_secrets) = objects::secrets(ns, config, files)?;
    let (configs, external_configs) = objects::configs(ns, config, files)?;
    let mut warnings = Vec::new();
    let mut services = Vec::with_capacity(config.services.len());
    for (name, svc) in &config.services {
        let spec = service::spec(ns, name, svc, config, files, &mut warnings)
            .map_err(|ConvertError::Invalid(e)| invalid(format!("service {name}: {e}")))?;
        services.push(spec);
    }
    services.sort_by(|a, b| a.name.cmp(&b.name));
    published_once(&services)?;
    Ok(Desired {
        namespace: namespace.to_string(),
        networks,
        external_networks,
        secrets,
        external_secrets,
        configs,
        external_configs,
        services,
        warnings,
    })
}

/// A published port used twice is refused before anything is sent (the engine would refuse
/// the second service midway through a deploy): twice in one service, or in ingress mode by
/// two services (the routing mesh holds it on every node).
fn published_once(services: &[bollard::models::ServiceSpec]) -> Result<()> {
    use bollard::models::EndpointPortConfigPublishModeEnum as Mode;
    let mut ingress: HashMap<(i64, String), &str> = HashMap::new();
    for spec in services {
        let name = spec.name.as_deref().unwrap_or_default();
        let mut own = std::collections::HashSet::new();
        let ports = spec
            .endpoint_spec
            .iter()
            .flat_map(|e| e.ports.iter().flatten());
        for port in ports {
            let Some(published) = port.published_port.filter(|p| *p > 0) else {
                continue;
            };
            let protocol = port
                .protocol
                .map(|p| p.to_string())
                .unwrap_or_else(|| "tcp".into());
            let key = (published, protocol);
            if !own.insert(key.clone()) {
                return Err(invalid(format!(
                    "service {name}: port {}/{} is published twice",
                    key.0, key.1
                )));
            }
            if port.publish_mode != Some(Mode::HOST)
                && let Some(other) = ingress.insert(key.clone(), name)
            {
                return Err(invalid(format!(
                    "services {other} and {name} both publish port {}/{}",
                    key.0, key.1
                )));
            }
        }
    }
    Ok(())
}

/// The stack's name, prefixed to the keys of the file (`<stack>_<key>`).
#[derive(Debug, Clone, Copy)]
struct Namespace<'a>(&'a str);

impl Namespace<'_> {
    fn scope(&self, name: &str) -> String {
        format!("{}_{name}", self.0)
    }

    /// `labels` plus the namespace label (which wins over a label of the same key).
    fn labels<'m>(
        &self,
        labels: impl IntoIterator<Item = (&'m String, &'m String)>,
    ) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = labels
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.insert(NAMESPACE_LABEL.to_string(), self.0.to_string());
        out
    }
}

/// `Some` of a non-empty list; the CLI's JSON omits empty lists.
fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    if v.is_empty() { None } else { Some(v) }
}

/// `Some` of a non-empty string; the CLI's JSON omits empty strings.
fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|s| !s.is_empty()).cloned()
}

/// A bollard enum from its Docker spelling; a value Docker does not know fails here, with the
/// field named, rather than later at the engine.
fn docker_enum<T: std::str::FromStr>(field: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| invalid(format!("{field}: invalid value {value:?}")))
}
