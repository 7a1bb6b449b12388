//! Durations and byte sizes written as the docker CLI reads them: Go's `time.ParseDuration`
//! ("1m30s", "500ms", "1.5h") and go-units' `RAMInBytes` ("512M", "1g", "1.5 GiB"), and Go's
//! `%v` for numbers (what a map value like `A: 1.5` becomes), so specs match the CLI's.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Nanoseconds, read from Go duration syntax, written back in Go's `Duration.String` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub i64);

const UNITS: [(&str, u64); 9] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("", 0),
];

/// Go's `time.ParseDuration`, including its errors' conditions (a bare number other than 0
/// has no unit and fails, as in Go).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || format!("time: invalid duration \"{text}\"");
    let mut s = text;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let limit: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(bad());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u64 = 0;
        for c in &b[..int_len] {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
                .filter(|v| *v <= limit)
                .ok_or_else(bad)?;
        }
        s = &s[int_len..];
        let (mut frac, mut scale, mut frac_len) = (0u64, 1f64, 0usize);
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            let digits = s.bytes().take_while(|c| c.is_ascii_digit()).count();
            let mut overflow = false;
            for c in s[..digits].bytes() {
                if overflow {
                    continue;
                }
                match frac
                    .checked_mul(10)
                    .and_then(|f| f.checked_add(u64::from(c - b'0')))
                {
                    Some(f) if f <= limit => {
                        frac = f;
                        scale *= 10.0;
                    }
                    _ => overflow = true,
                }
            }
            frac_len = digits;
            s = &s[digits..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(bad());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration \"{text}\""));
        }
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let mult = UNITS
            .iter()
            .find(|(name, m)| *name == unit && *m > 0)
            .map(|(_, m)| *m)
            .ok_or_else(|| format!("time: unknown unit \"{unit}\" in duration \"{text}\""))?;
        if v > limit / mult {
            return Err(bad());
        }
        v *= mult;
        if frac > 0 {
            v += (frac as f64 * (mult as f64 / scale)) as u64;
            if v > limit {
                return Err(bad());
            }
        }
        total = total
            .checked_add(v)
            .filter(|t| *t <= limit)
            .ok_or_else(bad)?;
    }
    if neg {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    i64::try_from(total).map_err(|_| bad())
}

/// Go's `time.Duration.String`: "1h0m0s", "1m30s", "1.5s", "500ms", "0s".
pub fn format_duration(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (prec, unit) = match u {
            0 => return "0s".into(),
            1..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let frac = frac_part(&mut u, prec);
        out = format!("{u}{frac}{unit}");
    } else {
        let frac = frac_part(&mut u, 9);
        let secs = u % 60;
        u /= 60;
        out.push_str(&format!("{secs}{frac}s"));
        if u > 0 {
            out = format!("{}m{out}", u % 60);
            u /= 60;
            if u > 0 {
                out = format!("{u}h{out}");
            }
        }
    }
    if neg { format!("-{out}") } else { out }
}

/// The `prec` low decimal digits of `v` as ".ddd" without trailing zeros; `v` keeps the rest.
fn frac_part(v: &mut u64, prec: u32) -> String {
    let pow = 10u64.pow(prec);
    let frac = *v % pow;
    *v /= pow;
    if frac == 0 {
        return String::new();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!(".{}", digits.trim_end_matches('0'))
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = match serde_yaml_ng::Value::deserialize(d)? {
            serde_yaml_ng::Value::String(s) => s,
            other => {
                return Err(D::Error::custom(format!(
                    "must be a string (a duration like \"1m30s\"), not {}",
                    super::forms::kind(&other)
                )));
            }
        };
        parse_duration(&text)
            .map(Duration)
            .map_err(D::Error::custom)
    }
}

/// Bytes, read as go-units' `RAMInBytes` reads them (binary multiples: 1k = 1024), written as
/// the CLI writes them: a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bytes(pub i64);

/// go-units' `RAMInBytes`: "512M", "1g", "1.5 GiB", "100" (bytes), "1kb".
pub fn parse_ram_bytes(text: &str) -> Result<i64, String> {
    let bad = || format!("invalid size: '{text}'");
    let sep = text
        .rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
        .ok_or_else(bad)?;
    let (num, sfx) = if text.as_bytes()[sep] == b' ' {
        (&text[..sep], &text[sep + 1..])
    } else {
        (&text[..=sep], &text[sep + 1..])
    };
    let size: f64 = go_parse_float(num)
        .ok_or_else(|| format!("strconv.ParseFloat: parsing \"{num}\": invalid syntax"))?;
    if size < 0.0 {
        return Err(bad());
    }
    if sfx.is_empty() {
        return Ok(size as i64);
    }
    let bad_suffix = || format!("invalid suffix: '{}'", sfx.to_lowercase());
    if sfx.len() > 3 {
        return Err(bad_suffix());
    }
    let sfx = sfx.to_lowercase();
    let b = sfx.as_bytes();
    if b[0] == b'b' {
        return if b.len() > 1 {
            Err(bad_suffix())
        } else {
            Ok(size as i64)
        };
    }
    let mult: f64 = match b[0] {
        b'k' => 1024.0,
        b'm' => 1024.0 * 1024.0,
        b'g' => 1024.0 * 1024.0 * 1024.0,
        b't' => 1024f64.powi(4),
        b'p' => 1024f64.powi(5),
        _ => return Err(bad_suffix()),
    };
    if (b.len() == 2 && b[1] != b'b') || (b.len() == 3 && &sfx[1..] != "ib") {
        return Err(bad_suffix());
    }
    Ok((size * mult) as i64)
}

/// The decimal forms of Go's `strconv.ParseFloat` that a size can hold (digits, one dot, an
/// exponent, a sign); Rust's parser also takes "inf" and "nan", which Go's sizes never reach
/// because they hold no digit.
fn go_parse_float(num: &str) -> Option<f64> {
    let ok = !num.is_empty()
        && num
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if ok { num.parse().ok() } else { None }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_yaml_ng::Value::deserialize(d)? {
            serde_yaml_ng::Value::String(s) => {
                parse_ram_bytes(&s).map(Bytes).map_err(D::Error::custom)
            }
            other => Err(D::Error::custom(format!(
                "must be a string (a size like \"512M\"), not {}",
                super::forms::kind(&other)
            ))),
        }
    }
}

/// Go's `fmt.Sprint` of a float64 (`%g`, shortest): exponent form below 1e-4 or from 1e6.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    } else {
        format!("{f}")
    }
}
