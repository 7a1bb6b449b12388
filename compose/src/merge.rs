//! Several `-c` files merged as the CLI merges them (cli/compose/loader/merge.go). The CLI
//! merges typed structs with mergo (WithOverride, WithAppendSlice, special cases); here the
//! same rules are applied to the raw maps, key by key:
//! - top level: services merged by name; networks, volumes, secrets and configs replaced
//!   whole per name; `version` and `x-*` from the first file (the CLI keeps its Extras).
//! - in a service: maps merge; a later scalar wins unless it is empty (null, "", false, 0),
//!   except the CLI's `*uint64` fields (replicas, parallelism, max_attempts, retries) where
//!   0 wins; other lists are appended (cap_add, dns, constraints...);
//! - ports by published port (short syntax expanded to the long form first; all unpublished
//!   ports share the key 0, as in the CLI), volumes by target, secrets and configs by source,
//!   each then sorted by that key — whenever the first file has the list, as mergo does;
//! - command/entrypoint replaced when non-empty; networks: aliases replaced, addresses when
//!   set; ulimits per name; logging options merged when the driver is the same.

use std::collections::BTreeMap;

use serde_yaml_ng::{Mapping, Value};

use crate::check::split_volume;

pub(crate) fn merge_files(base: &mut Mapping, over: Mapping) {
    for (key, value) in over {
        match key.as_str() {
            Some("services") => {
                let Value::Mapping(services) = value else {
                    continue;
                };
                let target = base
                    .entry(key)
                    .or_insert_with(|| Value::Mapping(Mapping::new()));
                let Value::Mapping(target) = target else {
                    continue;
                };
                for (name, service) in services {
                    match (target.get_mut(&name), service) {
                        (Some(Value::Mapping(old)), Value::Mapping(new)) => merge_service(old, new),
                        (_, service) => {
                            target.insert(name, service);
                        }
                    }
                }
            }
            Some("networks" | "volumes" | "secrets" | "configs") => {
                let Value::Mapping(objects) = value else {
                    continue;
                };
                let target = base
                    .entry(key)
                    .or_insert_with(|| Value::Mapping(Mapping::new()));
                if let Value::Mapping(target) = target {
                    target.extend(objects);
                }
            }
            _ => {}
        }
    }
}

fn merge_service(base: &mut Mapping, over: Mapping) {
    for (key, value) in over {
        let Some(name) = key.as_str().map(str::to_owned) else {
            continue;
        };
        match base.get_mut(&key) {
            Some(old) => merge_value(old, value, &[name.as_str()]),
            None => {
                base.insert(key, value);
            }
        }
    }
}

/// Paths (inside a service) of the CLI's `*uint64` fields: a later 0 still wins.
const KEEP_ZERO: &[&[&str]] = &[
    &["deploy", "replicas"],
    &["deploy", "update_config", "parallelism"],
    &["deploy", "rollback_config", "parallelism"],
    &["deploy", "restart_policy", "max_attempts"],
    &["healthcheck", "retries"],
];

fn merge_value(dst: &mut Value, src: Value, path: &[&str]) {
    match path {
        ["ports"] => return keyed(dst, src, port_entries),
        ["volumes"] => return keyed(dst, src, volume_entries),
        ["secrets" | "configs"] => return keyed(dst, src, source_entries),
        ["command" | "entrypoint"] | ["healthcheck", "test"] => {
            // The CLI appends healthcheck tests (a mergo slice); we replace, see the module.
            if !is_empty(&src) {
                *dst = src;
            }
            return;
        }
        ["networks"] => return networks(dst, src),
        ["ulimits"] => {
            let (Value::Mapping(d), Value::Mapping(s)) = (dst, src) else {
                return;
            };
            d.extend(s.into_iter().filter(|(_, v)| !is_empty(v)));
            return;
        }
        ["logging"] => return logging(dst, src),
        ["environment"] => return mapping(dst, src, true),
        ["labels" | "sysctls"] | ["deploy" | "build", "labels"] | ["build", "args"] => {
            return mapping(dst, src, false);
        }
        ["dns" | "dns_search" | "env_file" | "tmpfs" | "extra_hosts"] => {
            let mut list = as_list(std::mem::take(dst));
            list.extend(as_list(src));
            *dst = Value::Sequence(list);
            return;
        }
        _ => {}
    }
    match (dst, src) {
        (_, Value::Null) => {}
        (Value::Mapping(d), Value::Mapping(s)) => {
            for (key, value) in s {
                match (d.get_mut(&key), key.as_str()) {
                    (Some(old), Some(name)) => {
                        let mut next = path.to_vec();
                        next.push(name);
                        merge_value(old, value, &next);
                    }
                    _ => {
                        d.insert(key, value);
                    }
                }
            }
        }
        (Value::Sequence(d), Value::Sequence(s)) => d.extend(s),
        (dst, src) => {
            if !is_empty(&src) || KEEP_ZERO.contains(&path) {
                *dst = src;
            }
        }
    }
}

