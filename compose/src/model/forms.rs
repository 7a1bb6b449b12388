//! The compose file's alternative forms, read into one canonical form each, as the CLI's
//! loader transforms them: string-or-list, list-or-dict (`KEY=value` lists), shell-split
//! extra_hosts. Shell-split commands are in `shell`, `external:` and ulimits in `objects`.

use super::units::go_float;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// How a value is named in messages, after the CLI's "must be a string".
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A number as Go's `fmt.Sprint` writes it (ints in decimal, floats as `%g`).
pub fn number_text(n: &serde_yaml_ng::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_float(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// A string or a number as text (the schema's `["string", "number"]`); `None` otherwise.
fn string_or_number(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(number_text(n)),
        _ => None,
    }
}

pub(super) fn key_text(k: &Value) -> Result<String, String> {
    match k {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(number_text(n)),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("keys must be strings, not {}", kind(other))),
    }
}

pub(super) fn strings(v: Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Sequence(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(format!(
                    "{what} items must be strings, not {}",
                    kind(&other)
                )),
            })
            .collect(),
        other => Err(format!("must be a list of strings, not {}", kind(&other))),
    }
}

/// `["string", list of strings]`: `dns`, `dns_search`, `env_file`, `tmpfs`.
pub fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(vec![s]),
        Value::Sequence(items) => strings(Value::Sequence(items), "list").map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "must be a string or a list of strings, not {}",
            kind(&other)
        ))),
    }
}

/// A list of strings, strictly (`cap_add`, `constraints`, `aliases`...).
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    strings(Value::deserialize(d)?, "list").map_err(D::Error::custom)
}

/// The schema's `list_or_dict`, with `null` / bare `KEY` kept as `None` (environment).
pub fn mapping_with_nulls<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<String>>, D::Error> {
    list_or_dict(Value::deserialize(d)?, '=').map_err(D::Error::custom)
}

/// The schema's `list_or_dict` where a missing value is "" (labels, sysctls).
pub fn mapping<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let map = list_or_dict(Value::deserialize(d)?, '=').map_err(D::Error::custom)?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

/// A plain map of string-or-number values (`driver_opts`, `logging.options`); null is "".
pub fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Mapping(map) => map
            .into_iter()
            .map(|(k, v)| {
                let key = key_text(&k)?;
                let value = match &v {
                    Value::Null => String::new(),
                    _ => string_or_number(&v).ok_or_else(|| {
                        format!("{key} must be a string or a number, not {}", kind(&v))
                    })?,
                };
                Ok((key, value))
            })
            .collect::<Result<_, String>>()
            .map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "must be a mapping, not {}",
            kind(&other)
        ))),
    }
}

fn list_or_dict(v: Value, sep: char) -> Result<BTreeMap<String, Option<String>>, String> {
    match v {
        Value::Mapping(map) => map
            .into_iter()
            .map(|(k, v)| {
                let key = key_text(&k)?;
                let value = match &v {
                    Value::Null => None,
                    _ => Some(string_or_number(&v).ok_or_else(|| {
                        format!("{key} must be a string, number or null, not {}", kind(&v))
                    })?),
                };
                Ok((key, value))
            })
            .collect(),
        Value::Sequence(_) => Ok(strings(v, "list")?
            .into_iter()
            .map(|item| match item.split_once(sep) {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (item, None),
            })
            .collect()),
        other => Err(format!("must be a mapping or a list, not {}", kind(&other))),
    }
}

/// `extra_hosts` as the CLI keeps them: "host:ip" (brackets around an IPv6 address removed);
/// a list takes `host=ip` or `host:ip`, a map `host: ip` (sorted, nulls dropped).
pub fn extra_hosts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let pairs: Vec<String> = match Value::deserialize(d)? {
        Value::Mapping(map) => {
            let mut out = Vec::new();
            for (k, v) in map {
                let key = key_text(&k).map_err(D::Error::custom)?;
                if v.is_null() {
                    continue;
                }
                let value = string_or_number(&v).ok_or_else(|| {
                    D::Error::custom(format!("{key} must be a string or a number"))
                })?;
                out.push(format!("{key}:{value}"));
            }
            out.sort();
            out
        }
        other => strings(other, "extra_hosts")
            .map_err(D::Error::custom)?
            .into_iter()
            .filter_map(|e| {
                e.split_once('=')
                    .or_else(|| e.split_once(':'))
                    .map(|(k, v)| format!("{k}:{v}"))
            })
            .collect(),
    };
    Ok(pairs
        .into_iter()
        .map(|pair| {
            let (host, ip) = pair.split_once(':').unwrap_or((&pair, ""));
            let ip = match ip.strip_prefix('[').and_then(|i| i.strip_suffix(']')) {
                Some(inner) if ip.len() > 2 => inner,
                _ => ip,
            };
            format!("{host}:{ip}")
        })
        .collect())
}
