//! The live feed against the host engine as a single-node swarm: viewers converge on what
//! Docker says, are told when the engine link is lost, resync when it returns, and a viewer
//! that stops reading neither stalls the others nor grows the server.

mod support;

use bollard::Docker;
use bollard::query_parameters::{ListTasksOptions, UpdateNodeOptions, UpdateServiceOptions};
use flotilla_app::protocol::EngineStatus;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use support::Proxy;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::viewer::Viewer;

const LIMIT: Duration = Duration::from_secs(90);

fn spec(name: &str, replicas: i64) -> bollard::models::ServiceSpec {
    support::replicated_spec(name, support::image::TEST_IMAGE, replicas)
}

/// Docker's own view: task id -> state, for one service.
async fn docker_tasks(docker: &Docker, service_id: &str) -> BTreeMap<String, String> {
    let filters = HashMap::from([("service".to_string(), vec![service_id.to_string()])]);
    let tasks = docker
        .list_tasks(Some(ListTasksOptions {
            filters: Some(filters),
        }))
        .await
        .expect("task ls");
    tasks
        .into_iter()
        .map(|t| {
            let state = t
                .status
                .and_then(|s| s.state)
                .map(|s| s.to_string())
                .unwrap_or_default();
            (t.id.unwrap_or_default(), state)
        })
        .collect()
}

