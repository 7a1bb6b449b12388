//! The one adapter between Flotilla and the Docker Engine API: every bollard call lives
//! under this module, so the rest of the server speaks in Flotilla's own types.

mod cluster;
pub mod convert;
mod images;
mod kiosk_configs;
mod lab_objects;
mod mutations;
pub mod spec;
mod stack;
mod swarm;
mod timed;

pub use cluster::{ClusterEvent, ObjectKind};
pub use images::ImageSource;
pub use kiosk_configs::LabelledConfig;
pub use lab_objects::{ContainerPlan, ContainerState, Privilege};
pub use mutations::{ChangeError, NodeChange, Refusal};
pub use stack::{Note, PrepareError, Prepared, StackTasks};
pub use swarm::{SwarmState, node_from_docker};

use bollard::Docker;
use std::time::Duration;

/// What went wrong talking to a Docker engine, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("cannot reach a Docker engine at {host}: {source}\n  hint: {hint}")]
    Unreachable {
        host: String,
        hint: &'static str,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("unsupported Docker address {0:?}: use unix:///path/to/docker.sock or tcp://host:port")]
    BadAddress(String),
    #[error("{context}: {source}")]
    Api {
        context: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("{0}")]
    Other(String),
}

pub type Result<T> = std::result::Result<T, DockerError>;

/// Adds what was being done to a bollard error.
pub(crate) trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, bollard::errors::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| DockerError::Api {
            context: what(),
            source,
        })
    }
}

/// A connected engine whose API version has been negotiated (bollard defaults to a newer API
/// than Debian's dockerd 20.10 speaks).
#[derive(Clone)]
pub struct Engine {
    pub(crate) docker: Docker,
    host: String,
    /// Where its requests are counted and timed (see `timed`); None outside `serve`.
    metrics: Option<crate::metrics::DockerMetrics>,
}

impl Engine {
    /// Connects with a generous per-request timeout, for the lab's long image imports.
    pub async fn connect(host: &str) -> Result<Engine> {
        Engine::connect_with_timeout(host, 120).await
    }

    /// `timeout` (seconds) bounds each request until its response headers arrive; it does not
    /// cut long streams such as events.
    pub async fn connect_with_timeout(host: &str, timeout: u64) -> Result<Engine> {
        let version = bollard::API_DEFAULT_VERSION;
        let bad = |_| DockerError::BadAddress(host.to_string());
        let tls = tls_files(
            host,
            std::env::var("DOCKER_TLS_VERIFY").ok().as_deref(),
            std::env::var("DOCKER_CERT_PATH").ok().as_deref(),
            std::env::var("HOME").ok().as_deref(),
        );
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            Docker::connect_with_unix(path, timeout, version).map_err(bad)?
        } else if let Some(files) = tls {
            let [key, cert, ca] = files.map(std::path::PathBuf::from);
            Docker::connect_with_ssl(host, &key, &cert, &ca, timeout, version).map_err(|e| {
                DockerError::Other(format!(
                    "TLS setup for {host} (DOCKER_CERT_PATH: key.pem, cert.pem, ca.pem): {e}"
                ))
            })?
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(host, timeout, version).map_err(bad)?
        } else {
            return Err(DockerError::BadAddress(host.to_string()));
        };
        let unreachable = |source| DockerError::Unreachable {
            host: host.to_string(),
            hint: if host.starts_with("unix://") {
                "start one with `scripts/engine.sh` (or `sudo dockerd &`), or set DOCKER_HOST"
            } else {
                "is the engine (or the lab: `flotilla lab up`) running and listening there?"
            },
            source,
        };
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        docker.ping().await.map_err(unreachable)?;
        Ok(Engine {
            docker,
            host: host.to_string(),
            metrics: None,
        })
    }

    /// This engine, its requests counted and timed into `metrics` from now on.
    pub fn with_metrics(mut self, metrics: crate::metrics::DockerMetrics) -> Engine {
        self.metrics = Some(metrics);
        self
    }

    /// Connects, retrying until `deadline` passes: used while a freshly started engine boots.
    pub async fn connect_within(host: &str, deadline: Duration) -> Result<Engine> {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            match Engine::connect(host).await {
                Ok(engine) => return Ok(engine),
                Err(e) if tokio::time::Instant::now() >= until => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub async fn server_version(&self) -> Result<String> {
        let v = self
            .docker
            .version()
            .await
            .context(|| "reading the engine version".into())?;
        Ok(v.version.unwrap_or_default())
    }
}

/// The client key, certificate and CA for a TLS engine, as the docker CLI finds them:
/// DOCKER_TLS_VERIFY set (and not "0") on a tcp:// address, or an https:// address; files in
/// DOCKER_CERT_PATH, else ~/.docker.
pub fn tls_files(
    host: &str,
    verify: Option<&str>,
    cert_path: Option<&str>,
    home: Option<&str>,
) -> Option<[String; 3]> {
    let wanted = host.starts_with("https://")
        || (host.starts_with("tcp://") && verify.is_some_and(|v| !v.is_empty() && v != "0"));
    if !wanted {
        return None;
    }
    let dir = match (cert_path.filter(|p| !p.is_empty()), home) {
        (Some(dir), _) => dir.to_string(),
        (None, Some(home)) => format!("{home}/.docker"),
        (None, None) => ".docker".to_string(),
    };
    Some(["key.pem", "cert.pem", "ca.pem"].map(|f| format!("{dir}/{f}")))
}

#[cfg(test)]
mod tests {
    use super::tls_files;

    #[test]
    fn tls_follows_the_cli_environment() {
        let files =
            |dir: &str| Some(["key.pem", "cert.pem", "ca.pem"].map(|f| format!("{dir}/{f}")));
        let cases = [
            (
                "unix:///var/run/docker.sock",
                Some("1"),
                Some("/certs"),
                files_none(),
            ),
            ("tcp://10.0.0.1:2376", None, Some("/certs"), files_none()),
            (
                "tcp://10.0.0.1:2376",
                Some("0"),
                Some("/certs"),
                files_none(),
            ),
            (
                "tcp://10.0.0.1:2376",
                Some(""),
                Some("/certs"),
                files_none(),
            ),
            (
                "tcp://10.0.0.1:2376",
                Some("1"),
                Some("/certs"),
                files("/certs"),
            ),
            (
                "tcp://10.0.0.1:2376",
                Some("1"),
                None,
                files("/home/ops/.docker"),
            ),
            (
                "https://10.0.0.1:2376",
                None,
                Some(""),
                files("/home/ops/.docker"),
            ),
        ];
        for (host, verify, path, want) in cases {
            assert_eq!(
                tls_files(host, verify, path, Some("/home/ops")),
                want,
                "{host} {verify:?} {path:?}"
            );
        }
    }

    fn files_none() -> Option<[String; 3]> {
        None
    }
}
