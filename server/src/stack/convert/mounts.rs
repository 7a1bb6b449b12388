//! Service volumes -> mounts (the CLI's volume.go): named volumes `<stack>_<name>` (or their
//! `name:`) labelled with the namespace unless external, anonymous volumes, binds, tmpfs.

use super::{Namespace, Result, invalid, non_blank};
use bollard::models as m;
use compose::model::{Config, ServiceVolume};

pub(super) fn mounts(
    ns: Namespace,
    volumes: &[ServiceVolume],
    config: &Config,
) -> Result<Vec<m::Mount>> {
    volumes.iter().map(|v| mount(ns, v, config)).collect()
}

fn mount(ns: Namespace, v: &ServiceVolume, config: &Config) -> Result<m::Mount> {
    let mut out = m::Mount {
        target: Some(v.target.clone()).filter(|t| !t.is_empty()),
        source: non_blank(&v.source),
        read_only: v.read_only.then_some(true),
        consistency: non_blank(&v.consistency),
        ..Default::default()
    };
    let kind = v.kind.as_str();
    let incompatible =
        |what: &str| invalid(format!("{what} options are incompatible with type {kind}"));
    match kind {
        "volume" | "" => {
            out.typ = Some(m::MountType::VOLUME);
            if v.tmpfs.is_some() {
                return Err(incompatible("tmpfs"));
            }
            if v.bind.is_some() {
                return Err(incompatible("bind"));
            }
            let Some(source) = out.source.clone() else {
                return Ok(out); // anonymous volume
            };
            let declared = config
                .volumes
                .get(&source)
                .ok_or_else(|| invalid(format!("undefined volume {source:?}")))?;
            out.source = Some(non_blank(&declared.name).unwrap_or_else(|| ns.scope(&source)));
            let mut options = m::MountVolumeOptions {
                no_copy: v.volume.as_ref().is_some_and(|o| o.nocopy).then_some(true),
                ..Default::default()
            };
            if !declared.external.external {
                options.labels = Some(ns.labels(&declared.labels));
                let driver = non_blank(&declared.driver);
                if driver.is_some() || !declared.driver_opts.is_empty() {
                    options.driver_config = Some(m::MountVolumeOptionsDriverConfig {
                        name: driver,
                        options: (!declared.driver_opts.is_empty())
                            .then(|| declared.driver_opts.clone().into_iter().collect()),
                    });
                }
            }
            out.volume_options = Some(options);
        }
        "bind" | "npipe" => {
            out.typ = Some(if kind == "bind" {
                m::MountType::BIND
            } else {
                m::MountType::NPIPE
            });
            let source = out
                .source
                .clone()
                .ok_or_else(|| invalid(format!("invalid {kind} source, source cannot be empty")))?;
            if v.volume.is_some() {
                return Err(incompatible("volume"));
            }
            if v.tmpfs.is_some() {
                return Err(incompatible("tmpfs"));
            }
            if kind == "bind" {
                out.source = Some(bind_source(&source, config)?);
            }
            if let Some(bind) = &v.bind {
                let propagation = match non_blank(&bind.propagation) {
                    Some(p) => Some(super::docker_enum("bind.propagation", &p)?),
                    None => None,
                };
                out.bind_options = Some(m::MountBindOptions {
                    propagation,
                    ..Default::default()
                });
            }
        }
        "tmpfs" => {
            out.typ = Some(m::MountType::TMPFS);
            if out.source.is_some() {
                return Err(invalid("invalid tmpfs source, source must be empty"));
            }
            if v.bind.is_some() {
                return Err(incompatible("bind"));
            }
            if v.volume.is_some() {
                return Err(incompatible("volume"));
            }
            if let Some(tmpfs) = &v.tmpfs {
                let size = match tmpfs.size {
                    Some(s) if s > 0 => {
                        Some(i64::try_from(s).map_err(|_| invalid("tmpfs.size is too large"))?)
                    }
                    _ => None,
                };
                out.tmpfs_options = Some(m::MountTmpfsOptions {
                    size_bytes: size,
                    ..Default::default()
                });
            }
        }
        other => {
            return Err(invalid(format!(
                "volume type {other:?}: must be volume, bind, tmpfs or npipe"
            )));
        }
    }
    Ok(out)
}

/// A bind source as the CLI's loader leaves it: `~` is `$HOME` (from the variables), a
/// relative path is joined to the first compose file's folder and cleaned. Without that folder
/// (an upload in the panel) a relative bind cannot mean anything on the nodes: refused.
fn bind_source(source: &str, config: &Config) -> Result<String> {
    let expanded = match (source.strip_prefix('~'), config.variables.get("HOME")) {
        (Some(rest), Some(home)) => format!("{home}{rest}"),
        _ => source.to_string(),
    };
    if expanded.starts_with('/') || is_windows_abs(&expanded) {
        return Ok(expanded);
    }
    let base = config.working_dir.as_deref().ok_or_else(|| {
        invalid(format!(
            "bind mount source {source:?} is relative: use an absolute path (no compose file folder to resolve it against)"
        ))
    })?;
    Ok(clean(&format!("{base}/{expanded}")))
}

fn is_windows_abs(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// Go's `filepath.Clean` for an absolute Unix path: no `.`, `..` resolved, single slashes.
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
pub(super) fn clean_for_tests(path: &str) -> String {
    clean(path)
}
