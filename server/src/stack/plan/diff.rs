//! A generic diff of two specs as JSON, in dotted paths (`TaskTemplate.ContainerSpec.Image`)
//! with compact JSON values. Absent, null, false, 0, "", [] and {} are one value here, as
//! they are to the engine's Go types (fields with `omitempty` drop them on the way back).
//! Environment values and secret/config data are never shown: "(hidden)".

use flotilla_app::stacks::FieldChange;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const HIDDEN: &str = "(hidden)";
const ENV_PATH: &str = "TaskTemplate.ContainerSpec.Env";

/// The changes from `old` to `new`, in path order.
pub fn changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", "", old, new, &mut out);
    out
}

fn walk(path: &str, key: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if zero(key, old) && zero(key, new) {
        return;
    }
    if path == ENV_PATH {
        return environment(old, new, out);
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let child = join(path, k);
                walk(&child, k, field(a, k), field(b, k), out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(&join(path, &i.to_string()), "", x, y, out);
            }
        }
        _ if equal(key, old, new) => {}
        _ => out.push(FieldChange {
            path: path.to_string(),
            old: shown(key, old),
            new: shown(key, new),
        }),
    }
}

fn field<'a>(map: &'a Map<String, Value>, key: &str) -> &'a Value {
    map.get(key).unwrap_or(&Value::Null)
}

fn join(path: &str, key: &str) -> String {
    match path {
        "" => key.to_string(),
        _ => format!("{path}.{key}"),
    }
}

/// Zero in Go's sense; the empty `Global: {}` of a mode is a value, not nothing.
fn zero(key: &str, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => {
            !matches!(key, "Global" | "GlobalJob") && o.iter().all(|(k, v)| zero(k, v))
        }
    }
}

fn equal(key: &str, a: &Value, b: &Value) -> bool {
    let mut found = Vec::new();
    walk_equal(key, a, b, &mut found);
    found.is_empty()
}

/// `walk` without the environment's special case, for whole-array comparisons.
fn walk_equal(key: &str, a: &Value, b: &Value, out: &mut Vec<()>) {
    if zero(key, a) && zero(key, b) {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                walk_equal(k, field(x, k), field(y, k), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (p, q) in x.iter().zip(y) {
                walk_equal("", p, q, out);
            }
        }
        _ if a == b => {}
        _ => out.push(()),
    }
}

fn shown(key: &str, value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        _ if key == "Data" => Some(HIDDEN.to_string()),
        _ => Some(value.to_string()),
    }
}

/// `KEY=value` lists compared by name: which variables come, go or change, never a value.
fn environment(old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    let (a, b) = (variables(old), variables(new));
    let hidden = |present: bool| present.then(|| HIDDEN.to_string());
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let before = out.len();
    for name in names {
        let (x, y) = (a.get(name), b.get(name));
        if x != y {
            out.push(FieldChange {
                path: format!("{ENV_PATH}.{name}"),
                old: hidden(x.is_some()),
                new: hidden(y.is_some()),
            });
        }
    }
    // Same variables in another order: still a change to the engine.
    if out.len() == before && old != new {
        out.push(FieldChange {
            path: ENV_PATH.to_string(),
            old: hidden(true),
            new: hidden(true),
        });
    }
}

/// Name -> the whole entry (`NAME` alone is a variable passed without a value).
fn variables(list: &Value) -> BTreeMap<String, String> {
    let entries = list.as_array().map(Vec::as_slice).unwrap_or_default();
    entries
        .iter()
        .filter_map(Value::as_str)
        .map(|entry| {
            let name = entry.split_once('=').map_or(entry, |(n, _)| n);
            (name.to_string(), entry.to_string())
        })
        .collect()
}
