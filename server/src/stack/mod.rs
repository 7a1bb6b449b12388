//! Stacks: compose files deployed natively, with `docker stack deploy`'s result.
//!
//! - [`convert`]: pure, a typed compose model -> the swarm objects a stack wants ([`Desired`]);
//! - [`plan`]: pure, what is wanted against what is live -> create / update / unchanged /
//!   remove, with the spec fields an update changes (the preview);
//! - the Docker calls that read the live objects and apply a plan are in `docker::stack`;
//! - [`cli`]: `flotilla stack deploy|config|ls|services|ps|rm`.

pub mod bundle;
pub mod cli;
pub mod convert;
pub mod plan;

use bollard::models as m;
use std::collections::BTreeMap;

/// The label that marks every object of a stack, as the docker CLI sets it.
pub const NAMESPACE_LABEL: &str = "com.docker.stack.namespace";
/// The image as written in the compose file, on each service (for `--resolve-image changed`).
pub const IMAGE_LABEL: &str = "com.docker.stack.image";

/// Contents of the files a compose file names (`file:` of secrets and configs, `env_file:`),
/// keyed by the path as written in the compose file. The CLI reads them from disk beside the
/// first compose file; the panel takes them from the browser's upload, never from its disk.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Everything a stack wants, named and labelled as the CLI would, lists sorted by name so an
/// unchanged file yields an equal value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired {
    pub namespace: String,
    /// Networks the stack creates when missing (`<stack>_default`, declared non-external).
    pub networks: Vec<NetworkWant>,
    /// External networks by their own names: must exist, swarm-scoped.
    pub external_networks: Vec<String>,
    pub secrets: Vec<m::SecretSpec>,
    pub external_secrets: Vec<String>,
    pub configs: Vec<m::ConfigSpec>,
    pub external_configs: Vec<String>,
    /// Full specs, names already `<stack>_<key>` (or `name:`).
    pub services: Vec<m::ServiceSpec>,
    /// What the CLI would warn about while converting (ignored keys and the like).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkWant {
    pub name: String,
    pub create: m::NetworkCreateRequest,
}
