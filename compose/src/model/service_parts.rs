//! The parts of a service: network attachments, secret/config references, healthcheck,
//! logging, credential spec.

use super::forms;
use super::units::Duration;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

type Map = BTreeMap<String, String>;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceNetwork {
    #[serde(
        default,
        deserialize_with = "forms::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: Map,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
}

pub(super) fn service_networks<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<ServiceNetwork>>, D::Error> {
    match Value::deserialize(d)? {
        list @ Value::Sequence(_) => Ok(forms::list(list)
            .map_err(D::Error::custom)?
            .into_iter()
            .map(|name| (name, None))
            .collect()),
        Value::Mapping(map) => map
            .into_iter()
            .map(|(k, v)| {
                let name = k
                    .as_str()
                    .ok_or_else(|| D::Error::custom("network names must be strings"))?
                    .to_string();
                let options = match v {
                    Value::Null => None,
                    v => Some(
                        ServiceNetwork::deserialize(v)
                            .map_err(|e| D::Error::custom(format!("{name}: {e}")))?,
                    ),
                };
                Ok((name, options))
            })
            .collect(),
        other => Err(D::Error::custom(format!(
            "must be a list or a mapping, not {}",
            forms::kind(&other)
        ))),
    }
}

/// A secret or config a service uses: `- name` or `{source, target, uid, gid, mode}`.
/// The schema allows other keys here (no `additionalProperties`): ignored, as the CLI does.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileRef {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

pub(super) fn file_refs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<FileRef>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Sequence(items) => items,
        other => {
            return Err(D::Error::custom(format!(
                "must be a list, not {}",
                forms::kind(&other)
            )));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(source) => Ok(FileRef {
                source,
                ..FileRef::default()
            }),
            Value::Mapping(_) => {
                FileRef::deserialize(item).map_err(|e| D::Error::custom(format!("[{i}]: {e}")))
            }
            other => Err(D::Error::custom(format!(
                "[{i}]: must be a string or a mapping, not {}",
                forms::kind(&other)
            ))),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// A string is `["CMD-SHELL", s]`, as the CLI reads it.
    #[serde(
        default,
        deserialize_with = "health_test",
        skip_serializing_if = "Option::is_none"
    )]
    pub test: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_interval: Option<Duration>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable: bool,
}

fn health_test<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(vec!["CMD-SHELL".into(), s])),
        other => forms::list(other).map(Some).map_err(D::Error::custom),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub options: Map,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}
