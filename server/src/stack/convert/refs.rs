//! What a service refers to: its environment (env files, then `environment:`), its secrets
//! and configs (references with the CLI's defaults), its networks (attachments with aliases).

use super::{Namespace, Result, invalid, non_blank, non_empty};
use crate::stack::Files;
use bollard::models as m;
use compose::model::{Config, FileRef, Service};
use std::collections::BTreeMap;

/// `K=V` sorted, as the CLI: env files first, in order, then `environment:` over them; a value
/// that is missing or empty is taken from the variables when they hold it; a key with no value
/// is passed bare.
pub(super) fn environment(svc: &Service, config: &Config, files: &Files) -> Result<Vec<String>> {
    let lookup = |k: &str| config.variables.get(k).cloned();
    let mut env: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut update = |key: String, value: Option<String>| {
        let value = match value {
            Some(v) if !v.is_empty() => Some(v),
            other => lookup(&key).or(other),
        };
        env.insert(key, value);
    };
    for path in &svc.env_file {
        let bytes = files
            .get(path)
            .ok_or_else(|| invalid(format!("env_file {path}: not provided")))?;
        for line in parse_env_file(path, bytes, &lookup)? {
            match line.split_once('=') {
                Some((k, v)) => update(k.to_string(), Some(v.to_string())),
                None => update(line, None),
            }
        }
    }
    for (key, value) in &svc.environment {
        update(key.clone(), value.clone());
    }
    let mut out: Vec<String> = env
        .into_iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect();
    out.sort();
    Ok(out)
}

/// docker/cli's kvfile parser: `KEY=value` lines verbatim (leading space trimmed), `#`
/// comments and blank lines skipped, a bare `KEY` taken from the variables or dropped.
pub(super) fn parse_env_file(
    path: &str,
    bytes: &[u8],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| invalid(format!("invalid env file ({path}): invalid utf8 bytes")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, has_value) = match line.split_once('=') {
            Some((k, _)) => (k, true),
            None => (line, false),
        };
        if key.is_empty() {
            return Err(invalid(format!(
                "invalid env file ({path}): no variable name on line '{line}'"
            )));
        }
        if key.contains([' ', '\t']) {
            return Err(invalid(format!(
                "invalid env file ({path}): variable '{key}' contains whitespaces"
            )));
        }
        if has_value {
            out.push(line.to_string());
        } else if let Some(value) = lookup(line) {
            out.push(format!("{key}={value}"));
        }
    }
    Ok(out)
}

/// One reference's file target with the CLI's defaults: target = the key, uid/gid "0", 0444.
fn file_target(r: &FileRef) -> (String, String, String, u32) {
    (
        non_blank(&r.target).unwrap_or_else(|| r.source.clone()),
        non_blank(&r.uid).unwrap_or_else(|| "0".into()),
        non_blank(&r.gid).unwrap_or_else(|| "0".into()),
        r.mode.unwrap_or(0o444),
    )
}

/// Secret references sorted by name (then target); the IDs are for apply to fill.
pub(super) fn secrets(
    ns: Namespace,
    svc: &Service,
    config: &Config,
) -> Result<Vec<m::TaskSpecContainerSpecSecrets>> {
    let mut targets = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for r in &svc.secrets {
        let declared = config
            .secrets
            .get(&r.source)
            .ok_or_else(|| invalid(format!("undefined secret {:?}", r.source)))?;
        let name = non_blank(&declared.name).unwrap_or_else(|| ns.scope(&r.source));
        let (target, uid, gid, mode) = file_target(r);
        if !targets.insert(target.clone()) {
            return Err(invalid(format!(
                "duplicate secret target for {name} not allowed"
            )));
        }
        out.push(m::TaskSpecContainerSpecSecrets {
            file: Some(m::TaskSpecContainerSpecFile {
                name: Some(target),
                uid: Some(uid),
                gid: Some(gid),
                mode: Some(mode),
            }),
            secret_id: None,
            secret_name: Some(name),
        });
    }
    out.sort_by(|a, b| {
        (&a.secret_name, a.file.as_ref().map(|f| &f.name))
            .cmp(&(&b.secret_name, b.file.as_ref().map(|f| &f.name)))
    });
    Ok(out)
}

/// Config references sorted by name (then target), plus the runtime reference a
/// `credential_spec.config` needs; the IDs are for apply to fill.
pub(super) fn configs(
    ns: Namespace,
    svc: &Service,
    config: &Config,
) -> Result<Vec<m::TaskSpecContainerSpecConfigs>> {
    let declared_name = |key: &str| -> Result<String> {
        let declared = config
            .configs
            .get(key)
            .ok_or_else(|| invalid(format!("undefined config {key:?}")))?;
        Ok(non_blank(&declared.name).unwrap_or_else(|| ns.scope(key)))
    };
    let mut targets = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for r in &svc.configs {
        let name = declared_name(&r.source)?;
        let (target, uid, gid, mode) = file_target(r);
        if !targets.insert(target.clone()) {
            return Err(invalid(format!(
                "duplicate config target for {name} not allowed"
            )));
        }
        out.push(m::TaskSpecContainerSpecConfigs {
            file: Some(m::TaskSpecContainerSpecFile1 {
                name: Some(target),
                uid: Some(uid),
                gid: Some(gid),
                mode: Some(mode),
            }),
            config_name: Some(name),
            ..Default::default()
        });
    }
    if let Some(key) = svc
        .credential_spec
        .as_ref()
        .and_then(|c| non_blank(&c.config))
    {
        out.push(m::TaskSpecContainerSpecConfigs {
            runtime: Some(Default::default()),
            config_name: Some(declared_name(&key)?),
            ..Default::default()
        });
    }
    out.sort_by(|a, b| {
        (&a.config_name, a.file.as_ref().map(|f| &f.name))
            .cmp(&(&b.config_name, b.file.as_ref().map(|f| &f.name)))
    });
    Ok(out)
}

/// Attachments sorted by target; `default` when the service names none. On a user-defined
/// network the service's key is appended to the declared aliases, as the CLI does.
pub(super) fn networks(
    ns: Namespace,
    key: &str,
    svc: &Service,
    config: &Config,
) -> Result<Vec<m::NetworkAttachmentConfig>> {
    let default = BTreeMap::from([("default".to_string(), None)]);
    let wanted = if svc.networks.is_empty() {
        &default
    } else {
        &svc.networks
    };
    let mut out = Vec::new();
    for (name, options) in wanted {
        let declared = config.networks.get(name);
        if declared.is_none() && name != "default" {
            return Err(invalid(format!("undefined network {name:?}")));
        }
        let target = declared
            .and_then(|d| non_blank(&d.name))
            .unwrap_or_else(|| ns.scope(name));
        let mut aliases = options
            .as_ref()
            .map(|o| o.aliases.clone())
            .unwrap_or_default();
        if user_defined(&target) {
            aliases.push(key.to_string());
        }
        let driver_opts = options
            .as_ref()
            .filter(|o| !o.driver_opts.is_empty())
            .map(|o| o.driver_opts.clone().into_iter().collect());
        out.push(m::NetworkAttachmentConfig {
            target: Some(target),
            aliases: non_empty(aliases),
            driver_opts,
        });
    }
    out.sort_by(|a, b| a.target.cmp(&b.target));
    Ok(out)
}

/// Docker's `NetworkMode.IsUserDefined` on Linux: not default, bridge, host, none, container:.
fn user_defined(target: &str) -> bool {
    !matches!(target, "default" | "bridge" | "host" | "none") && !target.starts_with("container:")
}
