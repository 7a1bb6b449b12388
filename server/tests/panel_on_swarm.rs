//! The panel deployed on the swarm it shows, and the swarm losing its leader: a lab of three
//! managers and a worker with `lab up --managers 3 --panel` (the image built here, pushed to
//! the lab registry, deploy/flotilla.yml deployed by Flotilla's own stack deploy). The panel
//! shows itself in its own grid; then the leader's container is killed, and the panels on the
//! two surviving managers must stay live, show the dead manager as down, and a scale done
//! through one of them must converge. The figures (longest time a survivor was not live, how
//! long after Docker's own `node ls` the panels showed the node down) are printed, not
//! asserted: speed is for benchmarks.

mod support;

use bollard::query_parameters::{ListNodesOptions, ListTasksOptions};
use flotilla_app::model::{NodeState, TaskState};
use flotilla_app::protocol::EngineStatus;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use support::client::Client;
use support::viewer::Viewer;
use tokio::time::Instant;

const TAG: &str = "flotilla-test/panel-ha:debug";
const NAME: &str = "flotilla-test-ha";
const API_PORT: u16 = 23770;
const PANEL_PORT: u16 = 28090;
/// Worker 1 takes API_PORT + 1; manager02 and manager03 the next two.
const MANAGER02_API: u16 = API_PORT + 2;

fn lab_args() -> Vec<String> {
    [
        "--name",
        NAME,
        "--api-port",
        &API_PORT.to_string(),
        "--registry-port",
        "5003",
        "--workers",
        "1",
        "--managers",
        "3",
        "--panel-port",
        &PANEL_PORT.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

/// `lab down` however the test ends.
struct LabGuard;
impl Drop for LabGuard {
    fn drop(&mut self) {
        let _ = support::flotilla()
            .args(["lab", "down"])
            .args(lab_args())
            .output();
    }
}

/// What one survivor's viewer saw from the kill on.
#[derive(Debug, Default)]
struct Seen {
    /// The longest stretch the panel did not say Live.
    longest_not_live: Duration,
    /// When the dead manager was first shown as not Ready.
    shown_down: Option<Instant>,
}

/// Follows a viewer until it has shown `dead` as down and a little after, or `until`.
async fn watch(mut viewer: Viewer, dead: &str, until: Instant) -> Seen {
    let mut seen = Seen::default();
    let mut not_live_since: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let live = matches!(viewer.engine, EngineStatus::Live);
        match (live, not_live_since) {
            (false, None) => not_live_since = Some(now),
            (true, Some(since)) => {
                seen.longest_not_live = seen.longest_not_live.max(now - since);
                not_live_since = None;
            }
            _ => {}
        }
        let down = viewer
            .state
            .nodes
            .values()
            .any(|n| n.hostname == dead && n.state != NodeState::Ready);
        if down && seen.shown_down.is_none() {
            seen.shown_down = Some(now);
        }
        let settled = seen
            .shown_down
            .is_some_and(|at| now > at + Duration::from_secs(3));
        if settled || now >= until {
            break;
        }
        match tokio::time::timeout(until - now, viewer.read_one()).await {
            Ok(true) | Err(_) => {}
            Ok(false) => panic!("the panel closed the feed: {:?}", viewer.close),
        }
    }
    if let Some(since) = not_live_since {
        seen.longest_not_live = seen.longest_not_live.max(Instant::now() - since);
    }
    seen
}

/// When Docker's own `node ls`, asked of a surviving manager, first says `dead` is down.
async fn docker_says_down(dead: &str, until: Instant) -> Option<Instant> {
    // A short per-request limit: during the election a request can hang, and a poll stuck in
    // one would see the answer late.
    let address = format!("tcp://127.0.0.1:{MANAGER02_API}");
    let docker = bollard::Docker::connect_with_http(&address, 2, bollard::API_DEFAULT_VERSION)
        .expect("docker address")
        .negotiate_version()
        .await
        .expect("manager02 answers");
    while Instant::now() < until {
        // Errors while the swarm elects a leader are expected: ask again.
        if let Ok(nodes) = docker.list_nodes(None::<ListNodesOptions>).await {
            let down = nodes.iter().any(|n| {
                n.description.as_ref().and_then(|d| d.hostname.as_deref()) == Some(dead)
                    && n.status.as_ref().and_then(|s| s.state)
                        != Some(bollard::models::NodeState::READY)
            });
            if down {
                return Some(Instant::now());
            }
        }
        tokio::time::sleep(testkit::POLL_EVERY).await;
    }
    None
}

/// What the panel on the manager whose API is on `api_port` logged about its engine and the
/// swarm's leader: printed with the figures, so a slow failover says why.
async fn panel_log(api_port: u16) -> Vec<String> {
    let docker = support::docker_at(&format!("127.0.0.1:{api_port}")).await;
    let filters = HashMap::from([(
        "label".to_string(),
        vec!["com.docker.swarm.service.name=flotilla_panel".to_string()],
    )]);
    let options = bollard::query_parameters::ListContainersOptions {
        all: true,
        filters: Some(filters),
        ..Default::default()
    };
    let mut lines = Vec::new();
    for container in docker
        .list_containers(Some(options))
        .await
        .unwrap_or_default()
    {
        let Some(id) = container.id else { continue };
        let options = bollard::query_parameters::LogsOptions {
            stdout: true,
            stderr: true,
            ..Default::default()
        };
        let mut logs = docker.logs(&id, Some(options));
        while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut logs).await {
            let text = chunk.to_string();
            lines.extend(
                text.lines()
                    .filter(|l| l.contains("engine") || l.contains("leader"))
                    .map(str::to_string),
            );
        }
    }
    lines
}

