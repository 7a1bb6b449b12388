//! Two small typed forms: `external: true | {name}` and ulimits (`n` or `{soft, hard}`).

use super::forms::{key_text, kind};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// `external: true` or `external: {name: x}` (the latter meaning external, named x).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct External {
    pub external: bool,
    pub name: Option<String>,
}

impl<'de> Deserialize<'de> for External {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(external) => Ok(External {
                external,
                name: None,
            }),
            Value::Mapping(map) => {
                let mut name = None;
                for (k, v) in map {
                    match (k.as_str(), v) {
                        (Some("name"), Value::String(s)) => name = Some(s),
                        (Some("name"), other) => {
                            return Err(D::Error::custom(format!(
                                "external.name must be a string, not {}",
                                kind(&other)
                            )));
                        }
                        (Some(k), _) if k.starts_with("x-") => {}
                        (k, _) => {
                            return Err(D::Error::custom(format!(
                                "external: unknown field `{}`",
                                k.unwrap_or("?")
                            )));
                        }
                    }
                }
                Ok(External {
                    external: true,
                    name,
                })
            }
            other => Err(D::Error::custom(format!(
                "must be a boolean or a mapping, not {}",
                kind(&other)
            ))),
        }
    }
}

impl Serialize for External {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.name {
            Some(name) => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("name", name)?;
                map.end()
            }
            None => s.serialize_bool(self.external),
        }
    }
}

/// `nofile: 1024` (soft = hard) or `nofile: {soft: 1024, hard: 2048}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Ulimit {
    Single(i64),
    Range { soft: i64, hard: i64 },
}

impl Ulimit {
    pub fn soft_hard(&self) -> (i64, i64) {
        match *self {
            Ulimit::Single(n) => (n, n),
            Ulimit::Range { soft, hard } => (soft, hard),
        }
    }
}

pub fn ulimits<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Ulimit>, D::Error> {
    match Value::deserialize(d)? {
        Value::Mapping(map) => map
            .into_iter()
            .map(|(k, v)| {
                let name = key_text(&k)?;
                let limit = match &v {
                    Value::Number(n) => n.as_i64().map(Ulimit::Single),
                    Value::Mapping(m) if m.len() == 2 => {
                        match (
                            m.get("soft").and_then(Value::as_i64),
                            m.get("hard").and_then(Value::as_i64),
                        ) {
                            (Some(soft), Some(hard)) => Some(Ulimit::Range { soft, hard }),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                limit.map(|l| (name.clone(), l)).ok_or_else(|| {
                    format!("ulimits.{name} must be an integer or {{soft, hard}} integers")
                })
            })
            .collect::<Result<_, String>>()
            .map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "must be a mapping, not {}",
            kind(&other)
        ))),
    }
}
