//! Variable substitution as `docker stack deploy` does it (cli/compose/template and
//! cli/compose/interpolation), on one file's raw map before any check: values only (never
//! keys), `x-` blocks included, then a cast to int/float/bool at the CLI's listed paths.
//!
//! The CLI's template is a regex, `\$(?i:(\$)|(NAME OP?)|{(NAME OP?)}|())` with
//! `NAME OP? = [_a-z][_a-z0-9]*(?::?[-?][^}]*)?`; the scanner below follows that regex
//! exactly, quirks included (see `substitute`).

use serde_yaml_ng::{Mapping, Value};

use crate::{Error, Result, Vars};

/// Why a template could not be substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubstError {
    /// A `$` that starts none of the forms (`${`, `$}`, `${ x}`, `$1`, a lone `$`).
    Invalid,
    /// `${V:?msg}` with V unset or empty, `${V?msg}` with V unset.
    Required { name: String, message: String },
}

/// Substitute every `$` form in `template` from `vars`, as the CLI's `template.Substitute`:
/// - `$$` -> `$`; `$V` and `${V}` -> the value, "" when unset (silently, like the CLI);
/// - `${V:-d}` d when unset or empty; `${V-d}` d when unset; `${V:?m}` / `${V?m}` fail.
/// - The default is taken literally up to the first `}`: `${A:-${B}}` gives `${B}` when A
///   is unset (no nesting), and `${A}}` leaves the second `}`.
/// - The operator is found by the CLI's order of checks on the whole text after the name
///   (`:-`, then `-`, then `:?`, then `?`), so `${V:?must-be-set}` reads as `${V:?must` with
///   the default `be-set`. Odd, but what the CLI deploys.
/// - Unbraced names take an operator too: `$V-x y` is `${V-x y}`.
pub(crate) fn substitute(template: &str, vars: &Vars) -> std::result::Result<String, SubstError> {
    let bytes = template.as_bytes();
    let mut out = String::with_capacity(template.len());
    let mut rest = 0; // start of text not yet copied
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        out.push_str(&template[rest..i]);
        let next = bytes.get(i + 1).copied();
        let (expression, end) = if next == Some(b'$') {
            out.push('$');
            (None, i + 2)
        } else if let Some(end) = subst_end(bytes, i + 1) {
            (Some(&template[i + 1..end]), end)
        } else if next == Some(b'{')
            && let Some(end) = subst_end(bytes, i + 2)
            && bytes.get(end) == Some(&b'}')
        {
            (Some(&template[i + 2..end]), end + 1)
        } else {
            return Err(SubstError::Invalid);
        };
        if let Some(expression) = expression {
            out.push_str(&evaluate(expression, vars)?);
        }
        i = end;
        rest = end;
    }
    out.push_str(&template[rest..]);
    Ok(out)
}

/// End of `[_a-z][_a-z0-9]*(?::?[-?][^}]*)?` starting at `start`, case-insensitive.
fn subst_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start)?;
    if !(first == b'_' || first.is_ascii_alphabetic()) {
        return None;
    }
    let mut j = start + 1;
    while j < bytes.len() && (bytes[j] == b'_' || bytes[j].is_ascii_alphanumeric()) {
        j += 1;
    }
    let op = match (bytes.get(j), bytes.get(j + 1)) {
        (Some(b':'), Some(b'-' | b'?')) => j + 2,
        (Some(b'-' | b'?'), _) => j + 1,
        _ => return Some(j),
    };
    let stop = bytes[op..].iter().position(|&b| b == b'}');
    Some(stop.map_or(bytes.len(), |p| op + p))
}

fn evaluate(expr: &str, vars: &Vars) -> std::result::Result<String, SubstError> {
    let get = |name: &str| vars.get(name).map(String::as_str);
    if let Some((name, default)) = expr.split_once(":-") {
        return Ok(match get(name) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => default.to_string(),
        });
    }
    if let Some((name, default)) = expr.split_once('-') {
        return Ok(get(name).unwrap_or(default).to_string());
    }
    let required = |name: &str, message: &str| SubstError::Required {
        name: name.to_string(),
        message: message.to_string(),
    };
    if let Some((name, message)) = expr.split_once(":?") {
        return match get(name) {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(required(name, message)),
        };
    }
    if let Some((name, message)) = expr.split_once('?') {
        return get(name)
            .map(str::to_string)
            .ok_or_else(|| required(name, message));
    }
    Ok(get(expr).unwrap_or_default().to_string())
}

#[derive(Clone, Copy)]
enum Cast {
    Int,
    Float,
    Bool,
}