#[tokio::test]
async fn the_panels_on_the_survivors_outlive_the_leader() {
    let size = support::image::build_debug_image(TAG);
    println!("image: {size}");
    let secrets = std::env::temp_dir().join(format!("flotilla-test-ha-{}", std::process::id()));
    let _guard = LabGuard;
    let up = support::run_flotilla(
        &[
            vec!["lab".to_string(), "up".into()],
            lab_args(),
            vec![
                "--panel".into(),
                "--panel-image".into(),
                TAG.into(),
                "--panel-secrets".into(),
                secrets.display().to_string(),
            ],
        ]
        .concat()
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    println!("{up}");
    let admin = std::fs::read_to_string(secrets.join("admin-token")).expect("the admin token");
    let panels: Vec<String> = (0..3)
        .map(|i| format!("127.0.0.1:{}", PANEL_PORT + i))
        .collect();

    // The panel shows itself: its own service, one task per manager.
    let mut first = Viewer::connect(&panels[0]).await;
    first
        .until(
            "the panel's own service and tasks",
            Duration::from_secs(60),
            |v| {
                let panel = v
                    .state
                    .services
                    .values()
                    .find(|s| s.name == "flotilla_panel");
                panel.is_some_and(|s| {
                    v.state
                        .tasks
                        .values()
                        .filter(|t| t.service_id == s.id && t.state == TaskState::Running)
                        .count()
                        == 3
                })
            },
        )
        .await;
    drop(first);

    // A service to scale once the leader is gone, through a survivor's panel.
    let founder = support::docker_at(&format!("127.0.0.1:{API_PORT}")).await;
    let spec = serde_json::from_value(json!({
        "Name": "ha-echo",
        "TaskTemplate": { "ContainerSpec": { "Image": "registry:5000/example/echo:latest" } },
        "Mode": { "Replicated": { "Replicas": 1 } }
    }))
    .expect("a service spec");
    let created = founder
        .create_service(spec, None)
        .await
        .expect("create ha-echo");
    let service = created.id.expect("service id");

    let survivors = [
        Viewer::connect(&panels[1]).await,
        Viewer::connect(&panels[2]).await,
    ];
    for viewer in &survivors {
        assert!(
            matches!(viewer.engine, EngineStatus::Live),
            "{:?}",
            viewer.engine
        );
    }
    let host = support::host_docker().await;
    host.kill_container(
        &format!("{NAME}-manager"),
        None::<bollard::query_parameters::KillContainerOptions>,
    )
    .await
    .expect("kill the leader's container");
    let killed = Instant::now();
    let until = killed + Duration::from_secs(120);
    let [a, b] = survivors;
    let (seen_a, seen_b, docker_down) = tokio::join!(
        watch(a, "manager", until),
        watch(b, "manager", until),
        docker_says_down("manager", until)
    );
    let docker_down = docker_down.expect("docker node ls shows the killed manager down");
    for (name, seen) in [("manager02", &seen_a), ("manager03", &seen_b)] {
        let shown = seen
            .shown_down
            .unwrap_or_else(|| panic!("the panel on {name} never showed the dead manager down"));
        let after_docker = shown.saturating_duration_since(docker_down).as_secs_f64()
            - docker_down.saturating_duration_since(shown).as_secs_f64();
        println!(
            "figure: panel on {name}: longest not live {:.1} s; dead manager shown down {:.1} s \
             after the kill, {after_docker:+.1} s relative to docker node ls ({:.1} s after the kill)",
            seen.longest_not_live.as_secs_f64(),
            (shown - killed).as_secs_f64(),
            (docker_down - killed).as_secs_f64(),
        );
    }

    for (name, port) in [
        ("manager02", MANAGER02_API),
        ("manager03", MANAGER02_API + 1),
    ] {
        for line in panel_log(port).await {
            println!("panel on {name}: {line}");
        }
    }

    // A scale through the panel on manager02 converges.
    let client = Client::login_at(&panels[1], admin.trim()).await;
    let (status, body) = client
        .post(
            &format!("/api/services/{service}/scale"),
            json!({ "replicas": "3" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let survivor = support::docker_at(&format!("127.0.0.1:{MANAGER02_API}")).await;
    support::wait_until("ha-echo runs 3 tasks", Duration::from_secs(90), || async {
        let filters = HashMap::from([
            ("service".to_string(), vec![service.clone()]),
            ("desired-state".to_string(), vec!["running".to_string()]),
        ]);
        let options = ListTasksOptions {
            filters: Some(filters),
        };
        let running = survivor.list_tasks(Some(options)).await.map(|tasks| {
            tasks
                .iter()
                .filter(|t| {
                    t.status.as_ref().and_then(|s| s.state)
                        == Some(bollard::models::TaskState::RUNNING)
                })
                .count()
        });
        match running {
            Ok(3) => Ok(()),
            other => Err(format!("running: {other:?}")),
        }
    })
    .await;
    std::fs::remove_dir_all(&secrets).ok();
}
