//! Bounded YAML reading: one compose file's text -> a `serde_yaml_ng::Value` mapping.
//!
//! serde_yaml_ng stops nesting at 128 levels and alias jumps at 100 per event, but the jump
//! limit does not bound memory: a 100k-element anchor aliased 50k times stays under it and
//! expands to billions of nodes. So the value is built by our own visitor that counts every
//! node and string byte it creates (aliases are expanded through it too) and gives up at a
//! fixed budget. It also reads plain scalars as the CLI's Go YAML (yaml.v3) does where
//! serde_yaml_ng's YAML 1.2 reading differs: `010` is 8, `08` is 8.0, `1_000` is 1000.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_yaml_ng::{Mapping, Value};

use crate::{Error, Result, Source};

/// Larger texts are refused before parsing.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Nodes after alias expansion; a 1 MiB flow list of one-digit numbers has ~500k.
pub const MAX_NODES: usize = 1_000_000;
/// String bytes after alias expansion (an aliased long string is copied each time).
pub const MAX_STRING_BYTES: usize = 32 * 1024 * 1024;
/// Below serde_yaml_ng's own 128 so the message is ours; compose files nest ~8 deep.
pub const MAX_DEPTH: usize = 100;

/// Parse one file: size check, bounded parse, `<<` merge keys applied, a mapping at the top.
pub fn parse(source: &Source) -> Result<Mapping> {
    let file = source.name.as_str();
    if source.text.len() > MAX_BYTES {
        return Err(Error::new(format!(
            "file is {} bytes, over the limit of {MAX_BYTES} bytes (1 MiB)",
            source.text.len()
        ))
        .in_file(file));
    }
    check_depth(&source.text).map_err(|e| e.in_file(file))?;
    let mut budget = Budget {
        text: &source.text,
        nodes: 0,
        bytes: 0,
    };
    let seed = Node {
        budget: &mut budget,
        depth: 0,
    };
    let mut value = seed
        .deserialize(serde_yaml_ng::Deserializer::from_str(&source.text))
        .map_err(|e| yaml_error(&e).in_file(file))?;
    value
        .apply_merge()
        .map_err(|e| Error::new(format!("merge key `<<`: {}", plain_message(&e))).in_file(file))?;
    match value {
        Value::Mapping(map) => Ok(map),
        // The CLI's own wording (loader.ParseYAML).
        _ => Err(Error::new("top-level object must be a mapping").in_file(file)),
    }
}

/// A serde_yaml_ng error as ours: the position moves to `location`, out of the message.
fn yaml_error(e: &serde_yaml_ng::Error) -> Error {
    let mut err = Error::new(plain_message(e));
    err.location = e.location().map(|l| (l.line(), l.column()));
    err
}

fn plain_message(e: &serde_yaml_ng::Error) -> String {
    let text = e.to_string();
    // serde_yaml_ng's alias-jump limit, said in words a user can act on.
    if text == "repetition limit exceeded" {
        return "aliases expand too many times (an alias bomb?): repetition limit exceeded".into();
    }
    match e.location() {
        Some(l) => text.replacen(
            &format!(" at line {} column {}", l.line(), l.column()),
            "",
            1,
        ),
        None => text,
    }
}

/// Stream libyaml's events, building nothing, and stop at the first one past [`MAX_DEPTH`].
/// Syntax errors are left to the real parse, which words them.
fn check_depth(text: &str) -> Result<()> {
    use std::mem::MaybeUninit;
    use unsafe_libyaml as unsafe_sys;

    /// Frees the parser's buffers however the loop ends.
    struct Parser(Box<MaybeUninit<unsafe_sys::yaml_parser_t>>);
    impl Drop for Parser {
        fn drop(&mut self) {
            // SAFETY: only built after yaml_parser_initialize succeeded.
            unsafe { unsafe_sys::yaml_parser_delete(self.0.as_mut_ptr()) }
        }
    }

    let mut boxed = Box::new(MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit());
    // SAFETY: the parser lives in a Box (libyaml keeps pointers into itself, so it must not
    // move) and reads `text`, which outlives it; every event is deleted after its fields are
    // copied out; the Drop guard deletes the parser.
    unsafe {
        if unsafe_sys::yaml_parser_initialize(boxed.as_mut_ptr()).fail {
            return Err(Error::new("out of memory while reading YAML"));
        }
        let mut parser = Parser(boxed);
        let p = parser.0.as_mut_ptr();
        unsafe_sys::yaml_parser_set_encoding(p, unsafe_sys::YAML_UTF8_ENCODING);
        unsafe_sys::yaml_parser_set_input_string(p, text.as_ptr(), text.len() as u64);
        let mut depth = 0usize;
        loop {
            let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
            if unsafe_sys::yaml_parser_parse(p, event.as_mut_ptr()).fail {
                return Ok(());
            }
            let e = event.as_mut_ptr();
            let (kind, mark) = ((*e).type_, (*e).start_mark);
            unsafe_sys::yaml_event_delete(e);
            match kind {
                unsafe_sys::YAML_SEQUENCE_START_EVENT | unsafe_sys::YAML_MAPPING_START_EVENT => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        let mut err = Error::new(format!("nested deeper than {MAX_DEPTH} levels"));
                        err.location = Some((mark.line as usize + 1, mark.column as usize + 1));
                        return Err(err);
                    }
                }
                unsafe_sys::YAML_SEQUENCE_END_EVENT | unsafe_sys::YAML_MAPPING_END_EVENT => {
                    depth = depth.saturating_sub(1)
                }
                unsafe_sys::YAML_STREAM_END_EVENT => return Ok(()),
                _ => {}
            }
        }
    }
}

