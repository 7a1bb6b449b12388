//! `flotilla lab up --panel`: Flotilla on the lab as a stack of its own, deployed the way a
//! user would deploy it on a real swarm (`deploy/flotilla.yml`, with Flotilla's own stack
//! deploy): the image pushed to the lab registry, the admin token and session key as swarm
//! secrets, one panel per manager, each reached from the host through its manager's
//! container.

use super::LabError;
use super::plan::{LabLayout, REGISTRY_PORT_INSIDE};
use crate::docker::Engine;
use crate::stack::cli::{DeployOptions, deploy_sources};
use flotilla_app::stacks::ResolveImage;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The stack file, as the repository has it: the binary carries it, so `lab up --panel`
/// deploys exactly what README tells users to deploy.
const DEPLOY_FILE: &str = include_str!("../../../deploy/flotilla.yml");
/// The stack's name, so its service is `flotilla_panel`.
pub const STACK: &str = "flotilla";
/// Where the image goes in the lab registry.
const REPOSITORY: &str = "flotilla/panel";
/// Pulling the image onto each manager and starting it.
const START_LIMIT: Duration = Duration::from_secs(180);

#[derive(clap::Args, Clone, Debug)]
pub struct PanelOptions {
    /// Also deploy Flotilla itself on the lab, as stack `flotilla` (one panel per manager).
    #[arg(long)]
    pub panel: bool,
    /// The image to deploy, from this host's engine; built with `scripts/image.sh` when
    /// missing.
    #[arg(long, default_value = "flotilla:latest", requires = "panel")]
    pub panel_image: String,
    /// Where the panel's admin token and session key are kept (made on first use, mode 600
    /// in a 700 directory); the swarm secrets are created from them.
    #[arg(long, default_value = "flotilla-lab-secrets", requires = "panel")]
    pub panel_secrets: PathBuf,
}

/// The panel's URLs from the host, one per manager.
pub fn urls(layout: &LabLayout) -> Vec<String> {
    layout
        .managers()
        .iter()
        .filter_map(|m| m.panel_port)
        .map(|port| format!("http://127.0.0.1:{port}"))
        .collect()
}

/// Pushes the image, makes the secrets' files, deploys the stack and waits until every
/// manager's panel answers its health check.
pub async fn deploy(
    host: &Engine,
    manager: &Engine,
    layout: &LabLayout,
    options: &PanelOptions,
) -> Result<Vec<String>, LabError> {
    ensure_image(host, &options.panel_image).await?;
    let on_host = format!("localhost:{}/{REPOSITORY}:latest", layout.registry_port);
    host.tag(&options.panel_image, &on_host).await?;
    host.push(&on_host).await?;

    let secrets = ensure_secrets(&options.panel_secrets)?;
    let urls = urls(layout);
    let vars = compose::Vars::from([
        (
            "FLOTILLA_IMAGE".into(),
            format!("registry:{REGISTRY_PORT_INSIDE}/{REPOSITORY}:latest"),
        ),
        ("FLOTILLA_SECRETS".into(), secrets.display().to_string()),
        ("FLOTILLA_PUBLIC_URL".into(), urls.join(",")),
        // The lab's nodes run dockerd with --group=root: the socket is root:root 660.
        ("FLOTILLA_SOCKET_GID".into(), "0".into()),
        // The lab's kernel has no IPVS for the ingress mesh: services publish in host mode.
        ("FLOTILLA_SERVE_FLAGS".into(), "--allow-host-ports".into()),
    ]);
    let source = compose::Source {
        name: "deploy/flotilla.yml".into(),
        text: DEPLOY_FILE.into(),
    };
    let options = DeployOptions {
        // The tag stays `latest`: pinning its digest is what rolls a rebuilt image out.
        resolve: ResolveImage::Always,
        prune: true,
        preview: false,
    };
    deploy_sources(manager, STACK, &[source], secrets, &vars, options)
        .await
        .map_err(|e| LabError::Panel(e.to_string()))?;
    for url in &urls {
        let health = format!("{url}/healthz");
        super::wait_for(&format!("the panel at {url}"), START_LIMIT, || async {
            matches!(crate::http_client::get(&health).await, Ok((200, _)))
        })
        .await
        .map_err(|e| {
            LabError::NotReady(format!(
                "{e}\n  see: DOCKER_HOST={} docker service ps {STACK}_panel \
                 (a lab made before --panel existed publishes no panel port: \
                 `flotilla lab down` then `lab up --panel`)",
                layout.manager_api()
            ))
        })?;
    }
    Ok(urls)
}

