//! `ports:`: the short syntax ("8080:80", "9000-9002:9000-9002", "53:53/udp", "80",
//! "127.0.0.1:80:80") expanded to one entry per port as the CLI's go-connections parser does,
//! and the long syntax (target / published / protocol / mode) as written.

use super::forms::{kind, number_text};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_yaml_ng::Value;
use std::net::IpAddr;

/// One published port. Short-syntax entries carry protocol and mode ("ingress"), as the CLI
/// fills them; long-syntax entries keep what was written (`None`: the engine's default).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default)]
    pub target: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

pub fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Port>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Sequence(items) => items,
        other => {
            return Err(D::Error::custom(format!(
                "must be a list, not {}",
                kind(&other)
            )));
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::String(s) => out.extend(parse_short(&s).map_err(|e| at(i, e))?),
            Value::Number(n) => out.extend(parse_short(&number_text(&n)).map_err(|e| at(i, e))?),
            Value::Mapping(_) => {
                let port = Port::deserialize(item).map_err(|e| at(i, e.to_string()))?;
                out.push(port);
            }
            other => return Err(at(i, format!("invalid type {} for port", kind(&other)))),
        }
    }
    Ok(out)
}

fn at<E: serde::de::Error>(i: usize, message: String) -> E {
    E::custom(format!("[{i}]: {message}"))
}

/// go-connections `ParsePortSpec` then the CLI's `ConvertPortToPortConfig`, with their
/// messages. A host IP is accepted and ignored (the CLI warns, the service listens on all).
pub fn parse_short(raw: &str) -> Result<Vec<Port>, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => (String::new(), "", parts[0]),
        2 => (String::new(), parts[0], parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (container, proto) = match container.split_once('/') {
        Some((port, proto)) => (port, proto),
        None => (container, ""),
    };
    if container.is_empty() {
        return Err(format!("no port specified: {raw}<empty>"));
    }
    let proto = if proto.is_empty() {
        "tcp".to_string()
    } else {
        proto.to_lowercase()
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let ip = match ip.strip_prefix('[').and_then(|i| i.strip_suffix(']')) {
        Some(inner) => inner.to_string(),
        None => ip,
    };
    if !ip.is_empty() && ip.parse::<IpAddr>().is_err() {
        return Err(format!("invalid IP address: {ip}"));
    }
    let (start, end) =
        port_range(container).map_err(|_| format!("invalid containerPort: {container}"))?;
    let mut host_range = None;
    if !host.is_empty() {
        let (hs, he) = port_range(host).map_err(|_| format!("invalid hostPort: {host}"))?;
        if end - start != he - hs && end != start {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {container} and {host}"
            ));
        }
        host_range = Some((hs, he));
    }
    let mut out = Vec::new();
    for i in 0..=(end - start) {
        let target = start + i;
        // A single container port with a host range publishes each host port to it.
        let published: Vec<Option<u32>> = match host_range {
            None => vec![None],
            Some((hs, he)) if end == start => (hs..=he).map(Some).collect(),
            Some((hs, _)) => vec![Some(hs + i)],
        };
        for p in published {
            out.push(Port {
                mode: Some("ingress".into()),
                target,
                published: p.filter(|p| *p != 0),
                protocol: Some(proto.clone()),
            });
        }
    }
    // The CLI sorts the expanded ports by their "port/proto" key (as strings).
    out.sort_by_key(|p| format!("{}/{}", p.target, proto));
    Ok(out)
}

fn port_range(text: &str) -> Result<(u32, u32), ()> {
    let (s, e) = match text.split_once('-') {
        Some((s, e)) => (s, Some(e)),
        None => (text, None),
    };
    let start = port_number(s)?;
    match e {
        None => Ok((start, start)),
        Some(e) if e == s => Ok((start, start)),
        Some(e) => {
            let end = port_number(e)?;
            if end < start {
                Err(())
            } else {
                Ok((start, end))
            }
        }
    }
}

fn port_number(text: &str) -> Result<u32, ()> {
    let n: i64 = text.parse().map_err(|_| ())?;
    if (0..=65535).contains(&n) {
        Ok(n as u32)
    } else {
        Err(())
    }
}
