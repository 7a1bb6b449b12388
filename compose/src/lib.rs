//! Compose files for swarm stacks, read the way `docker stack deploy` reads them.
//!
//! Parse (bounded: size, depth, aliases) -> merge keys (`<<`) -> interpolate (per file, on
//! the raw map) -> the CLI's checks (forbidden, ignored and unknown keys) -> several files
//! merged as the CLI merges them -> a typed model ([`model::Config`]).
//! Pure: variables and files come in as values; nothing here reads the disk or the process
//! environment.

pub mod error;
pub mod model;

mod check;
mod interpolate;
mod load;
mod merge;
mod yaml;

pub use load::load_value;

pub use error::{Error, Result};

use std::collections::BTreeMap;

/// One compose file as the user gave it.
#[derive(Debug, Clone)]
pub struct Source {
    /// As the user named it, for messages.
    pub name: String,
    pub text: String,
}

/// Variables for interpolation: the process environment for the CLI, the KEY=value box or
/// `.env` upload for the panel, never the panel's own environment.
pub type Vars = BTreeMap<String, String>;

/// A finding that does not stop a deploy (an ignored key), said to the user as the CLI says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

/// What [`load`] gives: the model and what was warned on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: model::Config,
    pub warnings: Vec<Warning>,
}

/// Reads compose files as `docker stack deploy -c a.yml -c b.yml` does: the raw pipeline
/// ([`load_value`]), then the typed model. `vars` are also kept on the model, because the
/// CLI fills bare `environment` entries from them.
pub fn load(sources: &[Source], vars: &Vars) -> Result<Loaded> {
    let (value, mut warnings) = load_value(sources, vars)?;
    let named = sources
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (mut config, more) =
        model::Config::from_value_warn(value).map_err(|e| e.in_file(&named))?;
    warnings.extend(more);
    config.variables = vars.clone();
    Ok(Loaded { config, warnings })
}
