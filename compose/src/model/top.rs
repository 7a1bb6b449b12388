//! The top-level declarations: networks, volumes, secrets, configs.

use super::forms;
use super::objects::External;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

type Map = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The network's own name; for an external network, the name it is looked up by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: Map,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipam: Option<Ipam>,
    #[serde(default, skip_serializing_if = "is_not_external")]
    pub external: External,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attachable: bool,
    #[serde(
        default,
        deserialize_with = "forms::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: Map,
}

fn is_not_external(e: &External) -> bool {
    !e.external && e.name.is_none()
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ipam {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<IpamPool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpamPool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: Map,
    #[serde(default, skip_serializing_if = "is_not_external")]
    pub external: External,
    #[serde(
        default,
        deserialize_with = "forms::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: Map,
    /// Cluster volumes (CSI), parsed and kept as written.
    #[serde(
        default,
        rename = "x-cluster-spec",
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_spec: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The path as written; its content comes from the files handed to the converter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "is_not_external")]
    pub external: External,
    #[serde(
        default,
        deserialize_with = "forms::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: Map,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: Map,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "is_not_external")]
    pub external: External,
    #[serde(
        default,
        deserialize_with = "forms::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: Map,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
}
