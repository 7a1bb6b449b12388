//! The CLI's checks on the raw maps, in the CLI's words:
//! - per file before interpolation: forbidden service keys (loader.validateForbidden);
//! - per file after interpolation: the schema's top level (`version`, sections, names);
//! - over all files: "Ignoring unsupported/deprecated options" warnings (stack/loader.go);
//! - on the merged map: an image for every service (stack/loader.go), then what the
//!   converter refuses (convert/service.go, convert/volume.go): `replicas` with a global
//!   mode, unknown modes, undeclared networks, volumes, secrets and configs.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::{Mapping, Value};

use crate::yaml::describe;
use crate::{Error, Result, Warning};

/// types.ForbiddenProperties.
const FORBIDDEN: &[(&str, &str)] = &[
    ("extends", "Support for `extends` is not implemented yet."),
    (
        "volume_driver",
        "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.",
    ),
    (
        "volumes_from",
        "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.",
    ),
    ("cpu_quota", "Set resource limits using deploy.resources"),
    ("cpu_shares", "Set resource limits using deploy.resources"),
    ("cpuset", "Set resource limits using deploy.resources"),
    ("mem_limit", "Set resource limits using deploy.resources"),
    (
        "memswap_limit",
        "Set resource limits using deploy.resources",
    ),
];

/// types.UnsupportedProperties: warned, then ignored (`restart` is still the fallback
/// restart policy when `deploy.restart_policy` is absent, warning or not).
const UNSUPPORTED: &[&str] = &[
    "build",
    "cgroupns_mode",
    "cgroup_parent",
    "devices",
    "domainname",
    "external_links",
    "ipc",
    "links",
    "mac_address",
    "network_mode",
    "pid",
    "privileged",
    "restart",
    "security_opt",
    "shm_size",
    "userns_mode",
];

/// types.DeprecatedProperties.
const DEPRECATED: &[(&str, &str)] = &[
    (
        "container_name",
        "Setting the container name is not supported.",
    ),
    (
        "expose",
        "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ),
];

const TOP_LEVEL: &[&str] = &[
    "version", "services", "networks", "volumes", "secrets", "configs",
];

pub(crate) fn services(map: &Mapping) -> impl Iterator<Item = (&str, &Mapping)> {
    let services = map.get("services").and_then(Value::as_mapping);
    services
        .into_iter()
        .flat_map(|s| s.iter())
        .filter_map(|(name, service)| Some((name.as_str()?, service.as_mapping()?)))
}

/// The version as the CLI's schema.Version computes it (`%v` of the raw value, "" and "3"
/// meaning the default 3.13), for comparing files.
pub(crate) fn version(map: &Mapping) -> String {
    let raw = match map.get("version") {
        None => return "3.13".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => describe(other).to_string(),
    };
    match raw.as_str() {
        "" | "3" => "3.13".into(),
        _ => raw,
    }
}

/// Forbidden service keys, on the raw file (the CLI checks before interpolating).
pub(crate) fn forbidden(map: &Mapping) -> Result<()> {
    let mut found = BTreeMap::new();
    let mut first = None;
    for (name, service) in services(map) {
        for (key, why) in FORBIDDEN {
            if service.contains_key(*key) {
                found.insert(*key, *why);
                first.get_or_insert_with(|| format!("services.{name}.{key}"));
            }
        }
    }
    let Some(path) = first else { return Ok(()) };
    let list: Vec<String> = found.iter().map(|(k, why)| format!("{k}: {why}")).collect();
    Err(Error::at_path(
        path,
        format!(
            "compose file contains unsupported options:\n\n{}",
            list.join("\n\n")
        ),
    ))
}

/// The top level as the schema has it, after interpolation.
pub(crate) fn top_level(map: &Mapping) -> Result<()> {
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            return Err(Error::new("top-level keys must be strings"));
        };
        if !TOP_LEVEL.contains(&key) && !key.starts_with("x-") {
            return Err(Error::at_path(
                key,
                format!("Additional property {key} is not allowed"),
            ));
        }
        if key == "version" {
            if !value.is_string() {
                return Err(Error::at_path(key, "version must be a string"));
            }
        } else if !key.starts_with("x-") && !value.is_mapping() {
            return Err(Error::at_path(key, format!("{key} must be a mapping")));
        }
    }
    let version = version(map);
    // The CLI embeds one schema per version, 3.0 to 3.13; we check 3.13's keys for all.
    let known = version
        .strip_prefix("3.")
        .is_some_and(|minor| (0..=13).any(|m| minor == m.to_string()));
    if !known {
        return Err(Error::at_path(
            "version",
            format!("unsupported Compose file version: {version}"),
        ));
    }
    for (name, service) in map
        .get("services")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap_or_default();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Err(Error::at_path(
                "services",
                format!("Additional property {name} is not allowed"),
            ));
        }
        if !service.is_mapping() {
            return Err(Error::at_path(
                format!("services.{name}"),
                "must be a mapping",
            ));
        }
    }
    Ok(())
}