/// The CLI's `interpolateTypeCastMapping` (cli/compose/loader/interpolate.go), verbatim.
/// `*` is any key or list item, `[]` any list item. Services paths start `services.*`.
const CASTS: &[(&[&str], Cast)] = &[
    (&["configs", "[]", "mode"], Cast::Int),
    (&["secrets", "[]", "mode"], Cast::Int),
    (&["healthcheck", "retries"], Cast::Int),
    (&["healthcheck", "disable"], Cast::Bool),
    (&["deploy", "replicas"], Cast::Int),
    (&["deploy", "update_config", "parallelism"], Cast::Int),
    (
        &["deploy", "update_config", "max_failure_ratio"],
        Cast::Float,
    ),
    (&["deploy", "rollback_config", "parallelism"], Cast::Int),
    (
        &["deploy", "rollback_config", "max_failure_ratio"],
        Cast::Float,
    ),
    (&["deploy", "restart_policy", "max_attempts"], Cast::Int),
    (&["deploy", "placement", "max_replicas_per_node"], Cast::Int),
    (&["ports", "[]", "target"], Cast::Int),
    (&["ports", "[]", "published"], Cast::Int),
    (&["ulimits", "*"], Cast::Int),
    (&["ulimits", "*", "hard"], Cast::Int),
    (&["ulimits", "*", "soft"], Cast::Int),
    (&["privileged"], Cast::Bool),
    (&["oom_score_adj"], Cast::Int),
    (&["read_only"], Cast::Bool),
    (&["stdin_open"], Cast::Bool),
    (&["tty"], Cast::Bool),
    (&["volumes", "[]", "read_only"], Cast::Bool),
    (&["volumes", "[]", "volume", "nocopy"], Cast::Bool),
];

/// Top-level object paths: `networks.*.external` and the like.
const OBJECT_CASTS: &[(&str, &str)] = &[
    ("networks", "external"),
    ("networks", "internal"),
    ("networks", "attachable"),
    ("volumes", "external"),
    ("secrets", "external"),
    ("configs", "external"),
];

#[derive(Clone)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn cast_for(path: &[Seg]) -> Option<Cast> {
    let matches = |pattern: &[&str], segs: &[Seg]| {
        pattern.len() == segs.len()
            && pattern.iter().zip(segs).all(|(p, s)| match s {
                _ if *p == "*" => true,
                Seg::Key(k) => p == k,
                Seg::Index(_) => *p == "[]",
            })
    };
    match path {
        [Seg::Key("services"), Seg::Key(_), rest @ ..] => CASTS
            .iter()
            .find(|(pattern, _)| matches(pattern, rest))
            .map(|(_, cast)| *cast),
        [Seg::Key(top), Seg::Key(_), Seg::Key(key)] => OBJECT_CASTS
            .iter()
            .any(|(t, k)| t == top && k == key)
            .then_some(Cast::Bool),
        _ => None,
    }
}

fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Interpolate every string value of one file's map in place.
pub(crate) fn interpolate(map: &mut Mapping, vars: &Vars) -> Result<()> {
    let mut path = Vec::new();
    walk_map(map, vars, &mut path)
}

fn walk_map<'a>(map: &'a mut Mapping, vars: &Vars, path: &mut Vec<Seg<'a>>) -> Result<()> {
    for (key, value) in map.iter_mut() {
        // yaml.rs guarantees string keys; anything else is left alone.
        let Value::String(key) = key else { continue };
        path.push(Seg::Key(key.as_str()));
        walk(value, vars, path)?;
        path.pop();
    }
    Ok(())
}

fn walk<'a>(value: &'a mut Value, vars: &Vars, path: &mut Vec<Seg<'a>>) -> Result<()> {
    match value {
        Value::Mapping(map) => walk_map(map, vars, path),
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(Seg::Index(i));
                walk(item, vars, path)?;
                path.pop();
            }
            Ok(())
        }
        Value::String(text) => {
            let at = |message: String| Error::at_path(display_path(path), message);
            let new = substitute(text, vars).map_err(|e| match e {
                SubstError::Invalid => at(format!(
                    "invalid interpolation format: {text:?}; you may need to escape any $ with another $"
                )),
                SubstError::Required { name, message } if message.is_empty() => {
                    at(format!("required variable {name} is missing a value"))
                }
                SubstError::Required { name, message } => {
                    at(format!("required variable {name} is missing a value: {message}"))
                }
            })?;
            // As the CLI: a string that substitution left unchanged is not cast either.
            if new == *text {
                return Ok(());
            }
            let cast = match cast_for(path) {
                None => Value::String(new),
                Some(cast) => apply(cast, &new).ok_or_else(|| {
                    at(format!(
                        "failed to cast to expected type: {new:?} is not {}",
                        match cast {
                            Cast::Int => "an integer",
                            Cast::Float => "a number",
                            Cast::Bool => "a boolean (true/false, yes/no, on/off, y/n)",
                        }
                    ))
                })?,
            };
            *value = cast;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Go's `strconv.Atoi`, `strconv.ParseFloat` and the CLI's `toBoolean`.
fn apply(cast: Cast, text: &str) -> Option<Value> {
    match cast {
        Cast::Int => text.parse::<i64>().ok().map(|n| Value::Number(n.into())),
        Cast::Float => text.parse::<f64>().ok().map(|f| Value::Number(f.into())),
        Cast::Bool => match text.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "on" => Some(Value::Bool(true)),
            "n" | "no" | "false" | "off" => Some(Value::Bool(false)),
            _ => None,
        },
    }
}

#[cfg(test)]
#[path = "interpolate/tests.rs"]
mod tests;
