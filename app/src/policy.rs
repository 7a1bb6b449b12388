//! The spec policy: what a panel user may put into a service spec. One pure module, run by
//! every path that writes a spec for a panel user (create, image update, stack deploy) on
//! the spec as it would be written, and shown to the browser before it submits. The panel
//! holds root on every node, so anything here that is refused keeps a user from turning a
//! service into a root shell on the hosts.

mod form;
mod image;

pub use form::check_form;
pub use image::ImageName;
use serde::{Deserialize, Serialize};

/// Bind sources refused whatever the switches say: the engine's socket and state, the root,
/// and the kernel's and the system's own trees. A source is refused when it is one of these,
/// lies under one, or holds one (binding `/var` would hand over `/var/lib/docker`).
pub const PROTECTED_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/var/lib/docker",
    "/var/run/docker.sock",
    "/run/docker.sock",
];

/// What the server allows, set by `serve` switches. The default is the safe one: no bind
/// mounts, no ports below 1024, no host-mode ports, any image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Bind mounts of any source but the protected ones (`--allow-bind-mounts`).
    pub bind_mounts: bool,
    /// Without `bind_mounts`: bind sources allowed under these directories
    /// (`--allow-bind-prefix`).
    pub bind_prefixes: Vec<String>,
    /// Published ports below 1024 (`--allow-low-ports`).
    pub low_ports: bool,
    /// Ports published in host mode, straight on the node (`--allow-host-ports`).
    pub host_ports: bool,
    /// Image name prefixes, as normalized (`docker.io/library/`); empty: any image
    /// (`--allow-images`).
    pub image_prefixes: Vec<String>,
}

/// Each rule a spec can break, with the switch that relaxes it (if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    ProtectedPath,
    BindMounts,
    LowPorts,
    HostPorts,
    ImageAllowList,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::ProtectedPath => "protected-path",
            Rule::BindMounts => "bind-mounts",
            Rule::LowPorts => "low-ports",
            Rule::HostPorts => "host-ports",
            Rule::ImageAllowList => "image-allow-list",
        }
    }

    pub fn switch(self) -> Option<&'static str> {
        match self {
            Rule::ProtectedPath => None,
            Rule::BindMounts => Some("--allow-bind-mounts or --allow-bind-prefix"),
            Rule::LowPorts => Some("--allow-low-ports"),
            Rule::HostPorts => Some("--allow-host-ports"),
            Rule::ImageAllowList => Some("--allow-images"),
        }
    }
}

/// One refusal: the field it is about (as the create form names it), the rule, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub field: String,
    pub rule: Rule,
    pub message: String,
}

impl Violation {
    fn new(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Violation {
        Violation {
            field: field.into(),
            rule,
            message: message.into(),
        }
    }

    /// The message with the rule's name and the switch that relaxes it, as the form shows it.
    pub fn explained(&self) -> String {
        let switch = self
            .rule
            .switch()
            .map(|s| format!("; the panel runs without {s}"))
            .unwrap_or_default();
        format!("{} (policy: {}{switch})", self.message, self.rule.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Volume,
    Tmpfs,
    /// Anything else Docker knows (npipe, cluster): not offered by the panel, refused.
    Other,
}

/// What the policy reads of a spec, whoever wrote it: the create form, a live service about
/// to be updated, a stack file. Built by each of them from their own types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    pub image: String,
    /// (kind, source) in spec order.
    pub mounts: Vec<(MountKind, String)>,
    /// (published port, host mode) in spec order.
    pub ports: Vec<(Option<u16>, bool)>,
}

/// An absolute path without `.`/`..` parts, repeated or trailing slashes; None if it is not
/// absolute or climbs out with `..`.
pub fn normalize_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `path` is `dir` or lies under it (both normalized).
fn under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Which protected path a (normalized) bind source touches, if any. `/var/run` is `/run` on
/// every current distribution, so both spellings are checked.
fn protected(source: &str) -> Option<&'static str> {
    let spellings = [
        source.to_string(),
        source.replacen("/var/run", "/run", 1),
        source.replacen("/run", "/var/run", 1),
    ];
    PROTECTED_PATHS.iter().copied().find(|p| {
        spellings
            .iter()
            .any(|s| (*p != "/" && under(s, p)) || under(p, s))
    })
}

impl Policy {
    /// Everything wrong with `subject`, in field order; empty when the policy allows it.
    pub fn check(&self, subject: &Subject) -> Vec<Violation> {
        let mut found: Vec<Violation> = self
            .check_image("image", &subject.image)
            .into_iter()
            .collect();
        for (i, (kind, source)) in subject.mounts.iter().enumerate() {
            let field = format!("mounts[{i}].source");
            found.extend(self.check_mount(&field, *kind, source));
        }
        for (i, (published, host_mode)) in subject.ports.iter().enumerate() {
            if *host_mode && !self.host_ports {
                found.push(Violation::new(
                    format!("ports[{i}].mode"),
                    Rule::HostPorts,
                    "may not publish in host mode",
                ));
            }
            if let Some(port) = published.filter(|p| *p < 1024 && !self.low_ports) {
                found.push(Violation::new(
                    format!("ports[{i}].published"),
                    Rule::LowPorts,
                    format!("may not publish port {port}: ports below 1024 are not allowed"),
                ));
            }
        }
        found
    }

