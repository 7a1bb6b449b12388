//! The core at scale (issue 11), at 1,000 nodes, 20,000 tasks and 500 services served by the
//! simulator (`flotilla sim`, in-process on its own thread, churn off so every run lists the
//! same swarm):
//! (a) the state owner's full list to a viewer's snapshot: `cluster::list_all` (the four
//!     lists, converted, into a `ClusterState`), published into a hub that one viewer
//!     watches (so the delta is written, as on a reconnect with viewers), and the snapshot
//!     serialized as a joining viewer gets it; with the parts timed apart (HTTP + JSON
//!     parsing, conversion + state, publish, snapshot JSON), and its size;
//! (b) one churn delta of 100 task changes: the diff and the delta serialized as the hub
//!     does, and the hub's whole publish;
//! (c) what bollard's parse of the task list costs beside a parse of only the fields shown.
//! Runs with the allocator tuned as the binary tunes it (`memory::tune_allocator`). Prints
//! wall-clock figures and the main thread's CPU time beside the goals; asserts nothing
//! about speed, but fails when something cannot be measured (the simulator does not answer,
//! or the snapshot holds the wrong counts).

#[path = "scale/parts.rs"]
mod parts;

use bollard::query_parameters::{
    ListNetworksOptions, ListNodesOptions, ListServicesOptions, ListTasksOptions,
};
use flotilla::cluster::{Hub, delta_json, list_all, snapshot_json};
use flotilla::docker::{Engine, convert, node_from_docker};
use flotilla::sim::{api, world::Shape, world::World};
use flotilla_app::state::{ChangeRef, ClusterState, diff_refs};
use parts::{LeanTask, Sample, Timer, figures, gzip_len, start_simulator};
use std::time::Duration;

const SHAPE: Shape = Shape {
    nodes: 1_000,
    tasks: 20_000,
    services: 500,
    seed: 11,
};
/// Timed runs of the full list, after one untimed warm-up.
const LIST_RUNS: usize = 10;
const DELTA_RUNS: usize = 30;
const DELTA_TASKS: usize = 100;
const LIMIT: Duration = Duration::from_secs(30);

/// The parsed lists into a state, through the adapter's own converters and the same keying
/// as the owner's `list_all`.
fn assemble(
    nodes: Vec<bollard::models::Node>,
    services: Vec<bollard::models::Service>,
    tasks: Vec<bollard::models::Task>,
    networks: Vec<bollard::models::Network>,
) -> ClusterState {
    ClusterState::from_lists(
        nodes.into_iter().map(node_from_docker).collect(),
        services.into_iter().map(convert::service).collect(),
        convert::tasks(tasks),
        networks.into_iter().map(convert::network).collect(),
    )
}

/// The world's state as the panel would hold it, without HTTP: for the delta bench.
fn state_of(w: &World) -> ClusterState {
    let counts = api::service_counts(w);
    assemble(
        w.nodes.iter().map(api::node).collect(),
        (w.services.iter().zip(counts))
            .map(|(s, c)| api::service(w, s, c))
            .collect(),
        w.tasks.iter().map(|t| api::task(w, t)).collect(),
        w.networks.iter().map(|n| api::network(w, n)).collect(),
    )
}

fn check_counts(state: &ClusterState, what: &str) {
    let got = (state.nodes.len(), state.services.len(), state.tasks.len());
    let want = (SHAPE.nodes, SHAPE.services, SHAPE.tasks);
    assert_eq!(
        got, want,
        "{what}: (nodes, services, tasks) not as simulated"
    );
}

fn main() {
    // The allocator as the binary sets it, before any thread starts.
    flotilla::memory::tune_allocator();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(bench());
}

