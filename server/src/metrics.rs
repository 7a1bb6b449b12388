//! The panel's metrics, for `GET /metrics`: one registry, made when `serve` starts and shared
//! as an `Arc`. The code where things happen holds the handles it counts with (the feed its
//! counters, the Docker adapter its request counts and timings, control its mutation and
//! login counts); what is a reading rather than a count (viewers, the state's age) is read
//! from the hub when scraped, so it cannot drift from the truth.
//!
//! Every label value comes from a fixed set of `&'static str` (endpoints, actions, outcome
//! kinds): the series are bounded whatever clients send.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// The Content-Type of what [`Metrics::encode`] writes (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Docker request latency buckets, in seconds: a list on a small swarm takes milliseconds,
/// a service create on a busy one seconds; the per-request timeout is 10 s (owner) or 30 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    endpoint: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MutationLabels {
    action: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// What the Docker adapter counts: requests by endpoint and outcome, and their latency by
/// endpoint. Cheap to clone (the families are shared): each `Engine` of `serve` holds one.
#[derive(Clone, Debug)]
pub struct DockerMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<EndpointLabels, Histogram, fn() -> Histogram>,
}

impl Default for DockerMetrics {
    fn default() -> DockerMetrics {
        DockerMetrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
        }
    }
}

impl DockerMetrics {
    /// One request to `endpoint` that ended with `outcome` after `took`; `took` None for a
    /// request whose duration means nothing (the event stream lasts as long as the link).
    pub fn observe(&self, endpoint: &'static str, outcome: &'static str, took: Option<Duration>) {
        self.requests
            .get_or_create(&RequestLabels { endpoint, outcome })
            .inc();
        if let Some(took) = took {
            self.latency
                .get_or_create(&EndpointLabels { endpoint })
                .observe(took.as_secs_f64());
        }
    }
}

/// What the live feed counts, as it sends.
#[derive(Clone, Debug, Default)]
pub struct FeedMetrics {
    pub snapshots: Counter,
    pub deltas: Counter,
    pub resyncs: Counter,
    drops: Family<ReasonLabels, Counter>,
}

impl FeedMetrics {
    /// A viewer ended by the panel because a send failed: `reason` "timeout" (the socket took
    /// nothing for the send limit) or "error" (the connection broke).
    pub fn dropped(&self, reason: &'static str) {
        self.drops.get_or_create(&ReasonLabels { reason }).inc();
    }
}

pub struct Metrics {
    registry: Registry,
    viewers: Gauge,
    state_age: Gauge<f64, AtomicU64>,
    pub feed: FeedMetrics,
    mutations: Family<MutationLabels, Counter>,
    login_failures: Family<ReasonLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new(DockerMetrics::default())
    }
}

impl Metrics {
    /// The registry, with `docker`'s families in it (the hub makes those, since the state
    /// owner's engine is connected where only the hub reaches).
    pub fn new(docker: DockerMetrics) -> Metrics {
        let mut registry = Registry::with_prefix("flotilla");
        let viewers = Gauge::default();
        let state_age = Gauge::<f64, AtomicU64>::default();
        let feed = FeedMetrics::default();
        let mutations = Family::default();
        let login_failures = Family::default();
        registry.register(
            "viewers",
            "Viewers (websockets) following the live feed",
            viewers.clone(),
        );
        registry.register(
            "snapshots_sent",
            "Full snapshots sent to viewers (on join and on resync)",
            feed.snapshots.clone(),
        );
        registry.register("deltas_sent", "Deltas sent to viewers", feed.deltas.clone());
        registry.register(
            "resyncs",
            "Viewers that fell behind the broadcast ring and were resynced with a snapshot",
            feed.resyncs.clone(),
        );
        registry.register(
            "viewer_drops",
            "Viewers ended by the panel because a send timed out or failed, by reason",
            feed.drops.clone(),
        );
        registry.register(
            "docker_requests",
            "Docker Engine API requests, by endpoint and outcome (ok, refused: Docker answered with an error, failed: no usable answer)",
            docker.requests.clone(),
        );
        registry.register(
            "docker_request_duration_seconds",
            "Docker Engine API request latency until the answer was read, by endpoint",
            docker.latency.clone(),
        );
        registry.register(
            "state_age_seconds",
            "Seconds since the cluster state was last read in full from Docker (+Inf: never)",
            state_age.clone(),
        );
        registry.register(
            "mutations",
            "Mutations attempted through the panel, by action and outcome kind",
            mutations.clone(),
        );
        registry.register(
            "login_failures",
            "Failed logins, by reason (wrong_token, throttled)",
            login_failures.clone(),
        );
        Metrics {
            registry,
            viewers,
            state_age,
            feed,
            mutations,
            login_failures,
        }
    }

    /// A mutation that ended: `action` as the audit log names it, `outcome` one of the
    /// fixed kinds (ok, denied, throttled, invalid, policy, failed).
    pub fn mutation(&self, action: &'static str, outcome: &'static str) {
        self.mutations
            .get_or_create(&MutationLabels { action, outcome })
            .inc();
    }

    pub fn login_failed(&self, reason: &'static str) {
        self.login_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// The text a scrape answers with, the readings taken now: `viewers` joined and the
    /// state's age (`Duration::MAX`: never synced, written as +Inf).
    pub fn encode(&self, viewers: usize, state_age: Duration) -> String {
        self.viewers.set(i64::try_from(viewers).unwrap_or(i64::MAX));
        self.state_age.set(match state_age {
            Duration::MAX => f64::INFINITY,
            age => age.as_secs_f64(),
        });
        let mut text = String::new();
        // Writing into a String cannot fail; were it to, the scrape would be short, not wrong.
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
        {
            tracing::error!(error = %e, "encoding metrics failed");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_readings_appear_in_the_text() {
        let docker = DockerMetrics::default();
        let metrics = Metrics::new(docker.clone());
        metrics.feed.snapshots.inc();
        metrics.feed.dropped("timeout");
        docker.observe("service_list", "ok", Some(Duration::from_millis(3)));
        docker.observe("events", "failed", None);
        metrics.mutation("service.scale", "ok");
        metrics.login_failed("wrong_token");
        let text = metrics.encode(3, Duration::MAX);
        for line in [
            "flotilla_viewers 3",
            "flotilla_snapshots_sent_total 1",
            "flotilla_viewer_drops_total{reason=\"timeout\"} 1",
            "flotilla_docker_requests_total{endpoint=\"service_list\",outcome=\"ok\"} 1",
            "flotilla_docker_requests_total{endpoint=\"events\",outcome=\"failed\"} 1",
            "flotilla_docker_request_duration_seconds_count{endpoint=\"service_list\"} 1",
            "flotilla_state_age_seconds +Inf",
            "flotilla_mutations_total{action=\"service.scale\",outcome=\"ok\"} 1",
            "flotilla_login_failures_total{reason=\"wrong_token\"} 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line:?} missing from\n{text}"
            );
        }
        assert!(
            !text.contains("duration_seconds_count{endpoint=\"events\"}"),
            "the event stream has no latency"
        );
        let text = metrics.encode(0, Duration::from_millis(1500));
        assert!(
            text.lines().any(|l| l == "flotilla_state_age_seconds 1.5"),
            "{text}"
        );
        assert!(text.lines().any(|l| l == "flotilla_viewers 0"), "{text}");
    }
}
