//! One service as the compose v3 schema (3.13) defines it, every key `docker stack deploy`
//! reads; keys the CLI ignores still parse (kept loosely, for `stack config`).

use super::deploy::Deploy;
use super::forms;
use super::objects::{self, Ulimit};
use super::ports::{self, Port};
use super::service_parts::{
    self as parts, CredentialSpec, FileRef, Healthcheck, Logging, ServiceNetwork,
};
use super::shell;
use super::units::Duration;
use super::volumes::{self, ServiceVolume};
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

type Map = BTreeMap<String, String>;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(
        default,
        deserialize_with = "shell::shell_command",
        skip_serializing_if = "Option::is_none"
    )]
    pub command: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "shell::shell_command",
        skip_serializing_if = "Option::is_none"
    )]
    pub entrypoint: Option<Vec<String>>,
    /// `None` values: a bare `KEY` (taken from the variables when set, else passed bare).
    #[serde(
        default,
        deserialize_with = "forms::mapping_with_nulls",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub environment: BTreeMap<String, Option<String>>,
    #[serde(
        default,
        deserialize_with = "forms::string_or_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env_file: Vec<String>,
    #[serde(
        default,
        deserialize_with = "forms::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: Map,
    #[serde(
        default,
        deserialize_with = "ports::ports",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ports: Vec<Port>,
    /// Network key -> attachment options (`None` when listed, or `name:` with no options).
    #[serde(
        default,
        deserialize_with = "parts::service_networks",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub networks: BTreeMap<String, Option<ServiceNetwork>>,
    #[serde(
        default,
        deserialize_with = "volumes::volumes",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub volumes: Vec<ServiceVolume>,
    #[serde(
        default,
        deserialize_with = "parts::file_refs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub secrets: Vec<FileRef>,
    #[serde(
        default,
        deserialize_with = "parts::file_refs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub configs: Vec<FileRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub tty: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub stdin_open: bool,
    /// "host:ip" entries, as the CLI normalises list and map forms.
    #[serde(
        default,
        deserialize_with = "forms::extra_hosts",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extra_hosts: Vec<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_or_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dns: Vec<String>,
    #[serde(
        default,
        deserialize_with = "forms::string_or_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dns_search: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    #[serde(
        default,
        deserialize_with = "forms::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cap_add: Vec<String>,
    #[serde(
        default,
        deserialize_with = "forms::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cap_drop: Vec<String>,
    #[serde(
        default,
        deserialize_with = "forms::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub sysctls: Map,
    #[serde(
        default,
        deserialize_with = "objects::ulimits",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub ulimits: BTreeMap<String, Ulimit>,
    /// Parsed, and (like the CLI's converter) not applied to swarm services.
    #[serde(
        default,
        deserialize_with = "forms::string_or_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tmpfs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_spec: Option<CredentialSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// Used only when `deploy.restart_policy` is absent (the CLI warns it is unsupported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    // Keys `docker stack deploy` ignores for swarm services (the checks warn about them),
    // kept as written so `stack config` shows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_parent: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroupns_mode: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domainname: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expose: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_links: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_opt: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userns_mode: Option<Value>,
}
