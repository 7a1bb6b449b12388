//! What the browser tests need around them: the built binary and front end, a scratch
//! directory, and waiting on conditions with deadlines (`testkit::wait_until`, shared with the
//! server's tests, as is the cuttable engine proxy `testkit::Proxy`). The processes they drive
//! (the lab, a panel, chromedriver and Chromium) are in the submodules; each is a guard that
//! stops what it started on drop, so a failing test leaves nothing running.

pub mod browser;
pub mod lab;
pub mod panel;
pub mod swarm;

#[allow(unused_imports)] // each test binary uses its own part of these too
pub use testkit::{Proxy, wait_until};

use std::path::{Path, PathBuf};

/// The workspace root: this package lives in `<workspace>/end2end`.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("end2end sits in the workspace")
        .to_path_buf()
}

/// What the tests run: the `flotilla` binary and the site root holding the built front end.
pub struct Build {
    pub bin: PathBuf,
    pub site: PathBuf,
}

/// `FLOTILLA_BIN` (default `<workspace>/target/debug/flotilla`, or under `CARGO_TARGET_DIR`
/// when that is set) and the tests' site root (`testkit::site_root`), checked to
/// exist. This package cannot use `CARGO_BIN_EXE_flotilla` (the binary belongs to
/// flotilla-server), so it does not build them either: scripts/test.sh builds both first.
pub fn build() -> Build {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| workspace().join(dir))
        .unwrap_or_else(|| workspace().join("target"));
    let bin = std::env::var_os("FLOTILLA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("debug/flotilla"));
    let site = testkit::site_root();
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p flotilla-server` (scripts/test.sh does), \
         or point FLOTILLA_BIN at a flotilla binary",
        bin.display()
    );
    let manifest = site.join("pkg/manifest.txt");
    assert!(
        manifest.is_file(),
        "{} is missing: build the front end with scripts/build-front.sh --site {} \
         (scripts/test.sh does), or point FLOTILLA_SITE_ROOT at a site root",
        manifest.display(),
        site.display()
    );
    Build { bin, site }
}

/// A directory for this run's logs, browser profiles and audit logs: removed when the test
/// passes, kept (and named on stderr) when it fails.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("flotilla-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch { dir }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "browser test failed: panel and chromedriver logs kept in {}",
                self.dir.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A free local port (the OS picks one; the listener is closed again before it is used).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
        .port()
}
