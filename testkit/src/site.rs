//! Where the tests' front end is: its own site directory, so a test run never writes over
//! the release build that scripts/up.sh serves from target/site.

use std::path::{Path, PathBuf};

/// The workspace's root (testkit sits in it).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit sits in the workspace")
        .to_path_buf()
}

/// `FLOTILLA_SITE_ROOT`, else `<workspace>/target/site-test`, where scripts/test.sh builds
/// the front end (`scripts/build-front.sh --site target/site-test`).
pub fn site_root() -> PathBuf {
    std::env::var_os("FLOTILLA_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/site-test"))
}
