//! Networks, secrets and configs of a stack (the CLI's compose.go): named `<stack>_<key>`
//! unless `name:` says otherwise, labelled with the namespace; external ones by their own name,
//! for apply to check that they exist.

use super::{Namespace, Result, invalid, non_blank};
use crate::stack::{Files, NetworkWant};
use base64::Engine as _;
use bollard::models as m;
use compose::model::Config;
use std::collections::BTreeSet;

/// The CLI creates a stack's networks with this driver when the file names none.
const DEFAULT_DRIVER: &str = "overlay";

/// The networks the services use (`default` for a service that names none): to create, and
/// external ones, both sorted by name. A declared network no service uses is not created.
pub(super) fn networks(ns: Namespace, config: &Config) -> (Vec<NetworkWant>, Vec<String>) {
    let used: BTreeSet<&str> = config
        .services
        .values()
        .flat_map(|s| {
            if s.networks.is_empty() {
                vec!["default"]
            } else {
                s.networks.keys().map(String::as_str).collect()
            }
        })
        .collect();
    let mut create = Vec::new();
    let mut external = BTreeSet::new();
    for key in used {
        let declared = config.networks.get(key).cloned().unwrap_or_default();
        if declared.external.external {
            external.insert(declared.name.clone().unwrap_or_else(|| key.to_string()));
            continue;
        }
        let name = non_blank(&declared.name).unwrap_or_else(|| ns.scope(key));
        let ipam = declared.ipam.as_ref().and_then(|ipam| {
            let driver = non_blank(&ipam.driver);
            if driver.is_none() && ipam.config.is_empty() {
                return None;
            }
            let config = ipam
                .config
                .iter()
                .map(|pool| m::IpamConfig {
                    subnet: pool.subnet.clone(),
                    ..Default::default()
                })
                .collect();
            Some(m::Ipam {
                driver,
                config: super::non_empty(config),
                options: None,
            })
        });
        let request = m::NetworkCreateRequest {
            name: name.clone(),
            driver: Some(non_blank(&declared.driver).unwrap_or_else(|| DEFAULT_DRIVER.into())),
            internal: declared.internal.then_some(true),
            attachable: declared.attachable.then_some(true),
            ipam,
            options: (!declared.driver_opts.is_empty())
                .then(|| declared.driver_opts.clone().into_iter().collect()),
            labels: Some(ns.labels(&declared.labels)),
            ..Default::default()
        };
        create.push(NetworkWant {
            name,
            create: request,
        });
    }
    create.sort_by(|a, b| a.name.cmp(&b.name));
    (create, external.into_iter().collect())
}

/// Secrets to create or update (sorted by name), and the external ones' names.
pub(super) fn secrets(
    ns: Namespace,
    config: &Config,
    files: &Files,
) -> Result<(Vec<m::SecretSpec>, Vec<String>)> {
    let mut specs = Vec::new();
    let mut external = BTreeSet::new();
    for (key, secret) in &config.secrets {
        let name = non_blank(&secret.name).unwrap_or_else(|| ns.scope(key));
        if secret.external.external {
            external.insert(name);
            continue;
        }
        let (data, driver) = match non_blank(&secret.driver) {
            // Driver-backed: the data lives in the driver's store.
            Some(driver) => (
                None,
                Some(m::Driver {
                    name: driver,
                    options: (!secret.driver_opts.is_empty())
                        .then(|| secret.driver_opts.clone().into_iter().collect()),
                }),
            ),
            None => (Some(content("secret", key, &secret.file, files)?), None),
        };
        specs.push(m::SecretSpec {
            name: Some(name),
            labels: Some(ns.labels(&secret.labels)),
            data,
            driver,
            templating: templating(&secret.template_driver),
        });
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((specs, external.into_iter().collect()))
}

/// Configs to create or update (sorted by name), and the external ones' names.
pub(super) fn configs(
    ns: Namespace,
    config: &Config,
    files: &Files,
) -> Result<(Vec<m::ConfigSpec>, Vec<String>)> {
    let mut specs = Vec::new();
    let mut external = BTreeSet::new();
    for (key, obj) in &config.configs {
        let name = non_blank(&obj.name).unwrap_or_else(|| ns.scope(key));
        if obj.external.external {
            external.insert(name);
            continue;
        }
        specs.push(m::ConfigSpec {
            name: Some(name),
            labels: Some(ns.labels(&obj.labels)),
            data: Some(content("config", key, &obj.file, files)?),
            templating: templating(&obj.template_driver),
        });
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((specs, external.into_iter().collect()))
}

fn templating(driver: &Option<String>) -> Option<m::Driver> {
    non_blank(driver).map(|name| m::Driver {
        name,
        options: None,
    })
}

/// A `file:`'s content, base64 as the API takes it. A missing file fails naming its path.
fn content(kind: &str, key: &str, file: &Option<String>, files: &Files) -> Result<String> {
    let path = file
        .as_deref()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| invalid(format!("{kind} {key}: no file, external or driver given")))?;
    let bytes = files
        .get(path)
        .ok_or_else(|| invalid(format!("{kind} {key}: file {path}: not provided")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}
