//! Short texts the page shows for numbers and states: ages, clock times, CPUs, memory,
//! service modes, update states and ports. Integer arithmetic throughout, because printing an
//! f64 pulls float formatting (~17 KB) into the wasm.

use crate::model::{PublishMode, Service, ServiceMode, UpdateState};

/// "42s", "5m", "3h", "2d".
pub fn age(since_secs: i64, now_secs: i64) -> String {
    let s = (now_secs - since_secs).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "14:02:11 UTC" from Unix milliseconds.
pub fn clock_utc(ms: u64) -> String {
    let secs = ms / 1000 % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// CPUs as `docker node inspect` counts them ("4", "0.5", "1.33").
pub fn cpus_label(nano_cpus: i64) -> String {
    let hundredths = (nano_cpus.max(0) + 5_000_000) / 10_000_000;
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// Memory in GiB to one decimal ("7.8 GiB", "16 GiB").
pub fn memory_label(bytes: i64) -> String {
    let gib = 1i128 << 30;
    let tenths = (i128::from(bytes.max(0)) * 10 + gib / 2) / gib;
    match tenths % 10 {
        0 => format!("{} GiB", tenths / 10),
        d => format!("{}.{d} GiB", tenths / 10),
    }
}

/// "replicated 3" / "global".
pub fn mode_label(service: &Service) -> String {
    match service.mode {
        ServiceMode::Replicated { replicas } => format!("replicated {replicas}"),
        ServiceMode::Global => "global".into(),
        ServiceMode::ReplicatedJob => "replicated job".into(),
        ServiceMode::GlobalJob => "global job".into(),
    }
}

pub fn update_label(state: UpdateState) -> &'static str {
    match state {
        UpdateState::Updating => "updating",
        UpdateState::Paused => "update paused",
        UpdateState::Completed => "updated",
        UpdateState::RollbackStarted => "rolling back",
        UpdateState::RollbackPaused => "rollback paused",
        UpdateState::RollbackCompleted => "rolled back",
    }
}

/// "8000→8080/tcp (ingress)" for each published port.
pub fn ports_label(service: &Service) -> String {
    service
        .ports
        .iter()
        .map(|p| {
            let published = p
                .published
                .map(|n| n.to_string())
                .unwrap_or_else(|| "*".into());
            let mode = match p.mode {
                PublishMode::Ingress => "ingress",
                PublishMode::Host => "host",
            };
            format!("{published}→{}/{} ({mode})", p.target, p.protocol)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_clock_times() {
        assert_eq!(
            [
                age(0, 42),
                age(0, 300),
                age(0, 7200),
                age(0, 200_000),
                age(10, 0)
            ],
            ["42s", "5m", "2h", "2d", "0s"]
        );
        assert_eq!(clock_utc(1_795_716_122_000), "18:02:02 UTC");
        assert_eq!(clock_utc(0), "00:00:00 UTC");
        assert_eq!(clock_utc(86_399_999), "23:59:59 UTC");
    }

    #[test]
    fn cpus_and_memory_without_floats() {
        let cpus = [
            (4_000_000_000, "4"),
            (500_000_000, "0.5"),
            (2_250_000_000, "2.25"),
            (1_333_333_333, "1.33"),
            (0, "0"),
            (-5, "0"),
        ];
        for (nano, label) in cpus {
            assert_eq!(cpus_label(nano), label, "{nano}");
        }
        let gib = 1i64 << 30;
        let memory = [
            (8 * gib, "8 GiB"),
            (8 * gib - gib / 5, "7.8 GiB"),
            (gib / 2, "0.5 GiB"),
            (0, "0 GiB"),
            (i64::MAX, "8589934592 GiB"),
        ];
        for (bytes, label) in memory {
            assert_eq!(memory_label(bytes), label, "{bytes}");
        }
    }
}
