//! The typed compose model: the compose v3 schema (3.13, the CLI's default) as serde types,
//! each alternative form read into one canonical form, as the CLI's loader does before it
//! converts. Unknown keys fail (the schema's `additionalProperties: false`), `x-*` keys are
//! dropped where the schema allows them (top level, services, networks, volumes, secrets,
//! configs). Serialises back as `flotilla stack config` prints it.

pub mod deploy;
pub mod forms;
pub mod objects;
pub mod ports;
pub mod service;
pub mod service_parts;
pub mod shell;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_forms;
pub mod top;
pub mod units;
pub mod volumes;

pub use deploy::*;
pub use objects::{External, Ulimit};
pub use ports::Port;
pub use service::*;
pub use service_parts::*;
pub use top::*;
pub use units::{Bytes, Duration};
pub use volumes::ServiceVolume;

use crate::{Error, Result, Vars, Warning};
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    #[serde(
        default,
        deserialize_with = "nullable_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub networks: BTreeMap<String, Network>,
    #[serde(
        default,
        deserialize_with = "nullable_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, Volume>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, Secret>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, ConfigObject>,
    /// The variables `env_file` entries are resolved against on convert (the CLI looks a bare
    /// `KEY` or an empty `KEY=` up in its environment). Set by [`crate::load`]; never printed.
    #[serde(skip)]
    pub variables: Vars,
    /// The absolute folder of the first compose file, which relative bind sources are joined
    /// to (as the CLI does); `None` for an upload, where a relative bind is refused on convert.
    #[serde(skip)]
    pub working_dir: Option<String>,
}

/// `networks: {front: }` and `volumes: {data: }` declare with defaults.
fn nullable_map<'de, D, T>(d: D) -> std::result::Result<BTreeMap<String, T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    let map: BTreeMap<String, Option<T>> = BTreeMap::deserialize(d)?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

impl Config {
    /// The merged, interpolated mapping -> the model, with errors naming the key path.
    pub fn from_value(value: Value) -> Result<Config> {
        Self::from_value_warn(value).map(|(config, _)| config)
    }

    /// As [`Config::from_value`], with what the CLI warns about on the way (the deprecated
    /// `external.name`).
    pub fn from_value_warn(mut value: Value) -> Result<(Config, Vec<Warning>)> {
        strip_extensions(&mut value);
        let mut config: Config = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            if path.is_empty() || path == "." {
                Error::new(message)
            } else {
                Error::at_path(path, message)
            }
        })?;
        let warnings = config.resolve_external_names()?;
        Ok((config, warnings))
    }

    /// The paths the converter needs the content of: `file:` of secrets and configs that are
    /// neither external nor driver-backed, and every `env_file`, sorted, each once.
    pub fn files_named(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .secrets
            .values()
            .filter(|s| !s.external.external && s.driver.is_none())
            .filter_map(|s| s.file.clone())
            .chain(
                self.configs
                    .values()
                    .filter(|c| !c.external.external)
                    .filter_map(|c| c.file.clone()),
            )
            .chain(
                self.services
                    .values()
                    .flat_map(|s| s.env_file.iter().cloned()),
            )
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// The CLI's loader: an external object is looked up by `external.name` (deprecated, a
    /// warning), else `name`, else its key; `name` and `external.name` together fail; an
    /// external volume takes no driver, options or labels; a secret's driver and file conflict.
    fn resolve_external_names(&mut self) -> Result<Vec<Warning>> {
        let version = self.version.clone().unwrap_or_default();
        let mut warnings = Vec::new();
        let mut fix = |kind: &str, key: &str, name: &mut Option<String>, ext: &mut External| {
            if !ext.external {
                return Ok(());
            }
            match ext.name.take() {
                Some(ext_name) => {
                    if name.is_some() {
                        return Err(Error::at_path(
                            format!("{kind}s.{key}"),
                            format!(
                                "{kind}.external.name and {kind}.name conflict; only use {kind}.name"
                            ),
                        ));
                    }
                    if version_at_least(&version, if kind == "volume" { (3, 4) } else { (3, 5) }) {
                        warnings.push(Warning(format!(
                            "{kind} {key}: {kind}.external.name is deprecated in favor of {kind}.name"
                        )));
                    }
                    *name = Some(ext_name);
                }
                None => {
                    name.get_or_insert_with(|| key.to_string());
                }
            }
            Ok(())
        };
        for (key, n) in &mut self.networks {
            fix("network", key, &mut n.name, &mut n.external)?;
        }
        for (key, v) in &mut self.volumes {
            if v.external.external {
                let conflict = if v.driver.is_some() {
                    Some("driver")
                } else if !v.driver_opts.is_empty() {
                    Some("driver_opts")
                } else if !v.labels.is_empty() {
                    Some("labels")
                } else {
                    None
                };
                if let Some(field) = conflict {
                    return Err(Error::at_path(
                        format!("volumes.{key}"),
                        format!(
                            "conflicting parameters \"external\" and \"{field}\" specified for volume \"{key}\""
                        ),
                    ));
                }
            }
            fix("volume", key, &mut v.name, &mut v.external)?;
        }
        for (key, s) in &mut self.secrets {
            if !s.external.external && s.driver.is_some() && s.file.is_some() {
                return Err(Error::at_path(
                    format!("secrets.{key}"),
                    "secret.driver and secret.file conflict; only use secret.driver",
                ));
            }
            fix("secret", key, &mut s.name, &mut s.external)?;
        }
        for (key, c) in &mut self.configs {
            fix("config", key, &mut c.name, &mut c.external)?;
        }
        Ok(warnings)
    }
}

/// "3.10" >= (3, 4), as the CLI's version compare ("" and "3" mean 3.13).
fn version_at_least(version: &str, (major, minor): (u64, u64)) -> bool {
    let version = if version.is_empty() || version == "3" {
        "3.13"
    } else {
        version
    };
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let have = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    have >= (major, minor)
}

/// Drops `x-*` keys where the schema allows them: at the top, in each service, network,
/// volume, secret and config. Anywhere else they stay and fail as unknown keys, as in the CLI.
fn strip_extensions(value: &mut Value) {
    fn strip(map: &mut serde_yaml_ng::Mapping) {
        map.retain(|k, _| {
            !k.as_str()
                .is_some_and(|k| k.starts_with("x-") && k != "x-cluster-spec")
        });
    }
    let Value::Mapping(top) = value else { return };
    strip(top);
    for section in ["services", "networks", "volumes", "secrets", "configs"] {
        if let Some(Value::Mapping(entries)) = top.get_mut(section) {
            for (_, entry) in entries.iter_mut() {
                if let Value::Mapping(entry) = entry {
                    strip(entry);
                }
            }
        }
    }
}
