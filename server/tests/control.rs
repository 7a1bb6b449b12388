//! Every control operation against the real engine (single-node swarm): what Docker holds
//! afterwards is what was asked, concurrent updates survive version conflicts, refusals come
//! back in plain words, and the audit log has a line per attempt.

mod support;

use bollard::Docker;
use serde_json::json;
use std::time::Duration;
use support::client::Client;
use support::image::TEST_IMAGE;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::wait_until;

const ADMIN: &str = "test-admin-token-0123456789-abcdef";

/// Host-mode ports are a policy switch: the form test publishes one, as the lab must (its
/// kernel has no IPVS for the ingress mesh).
fn start_panel() -> Panel {
    Panel::start_with_env(
        "unix:///var/run/docker.sock",
        &["--allow-host-ports"],
        &[("FLOTILLA_ADMIN_TOKEN", ADMIN)],
    )
}

async fn replicas(docker: &Docker, name: &str) -> i64 {
    let service = docker.inspect_service(name, None).await.expect("inspect");
    service
        .spec
        .and_then(|s| s.mode)
        .and_then(|m| m.replicated)
        .and_then(|r| r.replicas)
        .expect("replicas")
}

async fn image(docker: &Docker, name: &str) -> String {
    let service = docker.inspect_service(name, None).await.expect("inspect");
    service
        .spec
        .and_then(|s| s.task_template)
        .and_then(|t| t.container_spec)
        .and_then(|c| c.image)
        .expect("image")
}