struct Budget<'t> {
    text: &'t str,
    nodes: usize,
    bytes: usize,
}

impl Budget<'_> {
    fn node<E: de::Error>(&mut self, string_bytes: usize) -> std::result::Result<(), E> {
        self.nodes += 1;
        self.bytes += string_bytes;
        if self.nodes > MAX_NODES {
            return Err(E::custom(format!(
                "more than {MAX_NODES} nodes after expanding aliases (an alias bomb?)"
            )));
        }
        if self.bytes > MAX_STRING_BYTES {
            return Err(E::custom(format!(
                "more than {MAX_STRING_BYTES} bytes of strings after expanding aliases"
            )));
        }
        Ok(())
    }

    /// A borrowed scalar points into the text; a quote just before it means it was quoted.
    /// Plain scalars cannot start right after a quote character in valid YAML.
    fn is_plain(&self, s: &str) -> bool {
        let start = (s.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if start > self.text.len() {
            return false;
        }
        !matches!(
            self.text.as_bytes().get(start.wrapping_sub(1)),
            Some(b'"' | b'\'')
        )
    }
}

struct Node<'b, 't> {
    budget: &'b mut Budget<'t>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Node<'_, '_> {
    fn nest<E: de::Error>(&mut self) -> std::result::Result<usize, E> {
        self.budget.node::<E>(0)?;
        if self.depth + 1 > MAX_DEPTH {
            return Err(E::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(self.depth + 1)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        self.budget.node(0)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        self.budget.node(0)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        self.budget.node(0)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        self.budget.node(0)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        self.budget.node(0)?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Value, E> {
        self.visit_unit()
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Value, E> {
        self.budget.node(v.len())?;
        if self.budget.is_plain(v)
            && let Some(number) = go_number(v)
        {
            return Ok(number);
        }
        Ok(Value::String(v.to_owned()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        // Not borrowed: escapes, block scalars, or tagged — never a plain number.
        self.budget.node(v.len())?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let depth = self.nest()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Node {
            budget: self.budget,
            depth,
        })? {
            out.push(v);
        }
        Ok(Value::Sequence(out))
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<Value, A::Error> {
        let depth = self.nest()?;
        let mut out = Mapping::new();
        while let Some(key) = map.next_key_seed(Node {
            budget: self.budget,
            depth,
        })? {
            let Value::String(name) = key else {
                return Err(de::Error::custom(format!(
                    "mapping keys must be strings, found {}",
                    describe(&key)
                )));
            };
            let value = map.next_value_seed(Node {
                budget: self.budget,
                depth,
            })?;
            // yaml.v3 refuses duplicates too ("mapping key ... already defined").
            if out.contains_key(name.as_str()) {
                return Err(de::Error::custom(format!(
                    "mapping key {name:?} already defined"
                )));
            }
            out.insert(Value::String(name), value);
        }
        Ok(Value::Mapping(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> std::result::Result<Value, A::Error> {
        Err(de::Error::custom(
            "YAML tags (`!name`) are not supported in compose files",
        ))
    }
}

pub(crate) fn describe(v: &Value) -> &'static str {
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

/// yaml.v3's reading of a plain scalar that serde_yaml_ng left a string: underscores dropped,
/// then Go's `ParseInt(s, 0, 64)` (a leading 0 means octal), then its float pattern.
/// Only strings made of number characters get here, so words never change.
fn go_number(s: &str) -> Option<Value> {
    let first = s.bytes().next()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    let radix_digits = match body.get(..2) {
        Some("0x" | "0X") => Some((16, &body[2..])),
        Some("0o" | "0O") => Some((8, &body[2..])),
        Some("0b" | "0B") => Some((2, &body[2..])),
        _ if body.len() > 1 && body.starts_with('0') => Some((8, &body[1..])),
        _ => Some((10, body)),
    };
    if let Some((radix, digits)) = radix_digits
        && !digits.is_empty()
        && !digits.starts_with(['+', '-'])
        && let Ok(n) = i128::from_str_radix(digits, radix)
    {
        let n = if negative { -n } else { n };
        if let Ok(n) = i64::try_from(n) {
            return Some(Value::Number(n.into()));
        }
        if let Ok(n) = u64::try_from(n) {
            return Some(Value::Number(n.into()));
        }
    }
    // Go's yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    if is_go_float(&plain) {
        return plain.parse::<f64>().ok().map(|f| Value::Number(f.into()));
    }
    None
}

fn is_go_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let digits = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 0;
    if b.first() == Some(&b'.') {
        let n = digits(1);
        if n == 0 {
            return false;
        }
        i = 1 + n;
    } else {
        let n = digits(0);
        if n == 0 {
            return false;
        }
        i += n;
        if b.get(i) == Some(&b'.') {
            i += 1 + digits(i + 1);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

#[cfg(test)]
#[path = "yaml/tests.rs"]
mod tests;
