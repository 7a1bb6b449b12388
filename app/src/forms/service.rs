//! The create-service form as the browser submits it (every field as typed), and its
//! validation into a spec Flotilla will send to Docker. Run on both sides.

use super::fields::{self, FieldError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortForm {
    pub target: String,
    pub published: String,
    /// tcp, udp or sctp; empty means tcp.
    pub protocol: String,
    /// ingress or host; empty means ingress.
    pub mode: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MountForm {
    /// volume, bind or tmpfs.
    pub kind: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceForm {
    pub name: String,
    pub image: String,
    /// "replicated" (default) or "global".
    pub mode: String,
    pub replicas: String,
    /// Words; double quotes group words with spaces.
    pub command: String,
    pub args: String,
    /// KEY=VALUE lines.
    pub env: String,
    pub labels: String,
    pub ports: Vec<PortForm>,
    pub mounts: Vec<MountForm>,
    pub networks: Vec<String>,
    /// One constraint per line.
    pub constraints: String,
    /// One `node.labels.<key>` per line: spread tasks over its values.
    pub spread: String,
    pub limit_cpus: String,
    pub limit_memory: String,
    pub reserve_cpus: String,
    pub reserve_memory: String,
    /// none, on-failure or any; empty leaves Docker's default (any).
    pub restart_condition: String,
    pub restart_delay: String,
    pub restart_max_attempts: String,
    pub update_parallelism: String,
    pub update_delay: String,
    /// stop-first or start-first.
    pub update_order: String,
    /// pause, continue or rollback.
    pub update_failure_action: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Replicated(u64),
    Global,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port {
    pub target: u16,
    pub published: Option<u16>,
    pub protocol: String,
    pub host_mode: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub kind: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    pub limit_nano_cpus: Option<i64>,
    pub limit_memory: Option<i64>,
    pub reserve_nano_cpus: Option<i64>,
    pub reserve_memory: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restart {
    pub condition: Option<String>,
    pub delay_ns: Option<i64>,
    pub max_attempts: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub parallelism: Option<u64>,
    pub delay_ns: Option<i64>,
    pub order: Option<String>,
    pub failure_action: Option<String>,
}

/// A service spec every field of which has been checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub name: String,
    pub image: String,
    pub mode: Mode,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub ports: Vec<Port>,
    pub mounts: Vec<Mount>,
    pub networks: Vec<String>,
    pub constraints: Vec<String>,
    pub spread: Vec<String>,
    pub resources: Resources,
    pub restart: Restart,
    pub update: Update,
}

/// Most replicas one form may ask for: beyond it is a typo, not a plan.
pub const MAX_REPLICAS: u64 = 1000;

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if allowed.contains(&v) {
        Ok(Some(v.to_string()))
    } else {
        Err(FieldError::new(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// Splits words; double quotes keep spaces. Never a shell: no expansion of any kind.
pub fn words(field: &str, text: &str) -> Result<Vec<String>, FieldError> {
    if text.len() > fields::MAX_FIELD {
        return Err(FieldError::new(field, "is too long"));
    }
    let (mut out, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => (word, any) = (word + &c.to_string(), true),
        }
    }
    if quoted {
        return Err(FieldError::new(field, "has an unclosed quote"));
    }
    if any {
        out.push(word);
    }
    Ok(out)
}

fn port(i: usize, p: &PortForm) -> Result<Port, FieldError> {
    let field = format!("ports[{i}]");
    let target = fields::number(&format!("{field}.target"), &p.target, 1, 65535, 0)?;
    if target == 0 {
        return Err(FieldError::new(
            format!("{field}.target"),
            "is required (1-65535)",
        ));
    }
    let published = match p.published.trim() {
        "" => None,
        text => Some(fields::number(&format!("{field}.published"), text, 1, 65535, 0)? as u16),
    };
    let protocol = one_of(
        &format!("{field}.protocol"),
        &p.protocol,
        &["tcp", "udp", "sctp"],
    )?
    .unwrap_or_else(|| "tcp".into());
    let host_mode =
        one_of(&format!("{field}.mode"), &p.mode, &["ingress", "host"])?.as_deref() == Some("host");
    Ok(Port {
        target: target as u16,
        published,
        protocol,
        host_mode,
    })
}

fn mount(i: usize, m: &MountForm) -> Result<Mount, FieldError> {
    let field = format!("mounts[{i}]");
    let kind = one_of(
        &format!("{field}.kind"),
        &m.kind,
        &["volume", "bind", "tmpfs"],
    )?
    .ok_or_else(|| {
        FieldError::new(
            format!("{field}.kind"),
            "is required (volume, bind or tmpfs)",
        )
    })?;
    let target = m.target.trim();
    if !target.starts_with('/') || target.contains("..") || target.len() > 1024 {
        return Err(FieldError::new(
            format!("{field}.target"),
            "must be an absolute path inside the container",
        ));
    }
    let source = m.source.trim();
    match kind.as_str() {
        "bind" if !source.starts_with('/') || source.contains("..") => {
            return Err(FieldError::new(
                format!("{field}.source"),
                "must be an absolute path on the node",
            ));
        }
        "volume" if !source.is_empty() => {
            _ = fields::object_name(&format!("{field}.source"), source)?
        }
        "tmpfs" if !source.is_empty() => {
            return Err(FieldError::new(
                format!("{field}.source"),
                "must be empty for tmpfs",
            ));
        }
        _ => {}
    }
    Ok(Mount {
        kind,
        source: source.to_string(),
        target: target.to_string(),
        read_only: m.read_only,
    })
}

/// Collects every field's error instead of stopping at the first.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }
}

/// Checks every field; returns all errors at once so the form can mark each one.
pub fn validate_service(form: &ServiceForm) -> Result<ServiceRequest, Vec<FieldError>> {
    let mut errors = Errors::default();
    let name = errors.check(fields::object_name("name", &form.name));
    let image = errors.check(fields::image_ref("image", &form.image));
    let mode = match form.mode.trim() {
        "" | "replicated" => errors
            .check(fields::number(
                "replicas",
                &form.replicas,
                0,
                MAX_REPLICAS,
                1,
            ))
            .map(Mode::Replicated),
        "global" if !form.replicas.trim().is_empty() => errors.check(Err(FieldError::new(
            "replicas",
            "global services run one task per node: leave replicas empty",
        ))),
        "global" => Some(Mode::Global),
        _ => errors.check(Err(FieldError::new("mode", "must be replicated or global"))),
    };
    let command = errors.check(words("command", &form.command));
    let args = errors.check(words("args", &form.args));
    let env = errors.check(fields::key_values("env", &form.env, true));
    let labels = errors.check(fields::key_values("labels", &form.labels, false));
    let ports: Vec<Port> = form
        .ports
        .iter()
        .enumerate()
        .filter_map(|(i, p)| errors.check(port(i, p)))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        if let Some(published) = p.published
            && !seen.insert((published, p.protocol.clone()))
        {
            errors.check(Err::<(), _>(FieldError::new(
                format!("ports[{i}].published"),
                format!("{published}/{} is published twice", p.protocol),
            )));
        }
    }
    let mounts: Vec<Mount> = form
        .mounts
        .iter()
        .enumerate()
        .filter_map(|(i, m)| errors.check(mount(i, m)))
        .collect();
    let networks: Vec<String> = form
        .networks
        .iter()
        .filter_map(|n| errors.check(fields::object_name("networks", n)))
        .collect();
    let constraints: Vec<String> = form
        .constraints
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| errors.check(fields::constraint("constraints", l)))
        .collect();
    let spread: Vec<String> = form
        .spread
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| match l.strip_prefix("node.labels.") {
            Some(key) if !key.is_empty() && !key.contains(char::is_whitespace) => {
                Some(l.to_string())
            }
            _ => errors.check(Err(FieldError::new(
                "spread",
                format!("{l:?}: expected node.labels.<key>"),
            ))),
        })
        .collect();
    let resources = Resources {
        limit_nano_cpus: errors
            .check(fields::nano_cpus("limit_cpus", &form.limit_cpus))
            .flatten(),
        limit_memory: errors
            .check(fields::memory_bytes("limit_memory", &form.limit_memory))
            .flatten(),
        reserve_nano_cpus: errors
            .check(fields::nano_cpus("reserve_cpus", &form.reserve_cpus))
            .flatten(),
        reserve_memory: errors
            .check(fields::memory_bytes("reserve_memory", &form.reserve_memory))
            .flatten(),
    };
    let restart = Restart {
        condition: errors
            .check(one_of(
                "restart_condition",
                &form.restart_condition,
                &["none", "on-failure", "any"],
            ))
            .flatten(),
        delay_ns: errors
            .check(fields::duration_ns("restart_delay", &form.restart_delay))
            .flatten(),
        max_attempts: match form.restart_max_attempts.trim() {
            "" => None,
            text => errors.check(fields::number("restart_max_attempts", text, 0, 1000, 0)),
        },
    };
    let update = Update {
        parallelism: match form.update_parallelism.trim() {
            "" => None,
            text => errors.check(fields::number(
                "update_parallelism",
                text,
                0,
                MAX_REPLICAS,
                1,
            )),
        },
        delay_ns: errors
            .check(fields::duration_ns("update_delay", &form.update_delay))
            .flatten(),
        order: errors
            .check(one_of(
                "update_order",
                &form.update_order,
                &["stop-first", "start-first"],
            ))
            .flatten(),
        failure_action: errors
            .check(one_of(
                "update_failure_action",
                &form.update_failure_action,
                &["pause", "continue", "rollback"],
            ))
            .flatten(),
    };
    match (name, image, mode, command, args, env, labels) {
        (
            Some(name),
            Some(image),
            Some(mode),
            Some(command),
            Some(args),
            Some(env),
            Some(labels),
        ) if errors.0.is_empty() => Ok(ServiceRequest {
            name,
            image,
            mode,
            command,
            args,
            env,
            labels,
            ports,
            mounts,
            networks,
            constraints,
            spread,
            resources,
            restart,
            update,
        }),
        _ => Err(errors.0),
    }
}

#[cfg(test)]
mod tests;
