//! The docker CLI's tables for `stack ls`, `stack services` and `stack ps`: its columns, its
//! text in each cell and its layout (Go's tabwriter: cells padded by 3, at least 10 wide).

use bollard::models as m;
use flotilla_app::policy::ImageName;
use std::cmp::Ordering;

/// Go's `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)` over tab-separated cells: every column
/// but the last is padded to its widest cell + 3, at least 10.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let lines: Vec<Vec<&str>> = std::iter::once(header.to_vec())
        .chain(rows.iter().map(|r| r.iter().map(String::as_str).collect()))
        .collect();
    let columns = header.len();
    let mut widths = vec![10; columns];
    for line in &lines {
        for (i, cell) in line.iter().enumerate().take(columns.saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + 3);
        }
    }
    let mut out = String::new();
    for line in &lines {
        for (i, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < line.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// `sortorder.NaturalLess`: digit runs compared as numbers, the rest as text.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (i, j) = (run(x), run(y));
                let trim = |s: &[u8]| {
                    let zeros = s.iter().take_while(|c| **c == b'0').count();
                    s[zeros..].to_vec()
                };
                let (n, o) = (trim(&x[..i]), trim(&y[..j]));
                let by_value = n.len().cmp(&o.len()).then_with(|| n.cmp(&o));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (x, y) = (&x[i..], &y[j..]);
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

/// `formatter.TruncateID`.
pub fn short_id(id: &str) -> String {
    id.chars().take(12).collect()
}

/// An image for display: a tagged reference loses its digest (`nginx:1.27@sha256:...` ->
/// `nginx:1.27`), in its familiar form.
pub fn image_shown(image: &str) -> String {
    let name = ImageName::parse(image);
    match (&name.tag, &name.digest) {
        (Some(tag), Some(_)) => {
            let repo = match name.domain.as_str() {
                "docker.io" => name
                    .path
                    .strip_prefix("library/")
                    .filter(|r| !r.contains('/'))
                    .unwrap_or(&name.path)
                    .to_string(),
                domain => format!("{domain}/{}", name.path),
            };
            format!("{repo}:{tag}")
        }
        _ => image.to_string(),
    }
}

pub fn mode(spec: &m::ServiceSpec) -> &'static str {
    let mode = spec.mode.as_ref();
    match mode {
        Some(m) if m.global.is_some() => "global",
        Some(m) if m.replicated.is_some() => "replicated",
        Some(m) if m.replicated_job.is_some() => "replicated job",
        Some(m) if m.global_job.is_some() => "global job",
        _ => "",
    }
}

/// REPLICAS: running/desired, jobs with their completions, a per-node cap when set.
pub fn replicas(service: &m::Service) -> String {
    let status = service.service_status.clone().unwrap_or_default();
    let running = status.running_tasks.unwrap_or(0);
    let desired = status.desired_tasks.unwrap_or(0);
    let completed = status.completed_tasks.unwrap_or(0);
    let spec = service.spec.clone().unwrap_or_default();
    let mode = spec.mode.clone().unwrap_or_default();
    if let Some(job) = &mode.replicated_job {
        let total = job.total_completions.unwrap_or(0);
        return format!("{running}/{desired} ({completed}/{total} completed)");
    }
    if mode.global_job.is_some() {
        let total = desired + completed;
        return format!("{running}/{desired} ({completed}/{total} completed)");
    }
    let max = spec
        .task_template
        .and_then(|t| t.placement)
        .and_then(|p| p.max_replicas)
        .unwrap_or(0);
    if self::mode(&service.spec.clone().unwrap_or_default()) == "replicated" && max > 0 {
        return format!("{running}/{desired} (max {max} per node)");
    }
    format!("{running}/{desired}")
}

/// PORTS of `service ls`: ingress ports, consecutive ones grouped (`*:80-81->80-81/tcp`).
pub fn service_ports(service: &m::Service) -> String {
    let mut ports: Vec<(String, u32, u32, bool)> = service
        .endpoint
        .as_ref()
        .and_then(|e| e.ports.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let protocol = p.protocol.map(|x| x.to_string()).unwrap_or_default();
            let published = u32::try_from(p.published_port.unwrap_or(0)).unwrap_or(0);
            let target = u32::try_from(p.target_port.unwrap_or(0)).unwrap_or(0);
            let ingress = p.publish_mode.is_none_or(|m| {
                m == m::EndpointPortConfigPublishModeEnum::INGRESS
                    || m == m::EndpointPortConfigPublishModeEnum::EMPTY
            });
            (protocol, published, target, ingress)
        })
        .collect();
    ports.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    // (published start, end, target start, end, protocol), as the CLI's portRange.
    let mut range: (u32, u32, u32, u32, String) = (0, 0, 0, 0, String::new());
    let mut out: Vec<String> = Vec::new();
    let show = |r: &(u32, u32, u32, u32, String)| {
        let part = |s: u32, e: u32| match e > s {
            true => format!("{s}-{e}"),
            false => s.to_string(),
        };
        format!("*:{}->{}/{}", part(r.0, r.1), part(r.2, r.3), r.4)
    };
    for (protocol, published, target, ingress) in ports {
        if !ingress {
            continue;
        }
        let is_range = range.3 != range.2;
        let overlaps = target <= range.3;
        // Go's uint32 arithmetic: a smaller port wraps to a large gap.
        if protocol != range.4
            || published.wrapping_sub(range.1) > 1
            || target.wrapping_sub(range.3) > 1
            || (is_range && overlaps)
        {
            if range.0 > 0 {
                out.push(show(&range));
            }
            range = (published, published, target, target, protocol);
            continue;
        }
        range.1 = published;
        range.3 = target;
    }
    if range.0 > 0 {
        out.push(show(&range));
    }
    out.join(", ")
}

