//! A browser's upload (compose files, the files they name, variables) checked and turned into
//! what the pure reader takes. The panel never reads its own disk for a browser user: a path
//! that leaves the upload (`..`, absolute) is refused, and every `file:` / `env_file:` must be
//! among the uploaded files.

use super::Files;
use flotilla_app::forms::FieldError;
use flotilla_app::stacks::{DeployRequest, UploadedFile};
use std::collections::BTreeMap;

/// A compose file is refused above this size, as the reader refuses it.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// Compose files merged at most (`-c` repeated).
pub const MAX_COMPOSE_FILES: usize = 8;
/// Other files (secrets, configs, env files) at most.
pub const MAX_OTHER_FILES: usize = 64;
/// Variables at most, and the size of the box.
pub const MAX_VARIABLES: usize = 1000;

/// A relative path inside the upload, in one spelling: `./a//b` -> `a/b`. None when it leaves
/// the upload or is not a plain relative path.
pub fn inside(path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.len() > 255 => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `KEY=value` lines (blank lines and `#` comments skipped; a value in matching quotes loses
/// them, as `.env` files write it).
pub fn variables(text: &str) -> Result<compose::Vars, FieldError> {
    let mut vars = compose::Vars::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(FieldError::new(
                "variables",
                format!("line {}: expected KEY=value", n + 1),
            ));
        };
        let key = key.trim();
        let valid = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || key.len() > 128 {
            return Err(FieldError::new(
                "variables",
                format!("line {}: {key:?} is not a variable name", n + 1),
            ));
        }
        let value = value.trim();
        let unquoted = ["\"", "'"]
            .iter()
            .find_map(|q| value.strip_prefix(q).and_then(|v| v.strip_suffix(q)))
            .filter(|_| value.len() >= 2)
            .unwrap_or(value);
        vars.insert(key.to_string(), unquoted.to_string());
        if vars.len() > MAX_VARIABLES {
            return Err(FieldError::new(
                "variables",
                format!("more than {MAX_VARIABLES} variables"),
            ));
        }
    }
    Ok(vars)
}

/// The compose files as the reader takes them, bounded.
pub fn sources(request: &DeployRequest) -> Result<Vec<compose::Source>, FieldError> {
    if request.compose.is_empty() {
        return Err(FieldError::new(
            "compose",
            "is required: paste or upload a compose file",
        ));
    }
    if request.compose.len() > MAX_COMPOSE_FILES {
        return Err(FieldError::new(
            "compose",
            format!("at most {MAX_COMPOSE_FILES} compose files"),
        ));
    }
    request
        .compose
        .iter()
        .map(|file| {
            if file.text.len() > MAX_FILE_BYTES {
                return Err(FieldError::new(
                    "compose",
                    format!("{}: larger than 1 MiB", shown(&file.name)),
                ));
            }
            Ok(compose::Source {
                name: shown(&file.name),
                text: file.text.clone(),
            })
        })
        .collect()
}

/// A file name as messages show it: bounded, one line.
fn shown(name: &str) -> String {
    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    if name.is_empty() {
        "compose.yml".into()
    } else {
        name
    }
}

/// The uploaded files by their normalized path; a name that leaves the upload is refused.
fn uploaded(files: &[UploadedFile]) -> Result<BTreeMap<String, &UploadedFile>, FieldError> {
    if files.len() > MAX_OTHER_FILES {
        return Err(FieldError::new(
            "files",
            format!("at most {MAX_OTHER_FILES} files"),
        ));
    }
    let mut by_path = BTreeMap::new();
    for file in files {
        let path = inside(&file.name).ok_or_else(|| {
            FieldError::new(
                "files",
                format!(
                    "{}: a path must stay inside the upload (relative, no '..')",
                    shown(&file.name)
                ),
            )
        })?;
        if file.text.len() > MAX_FILE_BYTES {
            return Err(FieldError::new(
                "files",
                format!("{path}: larger than 1 MiB"),
            ));
        }
        by_path.insert(path, file);
    }
    Ok(by_path)
}

/// The contents of every file the compose files name, from the upload only.
pub fn files(named: &[String], upload: &[UploadedFile]) -> Result<Files, FieldError> {
    let by_path = uploaded(upload)?;
    let mut files = Files::new();
    for path in named {
        let key = inside(path).ok_or_else(|| {
            FieldError::new(
                "files",
                format!("{path}: the panel reads only uploaded files: a path must be relative and stay inside the upload"),
            )
        })?;
        let file = by_path.get(&key).ok_or_else(|| {
            FieldError::new(
                "files",
                format!("{path}: named in the compose file but not uploaded"),
            )
        })?;
        files.insert(path.clone(), file.text.as_bytes().to_vec());
    }
    Ok(files)
}

/// Docker's bounds on a secret's and a config's data (swarmkit's `MaxSecretSize` and
/// `MaxConfigSize`: at least one byte, less than these), checked before the first Docker
/// call: an empty upload (a redeploy's "keep the stored text" with none stored) or a file
/// too large would otherwise fail midway, after the networks were created.
pub const SECRET_DATA_LIMIT: usize = 500 * 1024;
pub const CONFIG_DATA_LIMIT: usize = 1000 * 1024;

/// The bytes base64 `data` stands for (the specs carry their data encoded).
fn decoded_len(data: &str) -> usize {
    let padding = data.bytes().rev().take_while(|b| *b == b'=').count().min(2);
    (data.len() / 4 * 3).saturating_sub(padding)
}

/// Every secret and config the stack creates holds data Docker takes.
pub fn data_sizes(desired: &super::Desired) -> Result<(), FieldError> {
    let secrets = desired.secrets.iter().map(|s| {
        (
            "secret",
            s.name.as_deref(),
            s.data.as_deref(),
            SECRET_DATA_LIMIT,
        )
    });
    let configs = desired.configs.iter().map(|c| {
        (
            "config",
            c.name.as_deref(),
            c.data.as_deref(),
            CONFIG_DATA_LIMIT,
        )
    });
    for (kind, name, data, limit) in secrets.chain(configs) {
        // A driver-backed secret has no data of its own.
        let Some(data) = data else { continue };
        let name = name.unwrap_or_default();
        match decoded_len(data) {
            0 => {
                return Err(FieldError::new(
                    "files",
                    format!(
                        "{kind} {name}: its file is empty (Docker takes no empty {kind}; an empty text keeps the stored one only for a stack deployed from this panel with it)"
                    ),
                ));
            }
            n if n >= limit => {
                return Err(FieldError::new(
                    "files",
                    format!("{kind} {name}: {n} bytes: Docker takes less than {limit} bytes"),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
