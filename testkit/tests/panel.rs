//! The panel guard against a stand-in for the flotilla binary: a shell script that prints
//! the address line as `flotilla serve` does.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use testkit::Panel;

/// The tests here run one at a time: each writes a script and runs it, and a script still
/// open for writing in another test thread's forked child (between its fork and exec)
/// cannot be run ("text file busy"). Poisoned by the tests that panic on purpose.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static SCRIPTS: Mutex<()> = Mutex::new(());
    SCRIPTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A stand-in for the flotilla binary: a shell script, removed on drop.
struct Script(PathBuf);

impl AsRef<Path> for Script {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn script(name: &str, body: &str) -> Script {
    let path = std::env::temp_dir().join(format!("testkit-{name}-{}", std::process::id()));
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write the script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    Script(path)
}

#[test]
fn reads_the_address_keeps_the_output_and_cleans_up() {
    let _serial = one_at_a_time();
    let bin = script(
        "serves",
        "echo \"args: $*\"; echo 'Flotilla panel: http://127.0.0.1:4321/'; \
         echo oops >&2; exec sleep 60",
    );
    let panel = Panel::launch(&bin, "tcp://127.0.0.1:9").arg("--x").start();
    assert_eq!(panel.addr, "127.0.0.1:4321");
    assert_eq!(panel.url, "http://127.0.0.1:4321/");
    assert!(panel.audit_log.starts_with(std::env::temp_dir()));
    assert!(panel.pid() > 0);
    let (log, audit) = (panel.log.clone(), panel.audit_log.clone());
    drop(panel);
    assert!(!log.exists() && !audit.exists());
}

#[test]
fn leaves_a_given_audit_log_alone() {
    let _serial = one_at_a_time();
    let bin = script(
        "given",
        "echo 'Flotilla panel: http://127.0.0.1:1/'; exec sleep 60",
    );
    let audit = std::env::temp_dir().join(format!("testkit-audit-{}", std::process::id()));
    std::fs::write(&audit, "kept").expect("write");
    drop(
        Panel::launch(&bin, "x")
            .arg("--audit-log")
            .arg(&audit)
            .start(),
    );
    assert_eq!(
        std::fs::read_to_string(&audit).expect("still there"),
        "kept"
    );
    let _ = std::fs::remove_file(audit);
}

#[test]
#[should_panic(expected = "without printing its address")]
fn a_panel_that_exits_early_fails_with_its_log() {
    let _serial = one_at_a_time();
    let bin = script("exits", "echo 'no engine' >&2; exit 3");
    Panel::launch(&bin, "x").start();
}

/// The log is printed on stderr when the test holding the panel panics (seen with
/// `--nocapture`).
#[test]
#[should_panic(expected = "the test failed")]
fn a_failing_test_prints_the_panel_log() {
    let _serial = one_at_a_time();
    let bin = script(
        "fails",
        "echo 'Flotilla panel: http://127.0.0.1:1/'; echo 'engine lost' >&2; exec sleep 60",
    );
    let _panel = Panel::launch(&bin, "x").start();
    std::thread::sleep(std::time::Duration::from_millis(100));
    panic!("the test failed");
}
