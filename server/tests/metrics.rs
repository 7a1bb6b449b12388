//! Operability against the host engine as a single-node swarm: /metrics read with a parser
//! of the Prometheus text format moves when a viewer joins and leaves and when a mutation
//! runs, its token is enforced; /healthz and /readyz answer through the Host check; the
//! audit and the mutation's log line reach the panel's output.

mod support;

use prometheus_parse::{Scrape, Value};
use serde_json::json;
use std::time::Duration;
use support::client::Client;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::viewer::Viewer;
use support::wait_until;

const ADMIN: &str = "test-admin-token-0123456789-abcdef";
const METRICS_TOKEN: &str = "test-metrics-token-0123456789-abcdef";
const LIMIT: Duration = Duration::from_secs(60);
const SERVICE: &str = "flotilla-metrics-svc";

/// GET /metrics, parsed; `token` sent as a bearer token. Panics on anything but 200.
async fn scrape(addr: &str, token: Option<&str>) -> Scrape {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .as_deref()
        .map(|b| vec![("Authorization", b)])
        .unwrap_or_default();
    let (status, response_headers, body) = support::http(addr, "GET", "/metrics", &headers, "")
        .await
        .expect("GET /metrics");
    assert_eq!(status, 200, "{body}");
    let content_type = response_headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        content_type,
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format")
}

/// The value of the counter or gauge `metric` whose labels include `labels` (0 when the
/// series does not exist yet: a labelled counter appears on its first count).
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            ref other => panic!("{metric} is not a single value: {other:?}"),
        })
        .sum()
}

/// Observations in the histogram `metric` for `endpoint` (its +Inf bucket).
fn observations(scrape: &Scrape, metric: &str, endpoint: &str) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric && s.labels.get("endpoint") == Some(endpoint))
        .filter_map(|s| match &s.value {
            Value::Histogram(buckets) => buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .map(|b| b.count),
            _ => None,
        })
        .sum()
}

