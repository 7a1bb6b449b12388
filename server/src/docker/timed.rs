//! Counting and timing the adapter's requests, for `/metrics`: the state owner's lists,
//! inspects and event stream, and the mutations. One helper wraps a call; endpoints are a
//! fixed enum, so the label set stays bounded whatever the ids and names in the calls.

use super::{DockerError, Engine};
use std::time::Instant;

/// The Docker API endpoints the panel's counts are kept by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Ping,
    Info,
    NodeList,
    NodeInspect,
    NodeUpdate,
    ServiceList,
    ServiceInspect,
    ServiceCreate,
    ServiceUpdate,
    ServiceDelete,
    TaskList,
    NetworkList,
    NetworkInspect,
    NetworkCreate,
    NetworkDelete,
    SecretCreate,
    SecretUpdate,
    SecretDelete,
    ConfigCreate,
    ConfigUpdate,
    ConfigDelete,
    Events,
}

impl Endpoint {
    /// The `endpoint` label.
    pub const fn name(self) -> &'static str {
        match self {
            Endpoint::Ping => "ping",
            Endpoint::Info => "info",
            Endpoint::NodeList => "node_list",
            Endpoint::NodeInspect => "node_inspect",
            Endpoint::NodeUpdate => "node_update",
            Endpoint::ServiceList => "service_list",
            Endpoint::ServiceInspect => "service_inspect",
            Endpoint::ServiceCreate => "service_create",
            Endpoint::ServiceUpdate => "service_update",
            Endpoint::ServiceDelete => "service_delete",
            Endpoint::TaskList => "task_list",
            Endpoint::NetworkList => "network_list",
            Endpoint::NetworkInspect => "network_inspect",
            Endpoint::NetworkCreate => "network_create",
            Endpoint::NetworkDelete => "network_delete",
            Endpoint::SecretCreate => "secret_create",
            Endpoint::SecretUpdate => "secret_update",
            Endpoint::SecretDelete => "secret_delete",
            Endpoint::ConfigCreate => "config_create",
            Endpoint::ConfigUpdate => "config_update",
            Endpoint::ConfigDelete => "config_delete",
            Endpoint::Events => "events",
        }
    }
}

/// How a request ended, as the `outcome` label: "ok"; "refused" when Docker answered with
/// an error status (a 404 included: the engine answered); "failed" when there was no usable
/// answer (the link, a timeout, a body that did not decode).
pub trait Outcome {
    fn outcome(&self) -> &'static str;
}

impl Outcome for bollard::errors::Error {
    fn outcome(&self) -> &'static str {
        match self {
            bollard::errors::Error::DockerResponseServerError { .. } => "refused",
            _ => "failed",
        }
    }
}

impl Outcome for DockerError {
    fn outcome(&self) -> &'static str {
        match self {
            DockerError::Api { source, .. } | DockerError::Unreachable { source, .. } => {
                source.outcome()
            }
            DockerError::BadAddress(_) | DockerError::Other(_) => "failed",
        }
    }
}

impl Engine {
    /// Runs one request, counted under `endpoint` with its outcome and latency (when this
    /// engine has metrics: `serve`'s do, the CLI's and the lab's do not).
    pub(crate) async fn timed<T, E: Outcome>(
        &self,
        endpoint: Endpoint,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let result = call.await;
        if let Some(metrics) = &self.metrics {
            let outcome = result.as_ref().map_or_else(Outcome::outcome, |_| "ok");
            metrics.observe(endpoint.name(), outcome, Some(started.elapsed()));
        }
        result
    }

    /// Counts one event of the stream's life that has no meaningful duration: its opening
    /// ("ok") or its end in an error.
    pub(crate) fn count(&self, endpoint: Endpoint, outcome: &'static str) {
        if let Some(metrics) = &self.metrics {
            metrics.observe(endpoint.name(), outcome, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_tell_an_answer_from_none() {
        let answered = bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            message: "no such service".into(),
        };
        assert_eq!(answered.outcome(), "refused");
        let no_answer = bollard::errors::Error::RequestTimeoutError;
        assert_eq!(no_answer.outcome(), "failed");
        let wrapped = DockerError::Api {
            context: "listing services".into(),
            source: bollard::errors::Error::DockerResponseServerError {
                status_code: 500,
                message: "boom".into(),
            },
        };
        assert_eq!(wrapped.outcome(), "refused");
        assert_eq!(DockerError::Other("x".into()).outcome(), "failed");
    }

    #[tokio::test]
    async fn a_timed_call_is_counted_by_endpoint_and_outcome() {
        let counts = crate::metrics::DockerMetrics::default();
        let metrics = crate::metrics::Metrics::new(counts.clone());
        // No request reaches this client: bollard connects on a request's first use.
        let docker = bollard::Docker::connect_with_http(
            "tcp://127.0.0.1:1",
            1,
            bollard::API_DEFAULT_VERSION,
        )
        .expect("an address");
        let engine = Engine {
            docker,
            host: "tcp://127.0.0.1:1".into(),
            metrics: None,
        }
        .with_metrics(counts);
        let ok: Result<u8, DockerError> = engine.timed(Endpoint::TaskList, async { Ok(1) }).await;
        assert_eq!(ok.ok(), Some(1));
        let refused: Result<(), bollard::errors::Error> = engine
            .timed(Endpoint::ServiceUpdate, async {
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 409,
                    message: "update out of sequence".into(),
                })
            })
            .await;
        assert!(refused.is_err());
        let text = metrics.encode(0, std::time::Duration::ZERO);
        for line in [
            "flotilla_docker_requests_total{endpoint=\"task_list\",outcome=\"ok\"} 1",
            "flotilla_docker_requests_total{endpoint=\"service_update\",outcome=\"refused\"} 1",
            "flotilla_docker_request_duration_seconds_count{endpoint=\"task_list\"} 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line:?} missing from\n{text}"
            );
        }
    }
}
