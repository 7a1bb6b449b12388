//! Service `volumes:`: the short syntax ("data:/var/lib/data:ro", "/host:/ctr", "/anon") read
//! as the CLI's volumespec parser reads it, and the long syntax (volume / bind / tmpfs, ...).

use super::forms::kind;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_yaml_ng::Value;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceVolume {
    /// volume, bind, tmpfs, npipe, image or cluster (what the CLI's converter knows).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub target: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<BindOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmpfs: Option<TmpfsOptions>,
}

/// The schema lets these three carry other keys (it sets no `additionalProperties`): ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BindOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VolumeOptions {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nocopy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TmpfsOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

pub fn volumes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ServiceVolume>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Sequence(items) => items,
        other => {
            return Err(D::Error::custom(format!(
                "must be a list, not {}",
                kind(&other)
            )));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => {
                parse_short(&s).map_err(|e| D::Error::custom(format!("[{i}]: {e}")))
            }
            Value::Mapping(_) => ServiceVolume::deserialize(item)
                .map_err(|e| D::Error::custom(format!("[{i}]: {e}"))),
            other => Err(D::Error::custom(format!(
                "[{i}]: invalid type {} for service volume",
                kind(&other)
            ))),
        })
        .collect()
}

const PROPAGATIONS: [&str; 6] = [
    "rprivate", "private", "rshared", "shared", "rslave", "slave",
];

/// The CLI's `volumespec.Parse`: `[source:]target[:options]`, options `ro`, `rw`, `nocopy`
/// and a bind propagation; a source that looks like a path (`.`, `/`, `~`, a drive) is a bind.
pub fn parse_short(spec: &str) -> Result<ServiceVolume, String> {
    let mut volume = ServiceVolume::default();
    let chars: Vec<char> = spec.chars().collect();
    match chars.len() {
        0 => return Err("invalid empty volume spec".into()),
        1 | 2 => {
            volume.target = spec.to_string();
            volume.kind = "volume".into();
            return Ok(volume);
        }
        _ => {}
    }
    let mut buffer: Vec<char> = Vec::new();
    let end = chars.len();
    for i in 0..=end {
        let c = chars.get(i).copied();
        let drive = c == Some(':') && buffer.len() == 1 && buffer[0].is_alphabetic();
        if drive || (c != Some(':') && c.is_some()) {
            buffer.extend(c);
            continue;
        }
        let field: String = buffer.iter().collect();
        buffer.clear();
        let last = c.is_none();
        let fail = |why: &str| format!("invalid spec: {spec}: {why}");
        if field.is_empty() {
            return Err(fail("empty section between colons"));
        }
        if volume.source.is_none() && last {
            volume.target = field;
        } else if volume.source.is_none() {
            volume.source = Some(field);
        } else if volume.target.is_empty() {
            volume.target = field;
        } else if !last {
            return Err(fail("too many colons"));
        } else {
            for option in field.split(',') {
                match option {
                    "ro" => volume.read_only = true,
                    "rw" => volume.read_only = false,
                    "nocopy" => volume.volume = Some(VolumeOptions { nocopy: true }),
                    p if PROPAGATIONS.contains(&p) => {
                        volume.bind = Some(BindOptions {
                            propagation: Some(p.to_string()),
                        })
                    }
                    _ => {}
                }
            }
        }
    }
    volume.kind = match &volume.source {
        Some(source) if is_file_path(source) => "bind".into(),
        _ => "volume".into(),
    };
    Ok(volume)
}

fn is_file_path(source: &str) -> bool {
    let mut chars = source.chars();
    let first = chars.next();
    if matches!(first, Some('.' | '/' | '~')) {
        return true;
    }
    if source.chars().count() == 1 {
        return false;
    }
    if source.starts_with("\\\\") {
        return true;
    }
    matches!((first, chars.next()), (Some(f), Some(':')) if f.is_alphabetic())
}