    /// Whether the image may run here, by the allow-list.
    pub fn check_image(&self, field: &str, image: &str) -> Option<Violation> {
        if self.image_prefixes.is_empty() {
            return None;
        }
        let name = ImageName::parse(image).full();
        let allowed = self
            .image_prefixes
            .iter()
            .any(|p| name.starts_with(p.as_str()));
        (!allowed).then(|| {
            Violation::new(
                field,
                Rule::ImageAllowList,
                format!(
                    "{name} is not from an allowed registry ({})",
                    self.image_prefixes.join(", ")
                ),
            )
        })
    }

    fn check_mount(&self, field: &str, kind: MountKind, source: &str) -> Option<Violation> {
        match kind {
            MountKind::Volume | MountKind::Tmpfs => return None,
            MountKind::Other => {
                return Some(Violation::new(
                    field,
                    Rule::BindMounts,
                    "this mount type is not allowed",
                ));
            }
            MountKind::Bind => {}
        }
        let Some(path) = normalize_path(source) else {
            return Some(Violation::new(
                field,
                Rule::ProtectedPath,
                "a bind source must be an absolute path without '..'",
            ));
        };
        if let Some(p) = protected(&path) {
            return Some(Violation::new(
                field,
                Rule::ProtectedPath,
                format!("{path} touches {p}, which is never mounted into a service"),
            ));
        }
        let by_prefix = self
            .bind_prefixes
            .iter()
            .filter_map(|p| normalize_path(p))
            .any(|p| under(&path, &p));
        (!self.bind_mounts && !by_prefix).then(|| {
            let message = if self.bind_prefixes.is_empty() {
                "bind mounts are not allowed".to_string()
            } else {
                format!(
                    "{path} is not under an allowed directory ({})",
                    self.bind_prefixes.join(", ")
                )
            };
            Violation::new(field, Rule::BindMounts, message)
        })
    }

    /// What is allowed, in short sentences, for the form to show before anyone submits.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![];
        lines.push(match (self.bind_mounts, self.bind_prefixes.is_empty()) {
            (true, _) => "Bind mounts: allowed".to_string(),
            (false, true) => "Bind mounts: not allowed".to_string(),
            (false, false) => format!("Bind mounts: under {}", self.bind_prefixes.join(", ")),
        });
        lines.push(format!(
            "Never mounted: the Docker socket, {}",
            PROTECTED_PATHS
                .iter()
                .filter(|p| !p.ends_with("docker.sock"))
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ));
        lines.push(
            if self.low_ports {
                "Ports below 1024: allowed"
            } else {
                "Ports below 1024: not allowed"
            }
            .to_string(),
        );
        lines.push(
            if self.host_ports {
                "Host-mode ports: allowed"
            } else {
                "Host-mode ports: not allowed"
            }
            .to_string(),
        );
        lines.push(if self.image_prefixes.is_empty() {
            "Images: any registry".to_string()
        } else {
            format!("Images: from {}", self.image_prefixes.join(", "))
        });
        lines
    }
}

#[cfg(test)]
mod tests;
