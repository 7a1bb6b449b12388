//! Writing, failing to write, rotating, and reading from the end.

use super::*;
use std::io::Write as _;
use std::sync::Arc;

fn limits(max_bytes: u64, keep: usize) -> AuditLimits {
    AuditLimits {
        max_bytes,
        keep,
        ..AuditLimits::default()
    }
}

#[tokio::test]
async fn entries_read_back_newest_last() {
    // (entries written, n asked, actions expected)
    let cases: [(usize, usize, &[&str]); 4] = [
        (0, 5, &[]),
        (3, 5, &["0", "1", "2"]),
        (5, 2, &["3", "4"]),
        (5, 0, &[]),
    ];
    for (row, (written, n, want)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("tail-{row}"));
        let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
        for i in 0..written {
            let mut e = entry(&i.to_string(), "web");
            e.session = short_hash("token");
            e.op = format!("op-{i}");
            log.write(e).await.expect("write");
        }
        let got = log.read_tail(n).await.expect("tail");
        assert_eq!(actions(&got), want, "row {row}");
        for e in &got {
            assert_eq!((e.client.as_str(), e.session.len()), ("192.0.2.7", 8));
            assert_eq!(e.op, format!("op-{}", e.action));
        }
    }
}

#[tokio::test]
async fn tail_skips_what_does_not_parse_and_reads_old_lines() {
    let old = r#"{"time_ms":1,"who":"a","action":"old","target":"t","detail":"","outcome":"ok"}"#;
    let new = r#"{"time_ms":2,"who":"a","action":"new","target":"t","detail":"","outcome":"ok","client":"192.0.2.1"}"#;
    let long = serde_json::to_string(&entry("long", &"p".repeat(200_000))).unwrap();
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "lines from before the new fields",
            format!("{old}\n{new}\n"),
            &["old", "new"],
        ),
        (
            "garbage lines",
            format!("not json\n{new}\n{{\"x\":1}}\n"),
            &["new"],
        ),
        (
            "a torn last line",
            format!("{old}\n{{\"time_ms\":1,\"who\""),
            &["old"],
        ),
        (
            "no newline at the end",
            format!("{old}\n{new}"),
            &["old", "new"],
        ),
        ("blank lines", format!("\n\n{old}\n\n"), &["old"]),
        (
            "a line longer than a chunk",
            format!("{old}\n{long}\n{new}\n"),
            &["old", "long", "new"],
        ),
    ];
    for (row, (name, text, want)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("parse-{row}"));
        std::fs::write(scratch.log(), text).expect("seed");
        let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
        let got = log.read_tail(10).await.expect("tail");
        assert_eq!(actions(&got), want, "{name}");
        if name.starts_with("lines from before") {
            assert_eq!(
                (got[0].client.as_str(), got[1].client.as_str()),
                ("", "192.0.2.1")
            );
        }
    }
}

/// A 64 GiB sparse file with five entries at its end: reading it whole could not succeed.
#[tokio::test]
async fn tail_reads_from_the_end_within_its_byte_cap() {
    let scratch = Scratch::new("huge");
    std::fs::File::create(scratch.log())
        .and_then(|f| f.set_len(64 << 30))
        .expect("sparse file");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(scratch.log())
        .unwrap();
    for i in 0..5 {
        let line = serde_json::to_string(&entry(&i.to_string(), "web")).unwrap();
        writeln!(file, "\n{line}").unwrap();
    }
    let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
    assert_eq!(actions(&log.read_tail(3).await.unwrap()), ["2", "3", "4"]);
    // Asking for more stops at the cap, inside the zeros, with what it found.
    assert_eq!(log.read_tail(1000).await.unwrap().len(), 5);

    // A cap smaller than the entries asked for returns the newest that fit.
    let scratch = Scratch::new("cap");
    let small = AuditLimits {
        tail_bytes: 1_000,
        ..AuditLimits::default()
    };
    let log = AuditLog::open_with(scratch.log(), small).expect("open");
    for i in 0..100 {
        log.write(entry(&i.to_string(), "web")).await.unwrap();
    }
    // A line is whole once the newline before it is read: the last k lines need the sum of
    // their lengths (newlines included) plus one byte.
    let mut from_end = 1;
    let fit = lines(&scratch.log())
        .iter()
        .rev()
        .take_while(|l| {
            from_end += l.len() + 1;
            from_end <= 1_000
        })
        .count();
    let want: Vec<String> = (100 - fit..100).map(|i| i.to_string()).collect();
    assert!(fit > 0 && fit < 100);
    assert_eq!(actions(&log.read_tail(100).await.unwrap()), want);
}

