//! The edge of `flotilla stack deploy|config`: the compose files from disk (or `-`, stdin),
//! the variables from the process environment (as the docker CLI: no `.env`), and the files
//! they name, resolved against the first compose file's directory as docker does.

use super::StackError;
use crate::stack::Files;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Refused above this, as the reader refuses it, before reading it all in.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The compose files as sources, and the directory the files they name are relative to.
pub fn compose_sources(paths: &[String]) -> Result<(Vec<compose::Source>, PathBuf), StackError> {
    if paths.is_empty() {
        return Err(StackError::Usage(
            "specify a Compose file (with --compose-file)".into(),
        ));
    }
    let base = match paths[0].as_str() {
        "-" => std::env::current_dir().map_err(|e| StackError::read(".", e))?,
        first => std::path::absolute(first)
            .map_err(|e| StackError::read(first, e))?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let mut sources = Vec::new();
    for path in paths {
        let bytes = match path.as_str() {
            "-" => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .take(MAX_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| StackError::read(path, e))?;
                bytes
            }
            _ => read_bounded(Path::new(path)).map_err(|e| StackError::read(path, e))?,
        };
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(StackError::TooLarge(path.clone()));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| StackError::read(path, std::io::Error::other("not UTF-8 text")))?;
        sources.push(compose::Source {
            name: path.clone(),
            text,
        });
    }
    Ok((sources, base))
}

fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The process environment: variables for interpolation, as the docker CLI takes them.
/// Names or values that are not UTF-8 cannot be written in a compose file and are skipped.
pub fn environment() -> compose::Vars {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Reads each `file:` / `env_file:` path, keyed by the path as written.
pub fn named_files(named: Vec<String>, base: &Path) -> Result<Files, StackError> {
    let mut files = Files::new();
    for written in named {
        let path = base.join(&written);
        let bytes =
            std::fs::read(&path).map_err(|e| StackError::read(&path.display().to_string(), e))?;
        files.insert(written, bytes);
    }
    Ok(files)
}
