//! The audit log: one JSON line per mutation attempt (who, what, when, outcome), appended to
//! a file that survives restarts. Values that might be secret are never written.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

pub use flotilla_app::api::AuditEntry;

pub struct AuditLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl AuditLog {
    pub fn open(path: PathBuf) -> std::io::Result<AuditLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        Ok(AuditLog {
            path,
            file: Mutex::new(file),
        })
    }

    pub fn record(&self, who: &str, action: &str, target: &str, detail: &str, outcome: &str) {
        let entry = AuditEntry {
            time_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            who: who.into(),
            action: action.into(),
            target: target.into(),
            detail: detail.into(),
            outcome: outcome.into(),
        };
        let mut line = serde_json::to_string(&entry).expect("entries serialize");
        line.push('\n');
        let mut file = self.file.lock().expect("audit lock");
        // One write per line, on an O_APPEND file: lines never interleave.
        if let Err(e) = file.write_all(line.as_bytes()) {
            tracing::error!(error = %e, path = %self.path.display(), "audit log write failed");
        }
    }

    /// The last `n` entries, newest last.
    pub fn tail(&self, n: usize) -> Vec<AuditEntry> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..]
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

/// `KEY=VALUE` lines with the values replaced: names are useful in an audit, values may be
/// secrets.
pub fn redact_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, _)| format!("{k}=***"))
        .collect::<Vec<_>>()
        .join(",")
}