/// mergo's "empty": the zero value of the Go field.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Sequence(s) => s.is_empty(),
        Value::Mapping(m) => m.is_empty(),
        Value::Tagged(_) => false,
    }
}

/// A list keyed as the CLI's mergeSlice: the first file's entries, then the later ones
/// replacing by key, sorted by key. Entries without a key keep their own slot.
fn keyed(dst: &mut Value, src: Value, entries: fn(Value) -> Vec<(Key, Value)>) {
    if dst.is_null() {
        *dst = src;
        return;
    }
    let mut merged = BTreeMap::new();
    let mut loose = 0usize;
    for (key, value) in entries(std::mem::take(dst)).into_iter().chain(entries(src)) {
        let key = match key {
            Key::None => {
                loose += 1;
                Key::Loose(loose)
            }
            key => key,
        };
        merged.insert(key, value);
    }
    *dst = Value::Sequence(merged.into_values().collect());
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Number(u64),
    Text(String),
    Loose(usize),
    None,
}

fn items(v: Value) -> Vec<Value> {
    match v {
        Value::Sequence(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn source_entries(v: Value) -> Vec<(Key, Value)> {
    let key = |item: &Value| {
        let source = item
            .as_str()
            .or_else(|| item.get("source").and_then(Value::as_str));
        source.map_or(Key::None, |s| Key::Text(s.to_owned()))
    };
    items(v)
        .into_iter()
        .map(|item| (key(&item), item))
        .collect()
}

fn volume_entries(v: Value) -> Vec<(Key, Value)> {
    let key = |item: &Value| {
        let target = match item {
            Value::String(spec) => split_volume(spec).map(|(_, target)| target),
            other => other.get("target").and_then(Value::as_str),
        };
        target.map_or(Key::None, |t| Key::Text(t.to_owned()))
    };
    items(v)
        .into_iter()
        .map(|item| (key(&item), item))
        .collect()
}

fn port_entries(v: Value) -> Vec<(Key, Value)> {
    let mut out = Vec::new();
    for item in items(v) {
        let short = match &item {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        match short.as_deref().map(expand_port) {
            Some(Some(ports)) => out.extend(ports),
            Some(None) => out.push((Key::None, item)),
            None => {
                let published = match item.get("published") {
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(Value::String(s)) => s.parse().ok(),
                    _ => Some(0),
                };
                out.push((published.map_or(Key::None, Key::Number), item));
            }
        }
    }
    out
}

/// `[ip:][published[-end]:]target[-end][/protocol]` -> one long-form port per target, as the
/// CLI's loader expands short ports before merging. None when it does not parse: kept as is
/// for the typed model to report.
fn expand_port(spec: &str) -> Option<Vec<(Key, Value)>> {
    let (spec, protocol) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let mut parts = spec.rsplit(':');
    let target = range(parts.next()?)?;
    let published = match parts.next() {
        None | Some("") => None,
        Some(p) => Some(range(p)?),
    };
    if let Some(p) = published
        && p.1 - p.0 != target.1 - target.0
    {
        return None;
    }
    let ports = (0..=target.1 - target.0).map(|i| {
        let mut port = Mapping::new();
        port.insert("mode".into(), "ingress".into());
        port.insert("target".into(), (target.0 + i).into());
        if let Some(p) = published {
            port.insert("published".into(), (p.0 + i).into());
        }
        port.insert("protocol".into(), protocol.into());
        (
            Key::Number(published.map_or(0, |p| p.0 + i)),
            Value::Mapping(port),
        )
    });
    Some(ports.collect())
}

fn range(text: &str) -> Option<(u64, u64)> {
    let (start, end) = text.split_once('-').unwrap_or((text, text));
    let (start, end) = (start.parse::<u64>().ok()?, end.parse::<u64>().ok()?);
    (start <= end && end <= 65535).then_some((start, end))
}

/// Service networks: a list is a map of nulls; per network, the CLI's
/// mergeServiceNetworkConfig: aliases replaced, addresses when set, the rest kept.
fn networks(dst: &mut Value, src: Value) {
    let as_map = |v: Value| match v {
        Value::Sequence(list) => list.into_iter().map(|n| (n, Value::Null)).collect(),
        Value::Mapping(m) => m,
        _ => Mapping::new(),
    };
    let mut merged = as_map(std::mem::take(dst));
    for (name, new) in as_map(src) {
        match merged.get_mut(&name) {
            Some(Value::Mapping(old)) if !is_empty(&new) => {
                let Value::Mapping(new) = new else { continue };
                match new.get("aliases") {
                    Some(aliases) => old.insert("aliases".into(), aliases.clone()),
                    None => old.remove("aliases"),
                };
                for key in ["ipv4_address", "ipv6_address"] {
                    if let Some(address) = new.get(key).filter(|a| !is_empty(a)) {
                        old.insert(key.into(), address.clone());
                    }
                }
            }
            Some(Value::Mapping(_)) => {}
            _ => {
                merged.insert(name, new);
            }
        }
    }
    *dst = Value::Mapping(merged);
}

fn logging(dst: &mut Value, src: Value) {
    let driver = |v: &Value| {
        v.get("driver")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (old, new) = (driver(dst), driver(&src));
    if !(old == new || old.is_empty() || new.is_empty()) {
        *dst = src;
        return;
    }
    let (Value::Mapping(d), Value::Mapping(mut s)) = (dst, src) else {
        return;
    };
    if old.is_empty() && !new.is_empty() {
        d.insert("driver".into(), new.into());
    }
    if let Some(options) = s.remove("options") {
        match d.get_mut("options") {
            Some(Value::Mapping(o)) => {
                if let Value::Mapping(options) = options {
                    o.extend(options);
                }
            }
            _ => {
                d.insert("options".into(), options);
            }
        }
    }
}

/// A mapping-or-list (`KEY=value` items) as a map; environment keeps the first file's value
/// when the later one is null or "" (a `*string` in the CLI), labels take any later value.
fn mapping(dst: &mut Value, src: Value, environment: bool) {
    let as_map = |v: Value| match v {
        Value::Mapping(m) => m,
        Value::Sequence(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.into(), v.into()),
                None if environment => (item.into(), Value::Null),
                None => (item.into(), "".into()),
            })
            .collect(),
        _ => Mapping::new(),
    };
    let mut merged = as_map(std::mem::take(dst));
    for (key, value) in as_map(src) {
        let keep = environment && is_empty(&value) && !value.is_bool() && !value.is_number();
        if !(keep && merged.get(&key).is_some_and(|old| !old.is_null())) {
            merged.insert(key, value);
        }
    }
    *dst = Value::Mapping(merged);
}

/// A string-or-list (or, for extra_hosts, a map of host: ip) as a list.
fn as_list(v: Value) -> Vec<Value> {
    match v {
        Value::Mapping(m) => {
            let mut list: Vec<String> = m
                .into_iter()
                .filter_map(|(k, v)| Some(format!("{}:{}", k.as_str()?, v.as_str()?)))
                .collect();
            list.sort();
            list.into_iter().map(Value::String).collect()
        }
        other => items(other),
    }
}

#[cfg(test)]
#[path = "merge/tests.rs"]
mod tests;