#[tokio::test(flavor = "multi_thread")]
async fn services_from_create_to_remove() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    support::image::ensure_test_image(docker).await;
    docker
        .tag_image(
            TEST_IMAGE,
            Some(bollard::query_parameters::TagImageOptions {
                repo: Some("flotilla-test/busybox".into()),
                tag: Some("v2".into()),
            }),
        )
        .await
        .expect("tag v2");
    let _cleanup = support::RemoveOnDrop {
        services: vec!["flotilla-ctl-svc".into(), "flotilla-ctl-global".into()],
        networks: vec![],
    };
    let panel = start_panel();
    let client = Client::login(&panel, ADMIN).await;

    let form = json!({
        "name": "flotilla-ctl-svc", "image": TEST_IMAGE, "replicas": "2",
        "env": "GREETING=hi", "labels": "team=core", "constraints": "node.role == manager",
        "restart_condition": "on-failure", "update_order": "start-first", "limit_memory": "64M",
        "ports": [{ "target": "8080", "published": "18080", "mode": "host" }]
    });
    let (status, body) = client.post("/api/services", form).await;
    assert_eq!(status, 200, "{body}");
    let service = docker
        .inspect_service("flotilla-ctl-svc", None)
        .await
        .expect("created");
    let spec = service.spec.expect("spec");
    let task = spec.task_template.expect("task");
    let container = task.container_spec.expect("container");
    assert_eq!(container.env, Some(vec!["GREETING=hi".to_string()]));
    assert_eq!(spec.labels.expect("labels")["team"], "core");
    assert_eq!(
        task.placement.and_then(|p| p.constraints),
        Some(vec!["node.role == manager".to_string()])
    );
    assert_eq!(
        task.restart_policy
            .and_then(|r| r.condition)
            .map(|c| c.to_string())
            .as_deref(),
        Some("on-failure")
    );
    assert_eq!(
        task.resources
            .and_then(|r| r.limits)
            .and_then(|l| l.memory_bytes),
        Some(64 << 20)
    );
    assert_eq!(
        spec.update_config
            .and_then(|u| u.order)
            .map(|o| o.to_string())
            .as_deref(),
        Some("start-first")
    );
    let port = &spec.endpoint_spec.and_then(|e| e.ports).expect("ports")[0];
    assert_eq!(
        (port.target_port, port.published_port),
        (Some(8080), Some(18080))
    );
    assert_eq!(replicas(docker, "flotilla-ctl-svc").await, 2);

    let (status, body) = client
        .post(
            "/api/services/flotilla-ctl-svc/scale",
            json!({ "replicas": "3" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(replicas(docker, "flotilla-ctl-svc").await, 3);

    // Concurrent writers: without re-reading the version, some would fail "out of sequence".
    let scales = (1..=5).map(|n| {
        client.post(
            "/api/services/flotilla-ctl-svc/scale",
            json!({ "replicas": n.to_string() }),
        )
    });
    let results = futures_util::future::join_all(scales).await;
    let attempts: Vec<u64> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["attempts"].as_u64().expect("attempts")
        })
        .collect();
    println!("attempts per concurrent scale: {attempts:?}");

    let (status, body) = client
        .post(
            "/api/services/flotilla-ctl-svc/image",
            json!({ "image": "flotilla-test/busybox:v2" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        image(docker, "flotilla-ctl-svc")
            .await
            .starts_with("flotilla-test/busybox:v2")
    );
    // Docker kept the spec before the update as PreviousSpec: roll back to it.
    let (status, body) = client
        .post("/api/services/flotilla-ctl-svc/rollback", json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        image(docker, "flotilla-ctl-svc")
            .await
            .starts_with(TEST_IMAGE),
        "rolled back"
    );

    // A global service cannot be scaled: refused as the CLI does, in plain words.
    let (status, body) = client
        .post(
            "/api/services",
            json!({ "name": "flotilla-ctl-global", "image": TEST_IMAGE, "mode": "global" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = client
        .post(
            "/api/services/flotilla-ctl-global/scale",
            json!({ "replicas": "2" }),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("global"),
        "{body}"
    );

    // Bad inputs are refused naming the field, and nothing reaches Docker.
    let (status, body) = client
        .post(
            "/api/services",
            json!({ "name": "flotilla-ctl-bad", "image": TEST_IMAGE, "networks": ["no-such-net"] }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "networks", "{body}");
    assert!(
        docker
            .inspect_service("flotilla-ctl-bad", None)
            .await
            .is_err()
    );
    let (status, body) = client
        .post(
            "/api/services/flotilla-ctl-svc/scale",
            json!({ "replicas": "-3" }),
        )
        .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (422, Some("replicas")),
        "{body}"
    );
    let (status, body) = client
        .post(
            "/api/services/no-such-service/scale",
            json!({ "replicas": "1" }),
        )
        .await;
    assert_eq!(status, 404, "{body}");

    let (status, body) = client
        .post("/api/services/flotilla-ctl-svc/remove", json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        docker
            .inspect_service("flotilla-ctl-svc", None)
            .await
            .is_err(),
        "removed"
    );

    let log = std::fs::read_to_string(&panel.audit_log).expect("audit log");
    support::client::assert_each_attempt_completed(&log);
    assert_eq!(
        support::client::outcomes(&log),
        client.sent.load(std::sync::atomic::Ordering::Relaxed),
        "one outcome line per request:\n{log}"
    );
    assert!(
        !log.contains("GREETING=hi"),
        "env values are redacted:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nodes_and_networks() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    let _cleanup = support::RemoveOnDrop {
        services: vec![],
        networks: vec!["flotilla-ctl-net".into()],
    };
    let panel = start_panel();
    let client = Client::login(&panel, ADMIN).await;
    let info = docker.info().await.expect("info");
    let node_id = info.swarm.and_then(|s| s.node_id).expect("node id");
    let availability = |docker: Docker, id: String| async move {
        docker
            .inspect_node(&id)
            .await
            .ok()?
            .spec?
            .availability
            .map(|a| a.to_string())
    };

    for wanted in ["drain", "active"] {
        let path = format!("/api/nodes/{node_id}/availability");
        let (status, body) = client.post(&path, json!({ "availability": wanted })).await;
        assert_eq!(status, 200, "{body}");
        let held = availability(docker.clone(), node_id.clone()).await;
        assert_eq!(held.as_deref(), Some(wanted));
    }
    let (status, _) = client
        .post(
            &format!("/api/nodes/{node_id}/availability"),
            json!({ "availability": "sleepy" }),
        )
        .await;
    assert_eq!(status, 422);

    let labels = |docker: Docker, id: String| async move {
        docker
            .inspect_node(&id)
            .await
            .ok()
            .and_then(|n| n.spec?.labels)
            .unwrap_or_default()
    };
    let (status, body) = client
        .post(
            &format!("/api/nodes/{node_id}/labels"),
            json!({ "add": "zone=east" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        labels(docker.clone(), node_id.clone())
            .await
            .get("zone")
            .map(String::as_str),
        Some("east")
    );
    let (status, body) = client
        .post(
            &format!("/api/nodes/{node_id}/labels"),
            json!({ "remove": ["zone"] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        !labels(docker.clone(), node_id.clone())
            .await
            .contains_key("zone")
    );

    // Docker's own refusal comes back in its words.
    let (status, body) = client
        .post(
            &format!("/api/nodes/{node_id}/role"),
            json!({ "role": "worker" }),
        )
        .await;
    assert_eq!(status, 409, "a conflict with the swarm's state: {body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("last manager"),
        "{body}"
    );

    let (status, body) = client
        .post(
            "/api/networks",
            json!({ "name": "flotilla-ctl-net", "attachable": true }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The swarm's allocator fills in the driver shortly after the network is stored: until
    // then inspect reports an empty one.
    let network = wait_until(
        "the new network to be allocated",
        Duration::from_secs(30),
        || async {
            let n = docker
                .inspect_network("flotilla-ctl-net", None)
                .await
                .ok()?;
            (n.driver.as_deref() != Some("")).then_some(n)
        },
    )
    .await;
    assert_eq!(
        (
            network.driver.as_deref(),
            network.attachable,
            network.scope.as_deref()
        ),
        (Some("overlay"), Some(true), Some("swarm"))
    );
    let (status, body) = client
        .post("/api/networks/flotilla-ctl-net/remove", json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        docker
            .inspect_network("flotilla-ctl-net", None)
            .await
            .is_err(),
        "removed"
    );
    let (status, _) = client
        .post("/api/networks", json!({ "name": "bad name!" }))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_origins_and_anonymous_callers_are_refused_over_http() {
    let panel = start_panel();
    let (status, _, _) = support::http(
        &panel.addr,
        "POST",
        "/api/services/x/scale",
        &[],
        r#"{"replicas":"1"}"#,
    )
    .await
    .expect("post");
    assert_eq!(status, 401);
    let evil = [("Origin", "http://evil.example")];
    let (status, _, _) = support::http(
        &panel.addr,
        "POST",
        "/api/login",
        &evil,
        &json!({ "token": ADMIN }).to_string(),
    )
    .await
    .expect("post");
    assert_eq!(status, 403, "login from a foreign origin");
    // The websocket upgrade from a foreign origin is refused before upgrading.
    let upgrade = [
        &[("Origin", "http://evil.example")][..],
        &support::WS_UPGRADE[..],
    ]
    .concat();
    let (status, _, _) = support::http(&panel.addr, "GET", "/ws", &upgrade, "")
        .await
        .expect("upgrade");
    assert_eq!(status, 403);
}

/// The engine writes a service's health check as `Healthcheck`, bollard reads `HealthCheck`:
/// an update that read the spec through bollard alone would send it back without one. Scaling
/// and changing the image from the panel must keep it.
#[tokio::test]
async fn updates_keep_the_health_check() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    support::image::ensure_test_image(docker).await;
    let name = "flotilla-ctl-health";
    let _cleanup = support::RemoveOnDrop {
        services: vec![name.into()],
        networks: vec![],
    };
    let check = bollard::models::HealthConfig {
        test: Some(vec!["CMD-SHELL".into(), "true".into()]),
        interval: Some(30_000_000_000),
        ..Default::default()
    };
    let spec = bollard::models::ServiceSpec {
        name: Some(name.into()),
        task_template: Some(bollard::models::TaskSpec {
            container_spec: Some(bollard::models::TaskSpecContainerSpec {
                image: Some(TEST_IMAGE.into()),
                command: Some(vec!["sleep".into(), "3600".into()]),
                health_check: Some(check),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    docker.create_service(spec, None).await.expect("create");
    let panel = start_panel();
    let client = Client::login(&panel, ADMIN).await;
    let (status, body) = client
        .post(
            &format!("/api/services/{name}/scale"),
            json!({ "replicas": "2" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(replicas(docker, name).await, 2);
    // Read as the engine wrote it, past bollard's model.
    let output = std::process::Command::new("docker")
        .args(["service", "inspect", "--format"])
        .arg("{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck}}")
        .arg(name)
        .output()
        .expect("docker service inspect");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("CMD-SHELL") && text.contains("30000000000"),
        "health check after a scale from the panel: {text}"
    );
}
