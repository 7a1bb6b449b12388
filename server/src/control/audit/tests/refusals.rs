//! Refusals through the log: counted per key and window, summarized, and bounded in size.

use super::*;

fn refusal(action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        who: "anonymous".into(),
        action: action.into(),
        target: target.into(),
        outcome: "denied: no session".into(),
        client: "203.0.113.9".into(),
        ..AuditEntry::default()
    }
}

enum Do {
    /// A refusal of `service.remove` on a target, at a second.
    Deny(u64, &'static str),
    /// `flush_denials` at a second.
    Flush(u64),
}
use Do::{Deny, Flush};

/// A row: its name, its steps, and the (target, outcome) of every line written.
type Case = (
    &'static str,
    Vec<Do>,
    &'static [(&'static str, &'static str)],
);
/// How the n-th refusal of a flood names its action.
type ActionOf = fn(usize) -> String;

#[tokio::test]
async fn repeated_refusals_are_counted_then_summarized() {
    const ONCE: &str = "denied: no session";
    let cases: Vec<Case> = vec![
        (
            "repeats in the window are summarized by a flush after it",
            vec![
                Deny(0, "a"),
                Deny(1, "b"),
                Deny(2, "c"),
                Flush(30),
                Flush(60),
                Flush(61),
            ],
            &[("a", ONCE), ("", "denied: no session (repeated 2 times)")],
        ),
        (
            "a refusal after the window summarizes, then is written",
            vec![Deny(0, "a"), Deny(1, "b"), Deny(100, "c"), Deny(101, "d")],
            &[
                ("a", ONCE),
                ("", "denied: no session (repeated 1 times)"),
                ("c", ONCE),
            ],
        ),
        (
            "a lone refusal is written once, with no summary",
            vec![Deny(0, "a"), Flush(60), Deny(61, "b")],
            &[("a", ONCE), ("b", ONCE)],
        ),
    ];
    for (row, (name, steps, want)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("denied-{row}"));
        let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        for step in steps {
            match step {
                Deny(s, target) => {
                    log.denied_at(refusal("service.remove", target), at(s))
                        .await
                }
                Flush(s) => log.flush_denials_at(at(s)).await.expect(name),
            }
        }
        let got = log.read_tail(100).await.expect(name);
        let got: Vec<(&str, &str)> = got
            .iter()
            .map(|e| (e.target.as_str(), e.outcome.as_str()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[tokio::test]
async fn a_summary_keeps_who_from_where_and_what() {
    let scratch = Scratch::new("summary");
    let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
    let start = Instant::now();
    for _ in 0..3 {
        log.denied_at(refusal("node.role", "n1"), start).await;
    }
    log.flush_denials_at(start + Duration::from_secs(60))
        .await
        .unwrap();
    let got = log.read_tail(10).await.unwrap();
    let summary = got.last().expect("a summary");
    assert_eq!(
        (
            summary.who.as_str(),
            summary.client.as_str(),
            summary.action.as_str()
        ),
        ("anonymous", "203.0.113.9", "node.role")
    );
    assert!(summary.time_ms > 0);
}

/// 2,000 refusals carrying 300 KB paths: the file grows by less than 1 MB, whether they
/// share a key or each invents a new one.
#[tokio::test]
async fn refusals_cannot_grow_the_file() {
    let path = "/".repeat(300_000);
    let cases: [(&str, ActionOf); 2] = [
        ("one key", |_| "service.remove".to_string()),
        ("a new key each time", |i| format!("POST /api/{i}")),
    ];
    for (row, (name, action)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("flood-{row}"));
        let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
        log.write(entry("before", "web")).await.unwrap();
        let before = size(&scratch.log());
        for i in 0..2_000 {
            let action = format!("{}{path}", action(i));
            log.denied(refusal(&action, &path)).await;
        }
        // Answered after every refusal queued before it.
        let got = log.read_tail(5_000).await.expect(name);
        let grown = size(&scratch.log()) - before;
        assert!(grown < 1_000_000, "{name}: grew {grown} bytes");
        for e in &got {
            assert!(e.action.chars().count() <= DENIED_CHARS, "{name}");
            assert!(e.target.chars().count() <= DENIED_CHARS, "{name}");
        }
    }
}
