//! A tiny image for test services, imported from the host's static busybox: no registry is
//! needed, so the tests run where nothing can be pulled.

use bollard::Docker;
use bollard::query_parameters::CreateImageOptions;
use futures_util::TryStreamExt;

pub const TEST_IMAGE: &str = "flotilla-test/busybox:latest";

pub async fn ensure_test_image(docker: &Docker) {
    if docker.inspect_image(TEST_IMAGE).await.is_ok() {
        return;
    }
    let busybox =
        std::fs::read("/bin/busybox").expect("/bin/busybox (apt-get install busybox-static)");
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(busybox.len() as u64);
    header.set_mode(0o755);
    tar.append_data(&mut header, "bin/busybox", busybox.as_slice())
        .expect("tar");
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    tar.append_link(&mut link, "bin/sh", "busybox")
        .expect("tar");
    let rootfs = tar.into_inner().expect("tar");
    let options = CreateImageOptions {
        from_src: Some("-".into()),
        repo: Some("flotilla-test/busybox".into()),
        tag: Some("latest".into()),
        changes: vec![r#"CMD ["/bin/busybox", "sleep", "86400"]"#.into()],
        ..Default::default()
    };
    docker
        .create_image(Some(options), Some(bollard::body_full(rootfs.into())), None)
        .try_collect::<Vec<_>>()
        .await
        .expect("import the test image");
}

/// The workspace root (scripts/ lives there).
pub fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The flotilla image of the debug binary this test run built (in the target directory it
/// lives in) and the front end scripts/test.sh built, through the script a user runs, tagged
/// `tag`; returns the script's size line.
pub fn build_debug_image(tag: &str) -> String {
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_flotilla"));
    let target_dir = bin
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target dir");
    let built = super::run(
        std::process::Command::new(workspace().join("scripts/image.sh"))
            .args(["--profile", "debug", "--tag", tag, "--site"])
            .arg(testkit::site_root())
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(workspace()),
    );
    built
        .lines()
        .rfind(|l| l.contains(" MB ("))
        .unwrap_or("")
        .to_string()
}