async fn bench() {
    let now = flotilla::sim::now_secs();
    let world = World::generate(SHAPE, now);
    let (host, _shared) = start_simulator(world.clone());
    let engine = Engine::connect_with_timeout(&host, LIMIT.as_secs())
        .await
        .unwrap_or_else(|e| panic!("the simulator does not answer at {host}: {e}"));
    let docker =
        bollard::Docker::connect_with_http(&host, LIMIT.as_secs(), bollard::API_DEFAULT_VERSION)
            .expect("a client")
            .negotiate_version()
            .await
            .expect("the simulator negotiates a version");
    println!(
        "scale: {} nodes, {} tasks, {} services (flotilla sim in-process, churn off); \
         {LIST_RUNS} runs after a warm-up",
        SHAPE.nodes, SHAPE.tasks, SHAPE.services
    );

    // (a) The real path, end to end, then its parts.
    let mut runs: [Vec<Sample>; 7] = Default::default();
    let [whole, listed, published, alone, serialized, reconciled, _] = &mut runs;
    let mut snapshot = String::new();
    for run in 0..=LIST_RUNS {
        let hub = Hub::default();
        let (_viewer, _) = hub.join(None);
        let started = Timer::start();
        let state = list_all(&engine, LIMIT)
            .await
            .unwrap_or_else(|e| panic!("list_all against the simulator: {e}"));
        let list = started.stop();
        let unwatched = state.clone();
        let publishing = Timer::start();
        assert!(hub.publish_state(state), "a first list publishes");
        let publish = publishing.stop();
        let serializing = Timer::start();
        snapshot = snapshot_json(&hub.snapshot());
        let serialize = serializing.stop();
        check_counts(&hub.snapshot().state, "the snapshot");
        // The same first list into a hub nobody watches: no delta is written.
        let lone = Hub::default();
        let publishing = Timer::start();
        assert!(lone.publish_state(unwatched), "a first list publishes");
        let lone_publish = publishing.stop();
        drop(lone);
        // A reconcile that finds nothing new: the list and a diff that comes out empty.
        let again = Timer::start();
        let state = list_all(&engine, LIMIT).await.expect("list_all again");
        assert!(
            !hub.publish_state(state),
            "an unchanged swarm publishes nothing"
        );
        let reconcile = again.stop();
        if run > 0 {
            let sum = |a: Sample, b: Sample| Sample {
                wall: a.wall + b.wall,
                cpu: a.cpu + b.cpu,
            };
            whole.push(sum(sum(list, publish), serialize));
            listed.push(list);
            published.push(publish);
            alone.push(lone_publish);
            serialized.push(serialize);
            reconciled.push(reconcile);
        }
    }
    let (mut fetched, mut converted) = (vec![], vec![]);
    for run in 0..=LIST_RUNS {
        let started = Timer::start();
        let services = ListServicesOptions {
            status: Some(true),
            ..Default::default()
        };
        let (nodes, services, tasks, networks) = tokio::try_join!(
            docker.list_nodes(None::<ListNodesOptions>),
            docker.list_services(Some(services)),
            docker.list_tasks(None::<ListTasksOptions>),
            docker.list_networks(None::<ListNetworksOptions>),
        )
        .expect("the four lists");
        let fetch = started.stop();
        let converting = Timer::start();
        let state = assemble(nodes, services, tasks, networks);
        let convert = converting.stop();
        check_counts(&state, "the converted lists");
        if run > 0 {
            fetched.push(fetch);
            converted.push(convert);
        }
    }
    let line = |name: &str, runs: &[Sample], note: &str| {
        println!("  {name:<26}{}  {note}", figures(runs));
    };
    line("list-to-snapshot", whole, "(goal <= 50 ms)");
    line("  list_all", listed, "");
    line(
        "    HTTP + JSON parse",
        &fetched,
        "(the four bollard lists alone)",
    );
    line(
        "    conversion + state",
        &converted,
        "(convert.rs, into a ClusterState)",
    );
    line(
        "  publish (first list)",
        published,
        "(diff + delta of everything, one viewer)",
    );
    line(
        "  snapshot JSON",
        serialized,
        "(what a joining viewer is sent)",
    );
    line(
        "publish, nobody watching",
        alone,
        "(diff, no delta written)",
    );
    line(
        "reconcile, no change",
        reconciled,
        "(list_all + an empty diff)",
    );
    println!(
        "  snapshot: {} KB JSON, {} KB gzipped (gzip -6)",
        snapshot.len() / 1024,
        gzip_len(snapshot.as_bytes()) / 1024
    );

    // (b) One delta of 100 task changes, from the simulator's own churn.
    let before = state_of(&world);
    let mut moved = world.clone();
    // Changed one at a time until the diff holds 100 task changes (a task may be touched
    // twice, and a node going down touches all of its tasks at once).
    let task_changes = |changes: &[ChangeRef]| {
        (changes.iter())
            .filter(|c| matches!(c, ChangeRef::Task(_) | ChangeRef::TaskGone(_)))
            .count()
    };
    let mut touched = 0;
    let after = loop {
        touched += moved.churn(1, now + 1).tasks_touched;
        if touched < DELTA_TASKS {
            continue;
        }
        let after = state_of(&moved);
        if task_changes(&diff_refs(&before, &after)) >= DELTA_TASKS {
            break after;
        }
    };
    let changes = diff_refs(&before, &after);
    let (mut deltas, mut delta_len) = (vec![], 0);
    for run in 0..=DELTA_RUNS {
        let started = Timer::start();
        let json = delta_json(2, &diff_refs(&before, &after));
        let took = started.stop();
        delta_len = json.len();
        if run > 0 {
            deltas.push(took);
        }
    }
    // The same through a watched hub, as the owner publishes it (the replaced state freed).
    let mut publishes = vec![];
    for run in 0..=DELTA_RUNS {
        let hub = Hub::default();
        hub.publish_state(before.clone());
        let (_viewer, _) = hub.join(None);
        let next = after.clone();
        let started = Timer::start();
        assert!(hub.publish_state(next), "the delta publishes");
        if run > 0 {
            publishes.push(started.stop());
        }
    }
    println!(
        "churn delta: {} task changes ({} changes in all, {} KB JSON), {DELTA_RUNS} runs",
        task_changes(&changes),
        changes.len(),
        delta_len / 1024
    );
    line("  diff + serialize", &deltas, "(goal <= 5 ms)");
    line(
        "  hub.publish_state",
        &publishes,
        "(the same, and the old state freed)",
    );

    // (c) The task list's parse: bollard's full models, and the fields shown alone.
    let tasks: Vec<_> = world.tasks.iter().map(|t| api::task(&world, t)).collect();
    let body = serde_json::to_vec(&tasks).expect("tasks serialize");
    drop(tasks);
    let (mut full, mut lean) = (vec![], vec![]);
    for _ in 0..3 {
        let started = Timer::start();
        let parsed: Vec<bollard::models::Task> = serde_json::from_slice(&body).expect("parses");
        drop(parsed);
        full.push(started.stop());
        let started = Timer::start();
        let parsed: Vec<LeanTask> = serde_json::from_slice(&body).expect("parses");
        drop(parsed);
        lean.push(started.stop());
    }
    println!("task list parse ({} KB of JSON), 3 runs", body.len() / 1024);
    line("  bollard's Task", &full, "(parsed and freed)");
    line(
        "  the fields shown",
        &lean,
        "(not possible through bollard)",
    );
}
