//! Services read as the engine writes them. bollard's `TaskSpecContainerSpec` names the
//! health check `HealthCheck`; the engine (Go: `Healthcheck`, matched without regard to
//! case on the way in) writes `Healthcheck` on the way out, so bollard drops every service's
//! health check when it reads one. A stack deploy must see it (or every redeploy of a
//! service with a health check would update it), so the stack's services are read here with
//! one plain GET and the key renamed before bollard's types take the JSON.
//!
//! Over a unix socket or plain TCP; over TLS this falls back to bollard (and health checks
//! then read as absent).

use super::super::timed::{Endpoint, Outcome};
use super::super::{Context, DockerError, Engine, Result};
use bollard::models as m;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::HashMap;

/// A swarm's service list is JSON of a few KiB per service.
const BODY_LIMIT: usize = 64 << 20;

impl Engine {
    /// Services matching `filters`, health checks kept. None when the engine is reached
    /// over TLS (the caller then uses bollard).
    pub(super) async fn services_as_written(
        &self,
        filters: &HashMap<String, Vec<String>>,
    ) -> Result<Option<Vec<m::Service>>> {
        let query = serde_json::to_string(filters).unwrap_or_default();
        let query: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let path = format!("services?filters={query}");
        self.read_as_written(Endpoint::ServiceList, &path, "listing services")
            .await
    }

    /// One service (by ID or name), health check kept; None over TLS.
    pub(crate) async fn service_as_written(&self, id: &str) -> Result<Option<m::Service>> {
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let path = format!("services/{id}");
        self.read_as_written(Endpoint::ServiceInspect, &path, "inspecting the service")
            .await
    }

    /// GET `/v<api>/<path>` with every service's health check key renamed for bollard's
    /// types: one object or a list of them.
    async fn read_as_written<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        path: &str,
        doing: &str,
    ) -> Result<Option<T>> {
        let version = self.docker.client_version();
        let path = format!(
            "/v{}.{}/{path}",
            version.major_version, version.minor_version
        );
        let host = self.host();
        let body = if let Some(socket) = host.strip_prefix("unix://") {
            let stream = tokio::net::UnixStream::connect(socket).await;
            let read = get(stream.map_err(|e| e.to_string()), &path, "localhost");
            self.timed(endpoint, read).await
        } else if let Some(address) = plain_tcp(host) {
            let stream = tokio::net::TcpStream::connect(address).await;
            let read = get(stream.map_err(|e| e.to_string()), &path, address);
            self.timed(endpoint, read).await
        } else {
            return Ok(None);
        };
        let failed = |e: String| DockerError::Other(format!("{doing}: {e}"));
        let body = body.map_err(|e| failed(e.to_string()))?;
        let mut value: Value = serde_json::from_slice(&body).map_err(|e| failed(e.to_string()))?;
        match value.as_array_mut() {
            Some(services) => services.iter_mut().for_each(rename_healthcheck),
            None => rename_healthcheck(&mut value),
        }
        let read = serde_json::from_value(value).map_err(|e| failed(e.to_string()))?;
        Ok(Some(read))
    }

    /// The stack's services, read with their health checks where possible.
    pub(super) async fn services_with_health(
        &self,
        filters: HashMap<String, Vec<String>>,
    ) -> Result<Vec<m::Service>> {
        if let Some(services) = self.services_as_written(&filters).await? {
            return Ok(services);
        }
        let options = bollard::query_parameters::ListServicesOptions {
            filters: Some(filters),
            status: None,
        };
        self.docker
            .list_services(Some(options))
            .await
            .context(|| "listing the stack's services".into())
    }
}

/// `tcp://host:port` or `http://host:port` when TLS is not asked for.
fn plain_tcp(host: &str) -> Option<&str> {
    let address = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))?;
    let tls = super::super::tls_files(
        host,
        std::env::var("DOCKER_TLS_VERIFY").ok().as_deref(),
        None,
        None,
    );
    tls.is_none().then(|| address.trim_end_matches('/'))
}

/// Why a plain GET brought no body: the engine answered with an error, or did not answer.
/// Kept apart so the request is counted as Docker's refusal or as a failed link.
#[derive(Debug, thiserror::Error)]
enum RawError {
    #[error("{0}")]
    Answered(String),
    #[error("{0}")]
    NoAnswer(String),
}

impl Outcome for RawError {
    fn outcome(&self) -> &'static str {
        match self {
            RawError::Answered(_) => "refused",
            RawError::NoAnswer(_) => "failed",
        }
    }
}

async fn get<S>(
    stream: std::result::Result<S, String>,
    path: &str,
    host: &str,
) -> std::result::Result<Bytes, RawError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let no_answer = |e: String| RawError::NoAnswer(e);
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream.map_err(no_answer)?))
            .await
            .map_err(|e| no_answer(e.to_string()))?;
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, host)
        .body(Empty::<Bytes>::new())
        .map_err(|e| no_answer(e.to_string()))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| no_answer(e.to_string()))?;
    let status = response.status();
    let body = Limited::new(response.into_body(), BODY_LIMIT)
        .collect()
        .await
        .map_err(|e| no_answer(e.to_string()))?
        .to_bytes();
    match status.is_success() {
        true => Ok(body),
        false => Err(RawError::Answered(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body).trim()
        ))),
    }
}

/// `Spec.TaskTemplate.ContainerSpec.Healthcheck` -> `HealthCheck`, as bollard reads it.
fn rename_healthcheck(service: &mut Value) {
    let container = service
        .pointer_mut("/Spec/TaskTemplate/ContainerSpec")
        .and_then(Value::as_object_mut);
    if let Some(container) = container
        && let Some(check) = container.remove("Healthcheck")
    {
        container.insert("HealthCheck".into(), check);
    }
}
