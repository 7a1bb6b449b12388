//! Files that cannot be written, or were moved away: the write says so, and the next one
//! after the cause is mended succeeds.

use super::*;

#[tokio::test]
async fn write_failures_are_reported_and_recovered_from() {
    type Change = fn(&Path);
    let cases: [(&str, Change, Change); 3] = [
        (
            "a directory in its place",
            |p| {
                std::fs::remove_file(p)
                    .and_then(|()| std::fs::create_dir(p))
                    .unwrap()
            },
            |p| std::fs::remove_dir(p).unwrap(),
        ),
        (
            "its directory removed",
            |p| std::fs::remove_dir_all(p.parent().unwrap()).unwrap(),
            |p| std::fs::create_dir_all(p.parent().unwrap()).unwrap(),
        ),
        (
            "write permission removed",
            |p| mode(p, 0o444),
            |p| mode(p, 0o644),
        ),
    ];
    for (row, (name, break_it, mend_it)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("fail-{row}"));
        let path = scratch.log();
        let log = AuditLog::open_with(path.clone(), AuditLimits::default()).expect("open");
        log.write(entry("before", "web")).await.expect(name);
        break_it(&path);
        if std::fs::OpenOptions::new().append(true).open(&path).is_ok() {
            // Running as root: permissions do not stop this process. Nothing to test.
            mend_it(&path);
            continue;
        }
        assert!(log.write(entry("during", "web")).await.is_err(), "{name}");
        mend_it(&path);
        log.write(entry("after", "web")).await.expect(name);
        let got = log.read_tail(10).await.expect(name);
        assert_eq!(
            got.last().map(|e| e.action.as_str()),
            Some("after"),
            "{name}"
        );
        assert!(!actions(&got).contains(&"during".to_string()), "{name}");
    }
}

fn mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn a_full_disk_is_reported() {
    let full = PathBuf::from("/dev/full");
    if !full.exists() {
        return;
    }
    let log = AuditLog::open_with(full, AuditLimits::default()).expect("opens for append");
    assert!(log.write(entry("any", "web")).await.is_err());
}

#[tokio::test]
async fn a_removed_or_moved_file_is_created_again() {
    type Change = fn(&Path);
    let cases: [(&str, Change); 2] = [
        ("removed", |p| std::fs::remove_file(p).unwrap()),
        ("moved away", |p| {
            std::fs::rename(p, p.with_extension("old")).unwrap()
        }),
    ];
    for (row, (name, change)) in cases.into_iter().enumerate() {
        let scratch = Scratch::new(&format!("reopen-{row}"));
        let log = AuditLog::open_with(scratch.log(), AuditLimits::default()).expect("open");
        log.write(entry("before", "web")).await.unwrap();
        change(&scratch.log());
        log.write(entry("after", "web")).await.expect(name);
        assert_eq!(lines(&scratch.log()).len(), 1, "{name}");
        assert_eq!(
            actions(&log.read_tail(10).await.unwrap()),
            ["after"],
            "{name}"
        );
    }
}