/// The image on this host, built by `scripts/image.sh` (run from a checkout) when missing.
async fn ensure_image(host: &Engine, image: &str) -> Result<(), LabError> {
    if host.image_exists(image).await? {
        return Ok(());
    }
    let script = Path::new("scripts/image.sh");
    if !script.exists() {
        return Err(LabError::Missing(format!(
            "no image {image} on this host: build it with scripts/image.sh in a Flotilla \
             checkout, or name another with --panel-image"
        )));
    }
    println!("      building {image} with {}", script.display());
    let status = tokio::process::Command::new(script)
        .status()
        .await
        .map_err(|e| LabError::Build(format!("{}: {e}", script.display())))?;
    if !status.success() || !host.image_exists(image).await? {
        return Err(LabError::Build(format!(
            "{} did not make {image} ({status})",
            script.display()
        )));
    }
    Ok(())
}

/// The directory holding `admin-token` and `session-key`, each made once (64 hex digits) and
/// kept: a swarm secret cannot change, so the files must not either.
fn ensure_secrets(dir: &Path) -> Result<PathBuf, LabError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    for name in ["admin-token", "session-key"] {
        let path = dir.join(name);
        if path.exists() {
            continue;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        std::io::Write::write_all(&mut file, crate::control::auth::random_hex(32).as_bytes())?;
    }
    Ok(std::path::absolute(dir)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_made_once_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("flotilla-secrets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let made = ensure_secrets(&dir).expect("made");
        let token = std::fs::read_to_string(made.join("admin-token")).expect("token");
        let key = std::fs::read_to_string(made.join("session-key")).expect("key");
        assert_eq!((token.len(), key.len()), (64, 64));
        assert_ne!(token, key, "admin token and session key must differ");
        ensure_secrets(&dir).expect("again");
        let again = std::fs::read_to_string(made.join("admin-token")).expect("token");
        assert_eq!(token, again, "kept: a swarm secret cannot change");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&made), 0o700);
        assert_eq!(mode(&made.join("session-key")), 0o600);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_deploy_file_reads_and_converts() {
        let vars = compose::Vars::from([
            (
                "FLOTILLA_IMAGE".to_string(),
                "registry:5000/flotilla/panel:latest".to_string(),
            ),
            ("FLOTILLA_SECRETS".to_string(), "/s".to_string()),
            (
                "FLOTILLA_SERVE_FLAGS".to_string(),
                "--allow-host-ports".to_string(),
            ),
        ]);
        let source = compose::Source {
            name: "flotilla.yml".into(),
            text: DEPLOY_FILE.into(),
        };
        let loaded = compose::load(std::slice::from_ref(&source), &vars).expect("reads");
        let files: crate::stack::Files = loaded
            .config
            .files_named()
            .into_iter()
            .map(|name| (name, b"0123456789abcdef0123456789abcdef".to_vec()))
            .collect();
        let desired =
            crate::stack::convert::convert(STACK, &loaded.config, &files).expect("converts");
        let text = format!("{desired:?}");
        for expected in [
            "flotilla_panel",
            "registry:5000/flotilla/panel:latest",
            "--allow-host-ports",
            "/run/secrets/admin_token",
            "node.role == manager",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        let without_image = compose::load(&[source], &compose::Vars::new());
        let error = without_image
            .expect_err("the image is required")
            .to_string();
        assert!(error.contains("FLOTILLA_IMAGE"), "{error}");
    }
}