#[tokio::test]
async fn tail_continues_into_the_previous_file() {
    let scratch = Scratch::new("previous");
    let log = AuditLog::open_with(scratch.log(), limits(1_000, 2)).expect("open");
    for i in 0..20 {
        log.write(entry(&i.to_string(), "web")).await.unwrap();
    }
    let current = lines(&scratch.log()).len();
    let previous = lines(&scratch.log().with_extension("jsonl.1")).len();
    assert!(current >= 1 && previous >= 2, "{current} {previous}");
    let n = current + 2;
    let want: Vec<String> = (20 - n..20).map(|i| i.to_string()).collect();
    assert_eq!(actions(&log.read_tail(n).await.unwrap()), want);
}

#[tokio::test]
async fn rotation_keeps_the_total_bounded() {
    // (max bytes, rotated files kept, entries written)
    let cases = [
        (2_000, 3, 200),
        (2_000, 0, 100),
        (10_000, 1, 300),
        (1, 2, 5),
    ];
    for (row, (max_bytes, keep, written)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("rotate-{row}"));
        let path = scratch.log();
        let log = AuditLog::open_with(path.clone(), limits(max_bytes, keep)).expect("open");
        for i in 0..written {
            log.write(entry(&i.to_string(), "web")).await.unwrap();
        }
        let numbered = |i: usize| PathBuf::from(format!("{}.{i}", path.display()));
        assert!(!numbered(keep + 1).exists(), "row {row}: one too many kept");
        let files: Vec<PathBuf> = (1..=keep)
            .rev()
            .map(numbered)
            .chain([path.clone()])
            .collect();
        let mut kept = Vec::new();
        for file in &files {
            assert!(file.exists(), "row {row}: {} missing", file.display());
            kept.extend(lines(file));
        }
        // A file exceeds the limit only when a single line does.
        let longest = kept.iter().map(|l| l.len() as u64 + 1).max().unwrap_or(0);
        let mut total = 0;
        for file in &files {
            assert!(
                size(file) <= max_bytes.max(longest),
                "row {row}: {}",
                file.display()
            );
            total += size(file);
        }
        assert!(
            total <= (keep as u64 + 1) * max_bytes.max(longest),
            "row {row}: {total}"
        );
        // What is kept is the newest entries, in order, none missing.
        let kept: Vec<AuditEntry> = kept
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let want: Vec<String> = (written - kept.len()..written)
            .map(|i| i.to_string())
            .collect();
        assert_eq!(actions(&kept), want, "row {row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_never_interleave() {
    let scratch = Scratch::new("concurrent");
    let log = Arc::new(AuditLog::open_with(scratch.log(), AuditLimits::default()).unwrap());
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let log = log.clone();
            tokio::spawn(async move {
                for i in 0..50 {
                    let mut e = entry(&format!("{task}/{i}"), "web");
                    e.detail = task.to_string().repeat(900);
                    log.write(e).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut seen: Vec<String> = lines(&scratch.log())
        .iter()
        .map(|l| {
            serde_json::from_str::<AuditEntry>(l)
                .expect("a whole line")
                .action
        })
        .collect();
    seen.sort();
    let mut want: Vec<String> = (0..8)
        .flat_map(|t| (0..50).map(move |i| format!("{t}/{i}")))
        .collect();
    want.sort();
    assert_eq!(seen, want);
}