/// The CLI's two warnings over every file, each once.
pub(crate) fn warnings(files: &[Mapping]) -> Vec<Warning> {
    let mut unsupported = BTreeSet::new();
    let mut deprecated = BTreeMap::new();
    for (_, service) in files.iter().flat_map(services) {
        unsupported.extend(UNSUPPORTED.iter().filter(|k| service.contains_key(**k)));
        deprecated.extend(
            DEPRECATED
                .iter()
                .filter(|(k, _)| service.contains_key(*k))
                .copied(),
        );
    }
    let mut out = Vec::new();
    if !unsupported.is_empty() {
        let list: Vec<&str> = unsupported.into_iter().copied().collect();
        out.push(Warning(format!(
            "Ignoring unsupported options: {}",
            list.join(", ")
        )));
    }
    if !deprecated.is_empty() {
        let list: Vec<String> = deprecated
            .iter()
            .map(|(k, why)| format!("{k}: {why}"))
            .collect();
        out.push(Warning(format!(
            "Ignoring deprecated options:\n\n{}",
            list.join("\n\n")
        )));
    }
    out
}

/// Checks on the merged map, services in name order like the CLI's merged list.
pub(crate) fn merged(map: &Mapping) -> Result<()> {
    let mut sorted: Vec<_> = services(map).collect();
    sorted.sort_by_key(|(name, _)| *name);
    for (name, service) in &sorted {
        match service.get("image") {
            Some(Value::String(image)) if !image.is_empty() => {}
            None | Some(Value::Null) | Some(Value::String(_)) => {
                return Err(Error::at_path(
                    format!("services.{name}.image"),
                    format!("invalid image reference for service {name}: no image specified"),
                ));
            }
            Some(_) => {} // the typed model says what is wrong with its type
        }
    }
    for (name, service) in &sorted {
        references(map, name, service)?;
    }
    Ok(())
}

fn declared(map: &Mapping, section: &str, key: &str) -> bool {
    map.get(section)
        .and_then(Value::as_mapping)
        .is_some_and(|m| m.contains_key(key))
}

/// What the converter refuses, in its order: secrets, configs, mode, mounts, networks.
fn references(map: &Mapping, name: &str, service: &Mapping) -> Result<()> {
    let fail = |key: &str, message: String| {
        Err(Error::at_path(
            format!("services.{name}.{key}"),
            format!("service {name}: {message}"),
        ))
    };
    for (key, kind) in [("secrets", "secret"), ("configs", "config")] {
        for item in service
            .get(key)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let source = item
                .as_str()
                .or_else(|| item.get("source").and_then(Value::as_str));
            if let Some(source) = source
                && !declared(map, key, source)
            {
                return fail(key, format!("undefined {kind} {source:?}"));
            }
        }
    }
    let deploy = service.get("deploy");
    let mode = deploy
        .and_then(|d| d.get("mode"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let replicas = deploy
        .and_then(|d| d.get("replicas"))
        .is_some_and(|r| !r.is_null());
    match mode {
        "global" | "global-job" if replicas => {
            return fail(
                "deploy.replicas",
                "replicas can only be used with replicated or replicated-job mode".into(),
            );
        }
        "global" | "global-job" | "replicated" | "replicated-job" | "" => {}
        other => return fail("deploy.mode", format!("unknown mode: {other}")),
    }
    for item in service
        .get("volumes")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        if let Some(source) = named_volume(item)
            && !declared(map, "volumes", source)
        {
            return fail("volumes", format!("undefined volume {source:?}"));
        }
    }
    let networks: Vec<&str> = match service.get("networks") {
        Some(Value::Sequence(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(Value::Mapping(m)) => m.keys().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for network in networks {
        if network != "default" && !declared(map, "networks", network) {
            return fail("networks", format!("undefined network {network:?}"));
        }
    }
    Ok(())
}

/// The stack volume a service volume names, if any: short syntax whose source is not a path
/// (volumespec.Parse), or long syntax of type volume, or cluster outside `group:`.
fn named_volume(item: &Value) -> Option<&str> {
    match item {
        Value::String(spec) => {
            let (source, _) = split_volume(spec)?;
            let path = source.starts_with(['.', '/', '~'])
                || source.starts_with("\\\\")
                || is_windows_drive(source);
            (!source.is_empty() && !path).then_some(source)
        }
        Value::Mapping(m) => {
            let source = m
                .get("source")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())?;
            match m.get("type").and_then(Value::as_str) {
                Some("volume") => Some(source),
                Some("cluster") if !source.starts_with("group:") => Some(source),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_windows_drive(s: &str) -> bool {
    let mut chars = s.chars();
    matches!((chars.next(), chars.next()), (Some(c), Some(':')) if c.is_alphabetic())
}

/// (source, target) of a short volume spec; a lone target has an empty source. A drive
/// letter (`C:`) does not split, as in volumespec.
pub(crate) fn split_volume(spec: &str) -> Option<(&str, &str)> {
    if spec.chars().count() <= 2 {
        return Some(("", spec));
    }
    let mut fields = Vec::new();
    let mut start = 0;
    for (i, c) in spec.char_indices() {
        if c == ':' && !(i - start == 1 && is_windows_drive(&spec[start..])) {
            fields.push(&spec[start..i]);
            start = i + 1;
        }
    }
    fields.push(&spec[start..]);
    match fields.as_slice() {
        [target] => Some(("", target)),
        [source, target, ..] => Some((source, target)),
        [] => None,
    }
}

#[cfg(test)]
#[path = "check/tests.rs"]
mod tests;
