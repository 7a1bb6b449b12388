//! What the integration tests share: the flotilla binary, the host engine, a bare HTTP GET,
//! and the single-node swarm fixture. Waiting on a condition with a deadline, the cuttable
//! engine proxy and the panel process come from `testkit`, shared with the browser tests.
#![allow(dead_code)] // each test binary uses its own part of this

pub mod client;
pub mod image;
pub mod panel;
pub mod stacks;
pub mod swarm;
pub mod viewer;

#[allow(unused_imports)] // each test binary uses its own part of these too
pub use testkit::{Proxy, wait_until};

use bollard::Docker;
use std::process::{Command, Output};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The host engine, API version negotiated.
pub async fn host_docker() -> Docker {
    Docker::connect_with_unix("/var/run/docker.sock", 120, bollard::API_DEFAULT_VERSION)
        .expect("docker socket address")
        .negotiate_version()
        .await
        .expect(
            "a Docker engine must answer on /var/run/docker.sock (scripts/engine.sh starts one)",
        )
}

pub async fn docker_at(address: &str) -> Docker {
    Docker::connect_with_http(address, 120, bollard::API_DEFAULT_VERSION)
        .expect("docker address")
        .negotiate_version()
        .await
        .unwrap_or_else(|e| panic!("engine at {address}: {e}"))
}

/// Whether a served page lists `hostname` in its node table. The cell's closing tag is not
/// matched: Leptos's erased views (`.cargo/config.toml`) write a hydration marker before it.
pub fn lists_node(page: &str, hostname: &str) -> bool {
    page.contains(&format!(r#"<td class="hostname">{hostname}<"#))
}

pub fn flotilla() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flotilla"))
}

/// Runs `flotilla <args>` to completion; panics with its output if it fails.
pub fn run_flotilla(args: &[&str]) -> String {
    run(flotilla().args(args))
}

/// Runs a command to completion; panics with its output unless it succeeds.
pub fn run(command: &mut Command) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        status.success(),
        "{command:?} failed ({status})\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// GET over HTTP/1.0; returns (status, body).
pub async fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let (status, _, body) = http(addr, "GET", path, &[], "").await?;
    Ok((status, body))
}

/// The headers of a websocket upgrade request, as a browser sends them (less Origin).
pub const WS_UPGRADE: [(&str, &str); 4] = [
    ("Connection", "Upgrade"),
    ("Upgrade", "websocket"),
    ("Sec-WebSocket-Version", "13"),
    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
];

/// One HTTP/1.0 request; returns (status, response headers, body). A `Host` among `headers`
/// replaces the default (the address connected to).
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, Vec<(String, String)>, String)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nContent-Length: {}\r\n",
        body.len()
    );
    // The Host a browser would send, unless the test sends its own (a rebinding page's).
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, body.to_string()))
}

/// A replicated service of `image`, as `docker service create --replicas N --name NAME IMAGE`.
pub fn replicated_spec(name: &str, image: &str, replicas: i64) -> bollard::models::ServiceSpec {
    use bollard::models::{
        ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated, TaskSpec, TaskSpecContainerSpec,
    };
    ServiceSpec {
        name: Some(name.into()),
        mode: Some(ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated {
                replicas: Some(replicas),
            }),
            ..Default::default()
        }),
        task_template: Some(TaskSpec {
            container_spec: Some(TaskSpecContainerSpec {
                image: Some(image.into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Removes services and networks from the host engine when dropped, however the test ends.
/// Drop cannot await and the test's runtime may be blocked there, so it uses a runtime (and
/// a client) of its own on another thread.
pub struct RemoveOnDrop {
    pub services: Vec<String>,
    pub networks: Vec<String>,
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let (services, networks) = (
            std::mem::take(&mut self.services),
            std::mem::take(&mut self.networks),
        );
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let docker = host_docker().await;
                for service in services {
                    let _ = docker.delete_service(&service).await;
                }
                for network in networks {
                    let _ = docker.remove_network(&network).await;
                }
            });
        })
        .join()
        .expect("cleanup thread");
    }
}
