//! The lab's three images. Node and registry: docker:dind and registry:2 where Docker Hub
//! answers, otherwise one image built from Debian packages (debootstrap) holding dockerd and
//! docker-registry. Echo: always built here from a static busybox, so it needs no pull.
//! Built images stay cached: a second `lab up` builds nothing.

use super::LabError;
use super::plan::NodeImages;
use super::progress::Progress;
use crate::docker::{Engine, ImageSource};
use bytes::Bytes;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Bump when the recipe changes, so cached images from an older recipe are not reused.
pub const LOCAL_NODE_IMAGE: &str = "flotilla-lab/dind:bookworm-r1";
pub const ECHO_IMAGE_LOCAL: &str = "flotilla-lab/echo:latest";
const PULL_LIMIT: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImagesMode {
    /// docker:dind + registry:2 if present or pullable, else build from Debian packages.
    Auto,
    Pull,
    Build,
}

pub async fn ensure_node_images(
    engine: &Engine,
    mode: ImagesMode,
    progress: &mut Progress,
) -> Result<(NodeImages, ImageSource), LabError> {
    let official = ["docker:dind", "registry:2"];
    if mode != ImagesMode::Build {
        let mut present = true;
        for image in official {
            present &= engine.image_exists(image).await?;
        }
        if present {
            return Ok((NodeImages::Official, ImageSource::Cached));
        }
        if mode == ImagesMode::Auto && engine.image_exists(LOCAL_NODE_IMAGE).await? {
            return Ok((
                NodeImages::Local(LOCAL_NODE_IMAGE.into()),
                ImageSource::Cached,
            ));
        }
        let mut pulled = Ok(());
        for image in official {
            progress.note(&format!("pulling {image}"));
            pulled = engine.pull(image, PULL_LIMIT).await;
            if pulled.is_err() {
                break;
            }
        }
        match (pulled, mode) {
            (Ok(()), _) => return Ok((NodeImages::Official, ImageSource::Pulled)),
            (Err(e), ImagesMode::Pull) => return Err(e.into()),
            (Err(e), _) => progress.note(&format!(
                "no pull possible ({}); building locally",
                first_line(&e.to_string())
            )),
        }
    }
    if engine.image_exists(LOCAL_NODE_IMAGE).await? {
        return Ok((
            NodeImages::Local(LOCAL_NODE_IMAGE.into()),
            ImageSource::Cached,
        ));
    }
    build_local_node_image(engine, progress).await?;
    Ok((
        NodeImages::Local(LOCAL_NODE_IMAGE.into()),
        ImageSource::Built,
    ))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// debootstrap a minimal bookworm with dockerd and docker-registry, then `docker import` it.
async fn build_local_node_image(engine: &Engine, progress: &mut Progress) -> Result<(), LabError> {
    let missing = |tool: &str, package: &str| {
        LabError::Missing(format!(
            "{tool} is needed to build the lab's node image here: apt-get install -y {package} (scripts/install.sh does it)"
        ))
    };
    if which("debootstrap").is_none() {
        return Err(missing("debootstrap", "debootstrap"));
    }
    let root = tempdir("rootfs")?;
    let log = std::env::temp_dir().join("flotilla-lab-debootstrap.log");
    let mirror = std::env::var("FLOTILLA_DEBIAN_MIRROR")
        .unwrap_or_else(|_| "http://deb.debian.org/debian".into());
    progress.note(&format!(
        "debootstrap bookworm from {mirror} (about a minute; log: {})",
        log.display()
    ));
    let logfile = std::fs::File::create(&log)?;
    let status = tokio::process::Command::new("debootstrap")
        .args([
            "--variant=minbase",
            "--include=docker.io,iptables,ca-certificates,procps,docker-registry",
            "bookworm",
        ])
        .arg(&root)
        .arg(&mirror)
        .stdout(logfile.try_clone()?)
        .stderr(logfile)
        .status()
        .await?;
    if !status.success() {
        let tail = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = tail.lines().rev().take(8).collect();
        let _ = std::fs::remove_dir_all(&root);
        return Err(LabError::Build(format!(
            "debootstrap failed ({status}); last lines of {}:\n{}",
            log.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )));
    }
    // Debian's registry config asks for htpasswd auth; the lab registry is open, like registry:2.
    std::fs::write(
        root.join("etc/docker/registry/config.yml"),
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/docker-registry\nhttp:\n  addr: :5000\n",
    )?;
    progress.note("importing the root filesystem as an image");
    let result = import_dir(engine, &root, LOCAL_NODE_IMAGE).await;
    let _ = std::fs::remove_dir_all(&root);
    result
}

/// Streams `tar -C dir -c .` into `docker import`.
async fn import_dir(engine: &Engine, dir: &Path, reference: &str) -> Result<(), LabError> {
    let mut tar = tokio::process::Command::new("tar")
        .args(["--numeric-owner", "-C"])
        .arg(dir)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = tar.stdout.take().expect("stdout was piped");
    let stream =
        tokio_util::io::ReaderStream::new(stdout).filter_map(|chunk| async move { chunk.ok() });
    engine.import_rootfs(stream, reference, vec![]).await?;
    let status = tar.wait().await?;
    if !status.success() {
        return Err(LabError::Build(format!(
            "tar of {} failed ({status})",
            dir.display()
        )));
    }
    Ok(())
}

/// The demo echo server: busybox httpd on 8080 answering every request with the task's
/// hostname, so replicas can be told apart.
pub async fn ensure_echo_image(engine: &Engine) -> Result<ImageSource, LabError> {
    if engine.image_exists(ECHO_IMAGE_LOCAL).await? {
        return Ok(ImageSource::Cached);
    }
    let busybox = std::env::var_os("FLOTILLA_BUSYBOX")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/bin/busybox".into());
    let binary = std::fs::read(&busybox).map_err(|e| LabError::Missing(format!(
        "a static busybox is needed for the echo image ({}: {e}): apt-get install -y busybox-static",
        busybox.display()
    )))?;
    let rootfs = echo_rootfs(&binary)?;
    let changes = vec![
        r#"CMD ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"]"#.to_string(),
        "EXPOSE 8080/tcp".to_string(),
    ];
    engine
        .import_rootfs(
            futures_util::stream::once(async { Bytes::from(rootfs) }),
            ECHO_IMAGE_LOCAL,
            changes,
        )
        .await?;
    Ok(ImageSource::Built)
}

/// busybox httpd runs /cgi-bin/index.cgi for a directory without index.html: the script
/// answers every GET of `/`.
const ECHO_CGI: &str = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nprintf 'echo from %s: %s %s\\n' \"$(hostname)\" \"$REQUEST_METHOD\" \"$REQUEST_URI\"\n";

fn echo_rootfs(busybox: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut add_file = |path: &str, mode: u32, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, data)
    };
    add_file("bin/busybox", 0o755, busybox)?;
    add_file("www/cgi-bin/index.cgi", 0o755, ECHO_CGI.as_bytes())?;
    add_file("tmp/.keep", 0o644, b"")?;
    for applet in ["sh", "httpd", "hostname", "printf"] {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        header.set_mode(0o777);
        tar.append_link(&mut header, format!("bin/{applet}"), "busybox")?;
    }
    tar.into_inner()
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .chain(["/usr/sbin", "/sbin"])
        .map(|dir| Path::new(dir).join(tool))
        .find(|p| p.is_file())
}

fn tempdir(what: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("flotilla-lab-{what}-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