/// Waits until the scraped `metric{labels}` satisfies `check`; returns the last scrape.
async fn until(
    addr: &str,
    what: &str,
    metric: &'static str,
    labels: &[(&str, &str)],
    check: impl Fn(f64) -> bool,
) -> Scrape {
    wait_until(what, LIMIT, || async {
        let scrape = scrape(addr, Some(METRICS_TOKEN)).await;
        let seen = value(&scrape, metric, labels);
        match check(seen) {
            true => Ok(scrape),
            false => Err(format!("{metric} = {seen}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_move_with_viewers_and_mutations() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    support::image::ensure_test_image(docker).await;
    let _cleanup = support::RemoveOnDrop {
        services: vec![SERVICE.into()],
        networks: vec![],
    };
    docker
        .create_service(
            support::replicated_spec(SERVICE, support::image::TEST_IMAGE, 1),
            None,
        )
        .await
        .expect("create the service");
    let panel = Panel::start_with_env(
        "unix:///var/run/docker.sock",
        &["--audit-stdout", "--log-format", "json"],
        &[
            ("FLOTILLA_ADMIN_TOKEN", ADMIN),
            ("FLOTILLA_METRICS_TOKEN", METRICS_TOKEN),
        ],
    );
    let addr = panel.addr.as_str();

    // The token is enforced: none, or a wrong one, is 401.
    for authorization in [None, Some("Bearer not-the-metrics-token-0123456789")] {
        let headers: Vec<(&str, &str)> = authorization
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        let (status, _, body) = support::http(addr, "GET", "/metrics", &headers, "")
            .await
            .expect("GET /metrics");
        assert_eq!(status, 401, "{authorization:?}: {body}");
        assert!(!body.contains("flotilla_"), "{body}");
    }

    // A viewer moves the gauge up and, gone, down again; it was sent a snapshot.
    let before = scrape(addr, Some(METRICS_TOKEN)).await;
    assert_eq!(value(&before, "flotilla_viewers", &[]), 0.0);
    let snapshots = value(&before, "flotilla_snapshots_sent_total", &[]);
    let viewer = Viewer::connect(addr).await;
    until(addr, "one viewer", "flotilla_viewers", &[], |v| v == 1.0).await;
    // Counted once the send is done, which the viewer may see before the counter moves.
    until(
        addr,
        "its snapshot counted",
        "flotilla_snapshots_sent_total",
        &[],
        |v| v > snapshots,
    )
    .await;
    drop(viewer);
    until(addr, "no viewer", "flotilla_viewers", &[], |v| v == 0.0).await;

    // The owner's lists were counted and timed, and the state's age is a real number.
    let listed = until(
        addr,
        "the owner's service list counted",
        "flotilla_docker_requests_total",
        &[("endpoint", "service_list"), ("outcome", "ok")],
        |v| v >= 1.0,
    )
    .await;
    assert!(
        observations(
            &listed,
            "flotilla_docker_request_duration_seconds",
            "service_list"
        ) >= 1.0
    );
    assert!(value(&listed, "flotilla_state_age_seconds", &[]).is_finite());

    // A scale through the API: counted by action and outcome, with Docker's update.
    let scale = [("action", "service.scale"), ("outcome", "ok")];
    assert_eq!(value(&listed, "flotilla_mutations_total", &scale), 0.0);
    let client = Client::login(&panel, ADMIN).await;
    let (status, body) = client
        .post(
            &format!("/api/services/{SERVICE}/scale"),
            json!({ "replicas": "2" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let scaled = scrape(addr, Some(METRICS_TOKEN)).await;
    assert_eq!(value(&scaled, "flotilla_mutations_total", &scale), 1.0);
    let update = [("endpoint", "service_update"), ("outcome", "ok")];
    assert!(value(&scaled, "flotilla_docker_requests_total", &update) >= 1.0);

    // A wrong token at the login is a login failure.
    let anonymous = Client::anonymous(&panel);
    let (status, _) = anonymous
        .post(
            "/api/login",
            json!({ "token": "a-wrong-token-0123456789-abcdefgh" }),
        )
        .await;
    assert_eq!(status, 401);
    let failed = scrape(addr, Some(METRICS_TOKEN)).await;
    let wrong = [("reason", "wrong_token")];
    assert_eq!(value(&failed, "flotilla_login_failures_total", &wrong), 1.0);

    // The audit line went to stdout as well as the file, and the mutation and the viewer
    // each had a JSON log line (stdout and stderr both land in the panel's log).
    let output = wait_until("the scale's audit line and log line", LIMIT, || async {
        let output = std::fs::read_to_string(&panel.log).unwrap_or_default();
        let lines: Vec<serde_json::Value> = output
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let audited = lines
            .iter()
            .any(|l| l["action"] == "service.scale" && l["outcome"] == "ok");
        let logged = lines.iter().any(|l| {
            l["fields"]["message"] == "mutation"
                && l["fields"]["action"] == "service.scale"
                && l["fields"]["outcome"] == "ok"
                && l["fields"]["role"] == "admin"
        });
        let joined = lines
            .iter()
            .any(|l| l["fields"]["message"] == "viewer joined" && l["level"] == "INFO");
        match audited && logged && joined {
            true => Ok(output),
            false => Err(format!(
                "audit line {audited}, mutation log {logged}, viewer log {joined}"
            )),
        }
    })
    .await;
    assert!(!output.contains(ADMIN), "a token reached the output");
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_answer_through_the_host_check_and_metrics_are_open_without_a_token() {
    let _swarm = SingleNodeSwarm::acquire().await;
    let panel = Panel::start("unix:///var/run/docker.sock", &[]);
    let addr = panel.addr.as_str();
    // `http` sends Host: 127.0.0.1:<port>, as a health check on the container would.
    assert_eq!(
        support::http_get(addr, "/healthz").await.expect("healthz"),
        (200, "ok".to_string())
    );
    let port = addr.rsplit(':').next().expect("a port");
    for host in [format!("localhost:{port}"), addr.to_string()] {
        let headers = [("Host", host.as_str())];
        let (status, _, body) = support::http(addr, "GET", "/healthz", &headers, "")
            .await
            .expect("healthz");
        assert_eq!((status, body.as_str()), (200, "ok"), "Host {host}");
    }
    // A name the panel does not answer as is refused before any route, probes included.
    let (status, _, _) = support::http(addr, "GET", "/healthz", &[("Host", "evil.example")], "")
        .await
        .expect("healthz");
    assert_eq!(status, 421);
    wait_until("ready", LIMIT, || async {
        match support::http_get(addr, "/readyz").await {
            Ok((200, body)) if body == "ready" => Ok(()),
            Ok((status, body)) => {
                assert!(
                    status == 503 && !body.contains('\n') && !body.contains("unix://"),
                    "{status} {body:?}"
                );
                Err(format!("{status} {body}"))
            }
            Err(e) => Err(e.to_string()),
        }
    })
    .await;
    let scrape = scrape(addr, None).await;
    assert_eq!(value(&scrape, "flotilla_viewers", &[]), 0.0);
}
