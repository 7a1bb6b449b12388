//! The reading pipeline in the CLI's order (cli/compose/loader.Load, stack/loader.go):
//! per file: parse (bounded) and `<<`, same version as the first file, forbidden keys,
//! interpolation with casts, the top-level schema checks; then the files merged in order,
//! the warnings over all files, and the checks on the merged map.

use serde_yaml_ng::{Mapping, Value};

use crate::{Error, Result, Source, Vars, Warning, check, interpolate, merge, yaml};

/// The merged, interpolated, type-cast, checked mapping of `sources` (in `-c` order), ready
/// for the typed model, and the CLI's warnings. Variables come only from `vars`.
pub fn load_value(sources: &[Source], vars: &Vars) -> Result<(Value, Vec<Warning>)> {
    if sources.is_empty() {
        return Err(Error::new("no files specified"));
    }
    let mut merged: Option<Mapping> = None;
    let mut raw_services = Vec::with_capacity(sources.len());
    let mut first_version = None;
    for source in sources {
        let file = source.name.as_str();
        let mut map = yaml::parse(source)?;
        let version = check::version(&map);
        let first_version = first_version.get_or_insert_with(|| version.clone());
        if version != *first_version {
            return Err(Error::new(format!(
                "version mismatched between two composefiles : {first_version} and {version}"
            ))
            .in_file(file));
        }
        check::forbidden(&map).map_err(|e| e.in_file(file))?;
        // The warnings read the files as written; only the service keys matter to them.
        raw_services.push(service_keys(&map));
        interpolate::interpolate(&mut map, vars).map_err(|e| e.in_file(file))?;
        check::top_level(&map).map_err(|e| e.in_file(file))?;
        match merged.as_mut() {
            None => merged = Some(map),
            Some(base) => merge::merge_files(base, map),
        }
    }
    let merged = merged.unwrap_or_default();
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    check::merged(&merged).map_err(|e| e.in_file(&names.join(", ")))?;
    Ok((Value::Mapping(merged), check::warnings(&raw_services)))
}

/// `services: {name: {key: null...}}`: the shape the warnings need, without the values.
fn service_keys(map: &Mapping) -> Mapping {
    let services: Mapping = check::services(map)
        .map(|(name, service)| {
            let keys = service.keys().map(|k| (k.clone(), Value::Null)).collect();
            (name.into(), Value::Mapping(keys))
        })
        .collect();
    let mut out = Mapping::new();
    out.insert("services".into(), Value::Mapping(services));
    out
}

#[cfg(test)]
#[path = "load/tests.rs"]
mod tests;