/// `units.HumanDuration` of go-units, lower-cased as `stack ps` shows it.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let minutes = s / 60;
    let hours = (s as f64 / 3600.0 + 0.5) as i64;
    let text = if s < 1 {
        "Less than a second".to_string()
    } else if s == 1 {
        "1 second".to_string()
    } else if s < 60 {
        format!("{s} seconds")
    } else if minutes == 1 {
        "About a minute".to_string()
    } else if minutes < 60 {
        format!("{minutes} minutes")
    } else if hours == 1 {
        "About an hour".to_string()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", s / 3600 / 24 / 365)
    };
    text.to_lowercase()
}

/// `formatter.PrettyPrint` of a state: the first letter upper-cased.
pub fn pretty(state: &str) -> String {
    let mut chars = state.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// ERROR of `stack ps`: cut to 30 characters with an ellipsis, quoted.
pub fn task_error(err: &str) -> String {
    if err.is_empty() {
        return String::new();
    }
    let cut: String = match err.chars().count() > 30 {
        true => err.chars().take(29).chain(std::iter::once('…')).collect(),
        false => err.to_string(),
    };
    format!("\"{cut}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_like_go_tabwriter() {
        let rows = vec![vec!["echo".to_string(), "2".to_string()]];
        assert_eq!(
            table(&["NAME", "SERVICES"], &rows),
            "NAME      SERVICES\necho      2\n"
        );
    }

    #[test]
    fn natural_order_and_durations() {
        let mut names = vec!["s10", "s9", "s1", "a"];
        names.sort_by(|a, b| natural(a, b));
        assert_eq!(names, ["a", "s1", "s9", "s10"]);
        assert_eq!(human_duration(0), "less than a second");
        assert_eq!(human_duration(5), "5 seconds");
        assert_eq!(human_duration(90), "about a minute");
        assert_eq!(human_duration(3 * 3600), "3 hours");
        assert_eq!(image_shown("nginx:1.27@sha256:abc"), "nginx:1.27");
        assert_eq!(image_shown("nginx@sha256:abc"), "nginx@sha256:abc");
        assert_eq!(
            task_error(&"x".repeat(31)),
            format!("\"{}…\"", "x".repeat(29))
        );
    }
}
