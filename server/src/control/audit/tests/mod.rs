//! The audit log against real files in a scratch directory: helpers and the pure pieces here,
//! files and rotation in `files`, failures in `failures`, refusals in `refusals`.

mod failures;
mod files;
mod refusals;

use super::*;
use std::path::Path;

/// A directory of its own per test (and per table row), removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("flotilla-audit-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn log(&self) -> PathBuf {
        self.0.join("audit.jsonl")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn entry(action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        who: "admin".into(),
        action: action.into(),
        target: target.into(),
        outcome: "ok".into(),
        client: "192.0.2.7".into(),
        ..AuditEntry::default()
    }
}

fn actions(entries: &[AuditEntry]) -> Vec<String> {
    entries.iter().map(|e| e.action.clone()).collect()
}

/// The file's lines, read whole (tests only).
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn the_log_can_be_shared_across_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<AuditLog>();
    shareable::<std::sync::Arc<AuditLog>>();
}

#[test]
fn cut_keeps_whole_characters() {
    let cases = [
        ("shorter", "abc", 5, "abc"),
        ("exactly the limit", "abcde", 5, "abcde"),
        ("ascii", "abcdef", 5, "abcd…"),
        ("two-byte characters", "ééééé", 3, "éé…"),
        ("four-byte characters", "🦀🦀🦀", 2, "🦀…"),
        ("a limit of zero", "abc", 0, ""),
    ];
    for (name, text, max, want) in cases {
        let mut text = text.to_string();
        cut(&mut text, max);
        assert_eq!(text, want, "{name}");
        assert!(text.chars().count() <= max, "{name}");
    }
}

#[test]
fn short_hash_is_eight_hex_digits_of_sha256() {
    let cases = [("abc", "ba7816bf"), ("", "e3b0c442")];
    for (text, want) in cases {
        let got = short_hash(text);
        assert_eq!(got, want, "{text:?}");
        assert_eq!(got.len(), 8);
        assert!(got.bytes().all(|b| b.is_ascii_hexdigit()), "{got}");
    }
    assert_ne!(short_hash("a"), short_hash("b"));
}

#[test]
fn redact_pairs_keeps_names_only() {
    let pairs = [("A".into(), "secret".into()), ("B".into(), "".into())];
    assert_eq!(redact_pairs(&pairs), "A=***,B=***");
    assert_eq!(redact_pairs(&[]), "");
}

#[tokio::test]
async fn every_field_is_bounded_before_it_is_written() {
    let scratch = Scratch::new("bounded");
    let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
    let huge = "x".repeat(1_000_000);
    let big = AuditEntry {
        time_ms: 0,
        who: huge.clone(),
        action: huge.clone(),
        target: huge.clone(),
        detail: huge.clone(),
        outcome: huge.clone(),
        client: huge.clone(),
        session: huge.clone(),
        op: huge,
    };
    log.write(big).await.expect("write");
    let back = log.read_tail(1).await.expect("tail");
    let e = &back[0];
    for field in [
        &e.who, &e.action, &e.target, &e.detail, &e.outcome, &e.client, &e.session, &e.op,
    ] {
        assert_eq!(field.chars().count(), FIELD_CHARS);
        assert!(field.ends_with('…'));
    }
    assert!(e.time_ms > 0, "an unstamped entry is stamped");
    assert!(size(&scratch.log()) < 8 * 3 * FIELD_CHARS as u64 + 200);
}

/// The writer on its own: when every handle is gone it writes the counts it still holds.
#[test]
fn the_writer_writes_held_counts_when_the_log_closes() {
    let scratch = Scratch::new("closing");
    let limits = AuditLimits::default();
    let writer = Writer {
        file: LogFile::new(scratch.log(), limits.max_bytes, limits.keep),
        denials: Denials::new(Duration::from_secs(60), 10, DenialKey::overflow()),
        max_read: limits.tail_bytes,
        stdout: false,
    };
    let (commands, receiver) = mpsc::channel(8);
    let now = Instant::now();
    for target in ["a", "b", "c"] {
        let mut refused = entry("service.remove", target);
        refused.outcome = "denied: no session".into();
        let sent = commands.try_send(Command::Denied {
            entry: refused,
            now,
        });
        assert!(sent.is_ok());
    }
    drop(commands);
    writer.run(receiver);
    let written: Vec<AuditEntry> = lines(&scratch.log())
        .iter()
        .map(|l| serde_json::from_str(l).expect("entry"))
        .collect();
    let outcomes: Vec<&str> = written.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "denied: no session",
            "denied: no session (repeated 2 times)"
        ]
    );
}
