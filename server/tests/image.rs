//! The image, built here with no registry (`scripts/image.sh --profile debug`: the Dockerfile's
//! `local` target, FROM scratch), run with `docker run` against the host engine's single-node
//! swarm with the socket mounted: it answers /healthz, serves the page with the swarm's nodes
//! (so it reached Docker through the socket), turns healthy by its own HEALTHCHECK (`flotilla
//! health`), runs as uid 10001 with the socket's group added, and has no shell.

mod support;

use bollard::models::{ContainerInspectResponse, HealthStatusEnum};
use bollard::query_parameters::InspectContainerOptions;
use std::os::unix::fs::MetadataExt;
use std::process::Command;
use std::time::Duration;
use support::image::build_debug_image;
use support::run;
use support::swarm::SingleNodeSwarm;

/// A tag of the tests' own: a user's flotilla:debug or :latest is left alone.
const TAG: &str = "flotilla-test/panel:debug";
const SOCKET: &str = "/var/run/docker.sock";
/// The Host the panel answers as on the port it listens on in the container (the published
/// port on the host is another: the panel would refuse its name with 421).
const HOST: &str = "localhost:8080";

/// The container, removed however the test ends (its log printed first if the test fails).
struct Container {
    name: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Ok(logs) = Command::new("docker").args(["logs", &self.name]).output()
        {
            eprintln!(
                "--- docker logs {} ---\n{}{}",
                self.name,
                String::from_utf8_lossy(&logs.stdout),
                String::from_utf8_lossy(&logs.stderr)
            );
        }
        let _ = Command::new("docker")
            .args(["rm", "--force", &self.name])
            .output();
    }
}

/// GET `path` from the panel in the container: the body of a 200, else what came instead.
async fn get(addr: &str, path: &str) -> Result<String, String> {
    match support::http(addr, "GET", path, &[("Host", HOST)], "").await {
        Ok((200, _, body)) => Ok(body),
        Ok((status, _, body)) => Err(format!("GET {path}: {status} {body}")),
        Err(e) => Err(format!("GET {path}: {e}")),
    }
}

async fn inspect(docker: &bollard::Docker, name: &str) -> ContainerInspectResponse {
    docker
        .inspect_container(name, None::<InspectContainerOptions>)
        .await
        .unwrap_or_else(|e| panic!("inspect {name}: {e}"))
}

#[tokio::test]
async fn image_builds_without_a_registry_and_serves_the_swarm() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    let hostname = swarm.hostname().await;

    let size_line = build_debug_image(TAG);
    println!("scripts/image.sh: {size_line}");

    let image = docker.inspect_image(TAG).await.expect("inspect the image");
    let bytes = image.size.expect("image size");
    println!(
        "image {TAG}: {:.1} MB (debug build, stripped)",
        bytes as f64 / 1e6
    );
    let config = image.config.expect("image config");
    assert_eq!(config.user.as_deref(), Some("10001:10001"));
    assert_eq!(config.entrypoint, Some(vec!["/flotilla".to_string()]));
    assert_eq!(
        config.healthcheck.and_then(|h| h.test),
        Some(vec!["CMD".into(), "/flotilla".into(), "health".into()])
    );
    let labels = config.labels.unwrap_or_default();
    assert_eq!(
        labels
            .get("org.opencontainers.image.version")
            .map(String::as_str),
        Some(env!("CARGO_PKG_VERSION")),
        "{labels:?}"
    );
    for label in ["revision", "source"] {
        let key = format!("org.opencontainers.image.{label}");
        assert!(
            labels.get(&key).is_some_and(|v| !v.is_empty()),
            "{key}: {labels:?}"
        );
    }

    // No shell in it.
    let shell = Command::new("docker")
        .args(["run", "--rm", "--entrypoint", "/bin/sh", TAG, "-c", "true"])
        .output()
        .expect("docker run");
    assert!(!shell.status.success(), "the image runs /bin/sh: {shell:?}");

    // As a user would run it: the socket mounted, its group added, the port published.
    let socket_gid = std::fs::metadata(SOCKET).expect("the socket").gid();
    let container = Container {
        name: format!("flotilla-image-test-{}", std::process::id()),
    };
    run(Command::new("docker").args([
        "run",
        "--detach",
        "--name",
        &container.name,
        "--group-add",
        &socket_gid.to_string(),
        "--volume",
        &format!("{SOCKET}:{SOCKET}"),
        "--publish",
        "127.0.0.1::8080",
        // The image's own check, asked every second rather than every ten.
        "--health-interval",
        "1s",
        TAG,
    ]));
    let state = inspect(docker, &container.name).await;
    let port = state
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|p| p.get("8080/tcp").cloned().flatten())
        .and_then(|bindings| bindings.first()?.host_port.clone())
        .expect("published port");
    let addr = format!("127.0.0.1:{port}");

    let healthz = support::wait_until("/healthz to answer 200", Duration::from_secs(30), || {
        get(&addr, "/healthz")
    })
    .await;
    assert_eq!(healthz.trim(), "ok");
    support::wait_until(
        "the page to list the swarm's node",
        Duration::from_secs(30),
        || async {
            let page = get(&addr, "/").await?;
            support::lists_node(&page, &hostname)
                .then_some(())
                .ok_or_else(|| format!("no row for node {hostname} in:\n{page}"))
        },
    )
    .await;
    let manifest = get(&addr, "/pkg/manifest.txt")
        .await
        .unwrap_or_else(|e| panic!("the front end's manifest, from the image's /site: {e}"));
    let assets = flotilla_app::audience::Assets::parse(&manifest).expect("a manifest");
    let mut files = vec![format!("/pkg/{}", assets.css)];
    for stem in &assets.bundles {
        files.push(format!("/pkg/{stem}.js"));
        files.push(format!("/pkg/{stem}_bg.wasm"));
    }
    for file in files {
        get(&addr, &file)
            .await
            .unwrap_or_else(|e| panic!("the front end, from the image's /site: {e}"));
    }

    let health = support::wait_until(
        "docker to report the container healthy",
        Duration::from_secs(60),
        || async {
            let health = inspect(docker, &container.name).await.state?.health?;
            match health.status {
                Some(HealthStatusEnum::HEALTHY) => Some(health),
                _ => None,
            }
        },
    )
    .await;
    let last = health.log.unwrap_or_default().pop().expect("a health log");
    assert_eq!(last.exit_code, Some(0), "{last:?}");
    println!(
        "health check: {}",
        last.output.unwrap_or_default().trim_end()
    );

    // The process runs as uid/gid 10001, with the socket's group as a supplementary group.
    let pid = inspect(docker, &container.name)
        .await
        .state
        .and_then(|s| s.pid)
        .expect("pid");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("its status");
    let ids = |field: &str| -> Vec<u32> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|id| id.parse().ok())
            .collect()
    };
    assert_eq!(ids("Uid:"), vec![10001; 4], "{status}");
    assert_eq!(ids("Gid:"), vec![10001; 4], "{status}");
    assert!(ids("Groups:").contains(&socket_gid), "{status}");

    drop(container);
    drop(swarm);
}
