//! The lab, for real: `flotilla lab up` forms the course's swarm (manager Leader + three
//! workers, all Ready), a second `up` changes nothing, the echo image from the lab registry
//! runs 6 replicas over at least 3 nodes, and `lab down` leaves nothing behind.
//! Uses its own lab name and ports so that a developer's running lab is left alone.

mod support;

use bollard::Docker;
use bollard::query_parameters::{
    ListContainersOptions, ListNetworksOptions, ListTasksOptions, ListVolumesOptions,
};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

const LAB: [&str; 6] = [
    "--name",
    "flotilla-test-lab",
    "--api-port",
    "23760",
    "--registry-port",
    "5001",
];
const MANAGER: &str = "tcp://127.0.0.1:23760";

/// Runs `lab down` if the test ends early, so a failure leaves no lab behind.
struct LabGuard;
impl Drop for LabGuard {
    fn drop(&mut self) {
        let _ = support::flotilla().args(["lab", "down"]).args(LAB).output();
    }
}

/// Every container, network and volume name on the host engine.
async fn host_objects(docker: &Docker) -> BTreeSet<String> {
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            ..Default::default()
        }))
        .await
        .expect("containers");
    let networks = docker
        .list_networks(None::<ListNetworksOptions>)
        .await
        .expect("networks");
    let volumes = docker
        .list_volumes(None::<ListVolumesOptions>)
        .await
        .expect("volumes");
    containers
        .into_iter()
        .flat_map(|c| c.names.unwrap_or_default())
        .map(|n| format!("container {n}"))
        .chain(
            networks
                .into_iter()
                .filter_map(|n| n.name)
                .map(|n| format!("network {n}")),
        )
        .chain(
            volumes
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| format!("volume {}", v.name)),
        )
        .collect()
}

async fn container_ids(docker: &Docker) -> BTreeSet<String> {
    let filters = HashMap::from([(
        "label".to_string(),
        vec!["io.flotilla.lab=flotilla-test-lab".to_string()],
    )]);
    let options = ListContainersOptions {
        all: true,
        filters: Some(filters),
        ..Default::default()
    };
    let containers = docker
        .list_containers(Some(options))
        .await
        .expect("containers");
    containers.into_iter().filter_map(|c| c.id).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lab_up_forms_the_course_swarm_and_down_leaves_nothing() {
    let host = support::host_docker().await;
    let before = host_objects(&host).await;
    let _guard = LabGuard;

    let first = support::run_flotilla(&[&["lab", "up"][..], &LAB[..]].concat());
    println!("{first}");
    assert!(
        first.contains("manager API   tcp://127.0.0.1:23760"),
        "{first}"
    );

    let manager = support::docker_at(MANAGER).await;
    let nodes = manager
        .list_nodes(None::<bollard::query_parameters::ListNodesOptions>)
        .await
        .expect("node ls");
    let ready = |n: &&bollard::models::Node| {
        n.status.as_ref().and_then(|s| s.state) == Some(bollard::models::NodeState::READY)
    };
    assert_eq!(nodes.iter().filter(ready).count(), 4, "{nodes:#?}");
    let leaders: Vec<_> = nodes
        .iter()
        .filter(|n| n.manager_status.as_ref().and_then(|m| m.leader) == Some(true))
        .filter_map(|n| n.description.as_ref()?.hostname.clone())
        .collect();
    assert_eq!(leaders, ["manager"]);
    let mut workers: Vec<_> = nodes
        .iter()
        .filter(|n| {
            n.spec.as_ref().and_then(|s| s.role) == Some(bollard::models::NodeSpecRoleEnum::WORKER)
        })
        .filter_map(|n| n.description.as_ref()?.hostname.clone())
        .collect();
    workers.sort();
    assert_eq!(workers, ["worker01", "worker02", "worker03"]);

    // Idempotent: a second `up` reuses every container and says nothing changed.
    let ids = container_ids(&host).await;
    let second = support::run_flotilla(&[&["lab", "up"][..], &LAB[..]].concat());
    assert!(
        second.contains("was already up: nothing changed"),
        "{second}"
    );
    assert_eq!(container_ids(&host).await, ids);
    let status = support::run_flotilla(&[&["lab", "status"][..], &LAB[..]].concat());
    for hostname in ["manager", "worker01", "worker02", "worker03"] {
        assert!(status.contains(hostname), "{status}");
    }

    // The course's first service: 6 replicas of the lab registry's echo image.
    manager
        .create_service(
            support::replicated_spec("echo", "registry:5000/example/echo:latest", 6),
            None,
        )
        .await
        .expect("service create");
    let placed = support::wait_until("6 running echo tasks", Duration::from_secs(120), || async {
        let filters = HashMap::from([
            ("service".to_string(), vec!["echo".to_string()]),
            ("desired-state".to_string(), vec!["running".to_string()]),
        ]);
        let tasks = manager
            .list_tasks(Some(ListTasksOptions {
                filters: Some(filters),
            }))
            .await
            .ok()?;
        let running: Vec<String> = tasks
            .into_iter()
            .filter(|t| {
                t.status.as_ref().and_then(|s| s.state) == Some(bollard::models::TaskState::RUNNING)
            })
            .filter_map(|t| t.node_id)
            .collect();
        (running.len() == 6).then_some(running)
    })
    .await;
    let spread: BTreeSet<_> = placed.iter().collect();
    assert!(
        spread.len() >= 3,
        "6 tasks on only {} nodes: {placed:?}",
        spread.len()
    );

    let down = support::run_flotilla(&[&["lab", "down"][..], &LAB[..]].concat());
    assert!(down.contains("removed"), "{down}");
    assert_eq!(
        host_objects(&host).await,
        before,
        "lab down left objects behind (or removed others)"
    );
    let again = support::run_flotilla(&[&["lab", "down"][..], &LAB[..]].concat());
    assert!(again.contains("nothing to remove"), "{again}");
}