fn viewer_tasks(viewer: &Viewer, service_id: &str) -> BTreeMap<String, String> {
    viewer
        .state
        .tasks
        .values()
        .filter(|t| t.service_id == service_id)
        .map(|t| (t.id.clone(), t.state.label().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn scaling_outside_the_panel_reaches_the_viewer() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    support::image::ensure_test_image(docker).await;
    let _cleanup = support::RemoveOnDrop {
        services: vec!["flotilla-live-scale".into()],
        networks: vec![],
    };
    let id = docker
        .create_service(spec("flotilla-live-scale", 1), None)
        .await
        .expect("create")
        .id
        .expect("id");

    let panel = Panel::start("unix:///var/run/docker.sock", &["--task-relist-ms", "500"]);
    let mut viewer = Viewer::connect(&panel.addr).await;
    viewer
        .until("the service", LIMIT, |v| v.state.services.contains_key(&id))
        .await;

    let current = docker.inspect_service(&id, None).await.expect("inspect");
    let version = current.version.and_then(|v| v.index).expect("version") as i32;
    let options = UpdateServiceOptions {
        version,
        ..Default::default()
    };
    docker
        .update_service(&id, spec("flotilla-live-scale", 3), options, None)
        .await
        .expect("scale to 3");

    // Converged: the viewer's tasks are Docker's tasks, three of them running.
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let running = |v: &Viewer| {
            viewer_tasks(v, &id)
                .values()
                .filter(|s| *s == "running")
                .count()
        };
        viewer
            .until("3 running tasks", LIMIT, |v| running(v) == 3)
            .await;
        let truth = docker_tasks(docker, &id).await;
        if viewer_tasks(&viewer, &id) == truth {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "viewer never matched Docker: {truth:?}"
        );
        let _ = tokio::time::timeout(Duration::from_secs(2), viewer.read_one()).await;
    }
    let service = &viewer.state.services[&id];
    assert_eq!(service.running, 3, "{service:?}");
    assert_eq!(viewer.gaps, 0);
}

/// A quiet swarm still proves the link alive: beats come while nothing changes, and they
/// change nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_feed_carries_beats() {
    let _swarm = SingleNodeSwarm::acquire().await;
    let panel = Panel::start("unix:///var/run/docker.sock", &["--beat-secs", "1"]);
    let mut viewer = Viewer::connect(&panel.addr).await;
    viewer
        .until("the engine live", LIMIT, |v| v.engine == EngineStatus::Live)
        .await;
    let before = viewer.state.clone();
    viewer.until("two beats", LIMIT, |v| v.beats >= 2).await;
    assert_eq!(viewer.snapshots, 1);
    assert_eq!(viewer.gaps, 0);
    assert_eq!(viewer.state.nodes, before.nodes, "a beat changed the state");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_engine_makes_viewers_stale_and_they_resync_when_it_returns() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    support::image::ensure_test_image(docker).await;
    let _cleanup = support::RemoveOnDrop {
        services: vec!["flotilla-live-stale".into()],
        networks: vec![],
    };
    let mut proxy = Proxy::to_unix("/var/run/docker.sock").await;
    let panel = Panel::start(&proxy.docker_address(), &["--task-relist-ms", "300"]);
    let mut viewer = Viewer::connect(&panel.addr).await;
    viewer
        .until("live", LIMIT, |v| {
            v.engine == EngineStatus::Live && !v.state.nodes.is_empty()
        })
        .await;

    proxy.cut().await;
    viewer
        .until("stale", LIMIT, |v| {
            matches!(v.engine, EngineStatus::Stale { .. })
        })
        .await;

    // The cluster changes while the panel cannot see it.
    let id = docker
        .create_service(spec("flotilla-live-stale", 1), None)
        .await
        .expect("create")
        .id
        .expect("id");
    // Let the backoff grow: the engine's return must be noticed by the owner's ping, not
    // only at the next full retry.
    viewer
        .until(
            "the next retry 4 s or more away",
            LIMIT,
            |v| matches!(v.engine, EngineStatus::Stale { retry_in_ms, .. } if retry_in_ms >= 4000),
        )
        .await;
    let next_retry = match &viewer.engine {
        EngineStatus::Stale { retry_in_ms, .. } => *retry_in_ms,
        _ => 0,
    };
    proxy.restore().await;
    let restored = tokio::time::Instant::now();
    viewer
        .until("live again", LIMIT, |v| v.engine == EngineStatus::Live)
        .await;
    println!(
        "figure: live again {:.2} s after the engine returned (the backoff's next retry was {:.1} s away)",
        restored.elapsed().as_secs_f64(),
        next_retry as f64 / 1000.0
    );
    viewer
        .until("the new service", LIMIT, |v| {
            v.state.services.contains_key(&id)
        })
        .await;
    // Equal to Docker again: the same services, and the new service's tasks as Docker
    // lists them once they have settled.
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let services = docker
            .list_services(None::<bollard::query_parameters::ListServicesOptions>)
            .await
            .expect("service ls");
        let docker_ids: std::collections::BTreeSet<String> =
            services.into_iter().filter_map(|s| s.id).collect();
        let viewer_ids: std::collections::BTreeSet<String> =
            viewer.state.services.keys().cloned().collect();
        let truth = docker_tasks(docker, &id).await;
        if viewer_ids == docker_ids && !truth.is_empty() && viewer_tasks(&viewer, &id) == truth {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "viewer never matched Docker after the resync: {truth:?}"
        );
        let _ = tokio::time::timeout(Duration::from_secs(2), viewer.read_one()).await;
    }
    assert_eq!(viewer.gaps, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_that_stops_reading_is_resynced_or_dropped_and_memory_stays_bounded() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = &swarm.docker;
    let panel = Panel::start("unix:///var/run/docker.sock", &[]);
    let mut stuck = Viewer::connect_with_buffer(&panel.addr, Some(4096)).await;
    let mut reader = Viewer::connect(&panel.addr).await;
    reader
        .until("the node", LIMIT, |v| !v.state.nodes.is_empty())
        .await;
    let baseline_kib = panel.rss_kib();

    // Each node update is one ~32 KB delta (a label carries the bulk): 600 of them are far
    // more than the frame ring (256) and the stuck viewer's socket buffers can hold.
    let node_id = reader.state.nodes.keys().next().expect("a node").clone();
    let bulk = "x".repeat(32 * 1024);
    let updates = 600;
    let mut peak_kib = baseline_kib;
    for i in 0..updates {
        let node = docker.inspect_node(&node_id).await.expect("inspect node");
        let mut node_spec = node.spec.expect("spec");
        node_spec
            .labels
            .get_or_insert_default()
            .insert("flotilla.test.bulk".into(), format!("{i}{bulk}"));
        let version = node.version.and_then(|v| v.index).expect("version") as i64;
        docker
            .update_node(&node_id, node_spec, UpdateNodeOptions { version })
            .await
            .expect("update node");
        peak_kib = peak_kib.max(panel.rss_kib());
    }
    let last = format!("{}{bulk}", updates - 1);
    reader
        .until("the reading viewer sees the last update", LIMIT, |v| {
            v.state
                .nodes
                .get(&node_id)
                .and_then(|n| n.labels.get("flotilla.test.bulk"))
                == Some(&last)
        })
        .await;

    // Now the stuck viewer reads: it must have been resynced (a second snapshot) or dropped,
    // never fed all 600 deltas.
    let got_last = |v: &Viewer| {
        v.state
            .nodes
            .get(&node_id)
            .and_then(|n| n.labels.get("flotilla.test.bulk"))
            == Some(&last)
    };
    while !stuck.closed && !got_last(&stuck) {
        if tokio::time::timeout(LIMIT, stuck.read_one()).await.is_err() {
            panic!("the stuck viewer neither caught up nor was dropped");
        }
    }
    assert!(
        stuck.closed || stuck.snapshots >= 2,
        "not resynced: {} deltas, {} snapshots",
        stuck.deltas,
        stuck.snapshots
    );
    assert!(
        stuck.deltas < updates,
        "a stuck viewer was queued every delta ({})",
        stuck.deltas
    );
    assert_eq!(stuck.gaps, 0, "deltas were skipped without a resync");
    let growth_mib = peak_kib.saturating_sub(baseline_kib) / 1024;
    println!(
        "stuck viewer: {} snapshots, {} deltas, closed {}; RSS {} MiB -> peak {} MiB",
        stuck.snapshots,
        stuck.deltas,
        stuck.closed,
        baseline_kib / 1024,
        peak_kib / 1024
    );
    // The ring holds at most 256 frames of ~32 KB (8 MiB); unbounded queueing would need ~19.
    assert!(growth_mib < 64, "server memory grew by {growth_mib} MiB");

    // Leave the node as found.
    let node = docker.inspect_node(&node_id).await.expect("inspect node");
    let mut node_spec = node.spec.expect("spec");
    node_spec
        .labels
        .get_or_insert_default()
        .remove("flotilla.test.bulk");
    let version = node.version.and_then(|v| v.index).expect("version") as i64;
    docker
        .update_node(&node_id, node_spec, UpdateNodeOptions { version })
        .await
        .expect("update node");
}
