//! Attacks through control, on the real engine (single-node swarm), each seen refused with
//! Docker left as it was: an operator moving a service to an image of their choice, an admin
//! mounting the Docker socket, a change the audit log cannot record. And the other side of
//! "nothing unaudited": a client that hangs up mid-request does not cancel the change.

mod support;

use bollard::Docker;
use serde_json::json;
use std::time::Duration;
use support::client::Client;
use support::image::TEST_IMAGE;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::wait_until;

const ADMIN: &str = "escalation-admin-token-0123456789-abc";
const OPERATOR: &str = "escalation-operator-token-0123456789";

fn panel(extra: &[&str]) -> Panel {
    Panel::start_with_env(
        "unix:///var/run/docker.sock",
        extra,
        &[
            ("FLOTILLA_ADMIN_TOKEN", ADMIN),
            ("FLOTILLA_OPERATOR_TOKEN", OPERATOR),
        ],
    )
}

async fn service_with(docker: &Docker, name: &str, replicas: i64) -> support::RemoveOnDrop {
    support::image::ensure_test_image(docker).await;
    let _ = docker.delete_service(name).await;
    docker
        .create_service(support::replicated_spec(name, TEST_IMAGE, replicas), None)
        .await
        .expect("create the service");
    support::RemoveOnDrop {
        services: vec![name.into()],
        networks: vec![],
    }
}

async fn spec_of(docker: &Docker, name: &str) -> (String, i64) {
    let spec = docker
        .inspect_service(name, None)
        .await
        .expect("inspect")
        .spec
        .expect("spec");
    let image = spec
        .task_template
        .and_then(|t| t.container_spec)
        .and_then(|c| c.image)
        .unwrap_or_default();
    let replicas = spec
        .mode
        .and_then(|m| m.replicated)
        .and_then(|r| r.replicas)
        .unwrap_or(-1);
    (image, replicas)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_may_change_the_tag_but_not_the_repository() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    let _cleanup = service_with(docker, "flotilla-esc-image", 0).await;
    let panel = panel(&["--allow-images", "docker.io/flotilla-test/"]);
    let operator = Client::login(&panel, OPERATOR).await;
    let path = "/api/services/flotilla-esc-image/image";

    for other in [
        "evil.example:5000/flotilla-test/busybox:latest",
        "busybox:latest",
    ] {
        let (status, body) = operator.post(path, json!({ "image": other })).await;
        assert_eq!(status, 403, "{other}: {body}");
        assert!(
            body["error"].as_str().unwrap_or("").contains("admin"),
            "{body}"
        );
        assert!(
            spec_of(docker, "flotilla-esc-image")
                .await
                .0
                .starts_with(TEST_IMAGE)
        );
    }
    let (status, body) = operator
        .post(path, json!({ "image": "flotilla-test/busybox:v2" }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        spec_of(docker, "flotilla-esc-image").await.0,
        "flotilla-test/busybox:v2"
    );
    // An admin may change the repository, within the image allow-list.
    let admin = Client::login(&panel, ADMIN).await;
    let (status, body) = admin.post(path, json!({ "image": "busybox:latest" })).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "image", "{body}");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("image-allow-list"),
        "{body}"
    );
    let (status, body) = admin
        .post(path, json!({ "image": "flotilla-test/other:v1" }))
        .await;
    assert_eq!(status, 200, "{body}");
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit");
    assert!(
        log.contains("denied: operators may change only the tag"),
        "{log}"
    );
    assert!(
        log.contains("refused by policy: image image-allow-list"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_docker_socket_is_never_mounted_even_by_an_admin() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    support::image::ensure_test_image(docker).await;
    let _cleanup = support::RemoveOnDrop {
        services: vec!["flotilla-esc-sock".into()],
        networks: vec![],
    };
    let panel = panel(&["--allow-bind-mounts"]);
    let admin = Client::login(&panel, ADMIN).await;
    for source in ["/var/run/docker.sock", "/run", "/", "/srv/../etc"] {
        let form = json!({
            "name": "flotilla-esc-sock", "image": TEST_IMAGE, "replicas": "1",
            "mounts": [{ "kind": "bind", "source": source, "target": "/host" }]
        });
        let (status, body) = admin.post("/api/services", form).await;
        assert_eq!(status, 422, "{source}: {body}");
        assert_eq!(body["fields"][0]["field"], "mounts[0].source", "{body}");
        assert!(
            docker
                .inspect_service("flotilla-esc-sock", None)
                .await
                .is_err(),
            "Docker was asked to create it"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_the_audit_cannot_record_is_not_made() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    let _cleanup = service_with(docker, "flotilla-esc-audit", 1).await;
    // Every write to /dev/full fails (ENOSPC): the audit log is unwritable from the start.
    let panel = Panel::start_with_env(
        "unix:///var/run/docker.sock",
        &["--audit-log", "/dev/full"],
        &[("FLOTILLA_ADMIN_TOKEN", ADMIN)],
    );
    let admin = Client::login(&panel, ADMIN).await;
    let (status, body) = admin
        .post(
            "/api/services/flotilla-esc-audit/scale",
            json!({ "replicas": "3" }),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("audit"),
        "{body}"
    );
    assert_eq!(
        spec_of(docker, "flotilla-esc-audit").await.1,
        1,
        "Docker was touched"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_hangs_up_does_not_cancel_the_change_or_its_record() {
    use tokio::io::AsyncWriteExt;
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    let _cleanup = service_with(docker, "flotilla-esc-hangup", 1).await;
    let panel = panel(&[]);
    let admin = Client::login(&panel, ADMIN).await;
    let body = r#"{"replicas":"4"}"#;
    let request = format!(
        "POST /api/services/flotilla-esc-hangup/scale HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        panel.addr,
        admin.cookie,
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(&panel.addr)
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    drop(stream);
    wait_until("the scale to land", Duration::from_secs(30), || async {
        (spec_of(docker, "flotilla-esc-hangup").await.1 == 4).then_some(())
    })
    .await;
    let log = wait_until(
        "the outcome in the audit log",
        Duration::from_secs(10),
        || async {
            let log = std::fs::read_to_string(&panel.audit_log).ok()?;
            log.lines()
                .any(|l| l.contains("service.scale") && l.contains("\"outcome\":\"ok\""))
                .then_some(log)
        },
    )
    .await;
    support::client::assert_each_attempt_completed(&log);
    let scale_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("service.scale"))
        .collect();
    assert_eq!(scale_lines.len(), 2, "attempt and outcome: {log}");
    assert!(scale_lines[0].contains("\"outcome\":\"attempt\""), "{log}");
    assert!(scale_lines[0].contains("\"client\":\"127.0.0.1\""), "{log}");
}
