//! Validators for single form fields. Pure and shared: the browser runs them as the user
//! types, the server runs them again before anything reaches Docker. Every error names the
//! field it belongs to.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Longest text accepted in any single field: bounds memory and Docker's own limits.
pub const MAX_FIELD: usize = 4096;

/// Docker object names (services, networks): 1-63 characters, letters, digits, `_ . -`,
/// starting with a letter or digit. Docker uses them as DNS names on overlay networks.
pub fn object_name(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if v.len() > 63 {
        return Err(FieldError::new(field, "must be at most 63 characters"));
    }
    if !v.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(field, "must start with a letter or digit"));
    }
    if let Some(bad) = v
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.-".contains(*c)))
    {
        return Err(FieldError::new(
            field,
            format!("may not contain {bad:?}: use letters, digits, '_', '.', '-'"),
        ));
    }
    Ok(v.to_string())
}

/// An image reference: `[registry[:port]/]path[:tag][@digest]`, lowercase path components.
pub fn image_ref(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let bad = |why: &str| Err(FieldError::new(field, why.to_string()));
    if v.is_empty() {
        return bad("is required");
    }
    if v.len() > 255 {
        return bad("must be at most 255 characters");
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("may not contain spaces");
    }
    let (name, digest) = match v.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (v, None),
    };
    if let Some(d) = digest {
        let hex = d.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return bad("has a malformed digest (expected @sha256: and 64 hex digits)");
        }
    }
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            return bad("has a malformed tag (letters, digits, '_', '.', '-'; at most 128)");
        }
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    // A first component with '.', ':' or "localhost" is a registry host, which may hold
    // uppercase letters and a port.
    if parts.len() > 1
        && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
    {
        let host = parts.remove(0);
        let (hostname, port) = host.split_once(':').unwrap_or((host, ""));
        let host_ok = !hostname.is_empty()
            && hostname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
        if !host_ok
            || (!port.is_empty() && port.parse::<u16>().is_err())
            || (host.contains(':') && port.is_empty())
        {
            return bad("has a malformed registry host");
        }
    }
    for part in parts {
        let ok = !part.is_empty()
            && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if !ok {
            return bad(
                "has a malformed name: path parts are lowercase letters, digits and '.', '_', '-'",
            );
        }
    }
    Ok(v.to_string())
}

/// A whole number within bounds; empty means `default`.
pub fn number(
    field: &str,
    value: &str,
    min: u64,
    max: u64,
    default: u64,
) -> Result<u64, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(default);
    }
    let n: u64 = v.parse().map_err(|_| {
        FieldError::new(field, format!("must be a whole number from {min} to {max}"))
    })?;
    if n < min || n > max {
        return Err(FieldError::new(
            field,
            format!("must be from {min} to {max}"),
        ));
    }
    Ok(n)
}

/// A Go-style duration ("10s", "1m30s", "500ms", "0") in nanoseconds, at most a day.
pub fn duration_ns(field: &str, value: &str) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || FieldError::new(field, "must be a duration such as 500ms, 10s, 1m30s");
    if v == "0" {
        return Ok(Some(0));
    }
    let mut total: f64 = 0.0;
    let mut rest = v;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let amount: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += amount * scale;
        rest = &rest[unit_len..];
    }
    if total > 86_400e9 {
        return Err(FieldError::new(field, "must be at most 24h"));
    }
    Ok(Some(total as i64))
}

/// Memory such as "512M", "1.5G", "1048576" (bytes), between 4 MiB and 1 TiB.
pub fn memory_bytes(field: &str, value: &str) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            field,
            "must be a size such as 512M or 2G (at least 4M, at most 1T)",
        )
    };
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let amount: f64 = v[..split].parse().map_err(|_| bad())?;
    let scale = match v[split..].to_ascii_lowercase().trim_end_matches(['b', 'i']) {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = amount * scale;
    if !(4.0 * 1024.0 * 1024.0..=1024.0_f64.powi(4)).contains(&bytes) {
        return Err(bad());
    }
    Ok(Some(bytes as i64))
}

/// CPUs such as "0.5" or "2", as Docker's NanoCPUs; at most 1024.
pub fn nano_cpus(field: &str, value: &str) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(cpus) if cpus > 0.0 && cpus <= 1024.0 => Ok(Some((cpus * 1e9) as i64)),
        _ => Err(FieldError::new(
            field,
            "must be a number of CPUs above 0 and at most 1024, such as 0.5",
        )),
    }
}

/// `KEY=VALUE` lines (env, labels). Empty lines are skipped; every other line needs a key.
pub fn key_values(
    field: &str,
    text: &str,
    env_style: bool,
) -> Result<Vec<(String, String)>, FieldError> {
    if text.len() > MAX_FIELD * 4 {
        return Err(FieldError::new(field, "is too long"));
    }
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let Some((key, value)) = line.split_once('=') else {
            return Err(FieldError::new(
                field,
                format!("line {}: expected KEY=VALUE", i + 1),
            ));
        };
        let key = key.trim();
        let key_ok = !key.is_empty()
            && !key.chars().any(|c| c.is_whitespace() || c.is_control())
            && (!env_style || !key.starts_with(|c: char| c.is_ascii_digit()));
        if !key_ok {
            return Err(FieldError::new(
                field,
                format!("line {}: {key:?} is not a valid name", i + 1),
            ));
        }
        out.push((key.to_string(), value.to_string()));
    }
    Ok(out)
}

/// A placement constraint: `<attribute> == <value>` or `!=`, on an attribute Docker knows.
pub fn constraint(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let (op, (attr, expected)) = match (v.split_once("=="), v.split_once("!=")) {
        (Some(parts), None) => ("==", parts),
        (None, Some(parts)) => ("!=", parts),
        _ => {
            return Err(FieldError::new(
                field,
                format!("{v:?}: expected ATTRIBUTE == VALUE or ATTRIBUTE != VALUE"),
            ));
        }
    };
    let (attr, expected) = (attr.trim(), expected.trim());
    let known = [
        "node.id",
        "node.hostname",
        "node.role",
        "node.platform.os",
        "node.platform.arch",
    ]
    .contains(&attr)
        || ["node.labels.", "engine.labels."]
            .iter()
            .any(|p| attr.strip_prefix(p).is_some_and(|k| !k.is_empty()));
    if !known {
        return Err(FieldError::new(
            field,
            format!(
                "{attr:?} is not a constraint attribute (node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.*, engine.labels.*)"
            ),
        ));
    }
    if expected.is_empty() || expected.chars().any(|c| c.is_whitespace()) {
        return Err(FieldError::new(
            field,
            format!("{v:?}: the value must be one word"),
        ));
    }
    if attr == "node.role" && !["manager", "worker"].contains(&expected) {
        return Err(FieldError::new(field, "node.role is manager or worker"));
    }
    Ok(format!("{attr} {op} {expected}"))
}

#[cfg(test)]
mod tests;
