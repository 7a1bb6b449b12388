//! The core at scale (issue 11), at 1,000 nodes, 20,000 tasks and 500 services served by the
//! simulator (`flotilla sim`, in-process on its own thread, churn off so every run lists the
//! same swarm):
//! (a) the state owner's full list to a viewer's snapshot: `cluster::list_all` (the four
//!     lists, converted, into a `ClusterState`), published into a hub as the owner's first
//!     list is, and the snapshot serialized as a viewer gets it; with the parts timed apart
//!     (HTTP + JSON parsing, conversion + state, publish, snapshot JSON), and its size;
//! (b) one churn delta of 100 task changes: the app's pure diff and the delta serialized as
//!     the hub does.
//! Prints figures beside the goals; asserts nothing about speed, but fails when something
//! cannot be measured (the simulator does not answer, or the snapshot holds the wrong counts).

use bollard::query_parameters::{
    ListNetworksOptions, ListNodesOptions, ListServicesOptions, ListTasksOptions,
};
use flotilla::cluster::{Hub, list_all, snapshot_json};
use flotilla::docker::{Engine, convert, node_from_docker};
use flotilla::sim::{api, http, world::Shape, world::World};
use flotilla_app::protocol::ServerMsg;
use flotilla_app::state::{Change, ClusterState, diff};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// The simulator on a thread and runtime of its own, so its answers are not scheduled
/// between the measured code's steps.
fn start_simulator(world: World) -> (String, Arc<http::Shared>) {
    let shared = http::Shared::new(world);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("its address");
    let served = shared.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            http::serve(listener, served)
                .await
                .expect("the simulator serves");
        });
    });
    (format!("tcp://{addr}"), shared)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "median X ms, max Y ms".
fn figures(runs: &[Duration]) -> String {
    let mut sorted = runs.to_vec();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    let max = sorted[sorted.len() - 1];
    format!("median {:7.1} ms, max {:7.1} ms", ms(median), ms(max))
}

/// The parsed lists as the owner's `list_all` assembles them (see cluster/owner.rs), through
/// the adapter's own converters.
fn assemble(
    nodes: Vec<bollard::models::Node>,
    services: Vec<bollard::models::Service>,
    tasks: Vec<bollard::models::Task>,
    networks: Vec<bollard::models::Network>,
) -> ClusterState {
    let mut nodes: Vec<_> = nodes.into_iter().map(node_from_docker).collect();
    nodes.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    ClusterState {
        nodes: nodes.into_iter().map(|n| (n.id.clone(), n)).collect(),
        services: (services.into_iter().map(convert::service))
            .map(|s| (s.id.clone(), s))
            .collect(),
        tasks: (tasks.into_iter().map(convert::task))
            .map(|t| (t.id.clone(), t))
            .collect(),
        networks: (networks.into_iter().map(convert::network))
            .map(|n| (n.id.clone(), n))
            .collect(),
    }
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

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gzip = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("gzip: {e}"));
    let mut stdin = gzip.stdin.take().expect("gzip's stdin");
    let input = bytes.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = gzip.wait_with_output().expect("gzip ran");
    feeder.join().expect("fed gzip").expect("wrote to gzip");
    assert!(
        out.status.success() && !out.stdout.is_empty(),
        "gzip failed"
    );
    out.stdout.len()
}

#[tokio::main]
async fn main() {
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
    let (mut whole, mut listed, mut published, mut serialized, mut reconciled) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut snapshot = String::new();
    for run in 0..=LIST_RUNS {
        let started = Instant::now();
        let state = list_all(&engine, LIMIT)
            .await
            .unwrap_or_else(|e| panic!("list_all against the simulator: {e}"));
        let after_list = Instant::now();
        let hub = Hub::default();
        assert!(hub.publish_state(state), "a first list publishes");
        let after_publish = Instant::now();
        snapshot = snapshot_json(&hub.snapshot());
        let done = Instant::now();
        check_counts(&hub.snapshot().state, "the snapshot");
        // A reconcile that finds nothing new: the list and a diff that comes out empty.
        let again = Instant::now();
        let state = list_all(&engine, LIMIT).await.expect("list_all again");
        assert!(
            !hub.publish_state(state),
            "an unchanged swarm publishes nothing"
        );
        let reconcile = again.elapsed();
        if run > 0 {
            whole.push(done - started);
            listed.push(after_list - started);
            published.push(after_publish - after_list);
            serialized.push(done - after_publish);
            reconciled.push(reconcile);
        }
    }
    let (mut fetched, mut converted) = (vec![], vec![]);
    for run in 0..=LIST_RUNS {
        let started = Instant::now();
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
        let after_fetch = Instant::now();
        let state = assemble(nodes, services, tasks, networks);
        let done = Instant::now();
        check_counts(&state, "the converted lists");
        if run > 0 {
            fetched.push(after_fetch - started);
            converted.push(done - after_fetch);
        }
    }
    println!(
        "  list-to-snapshot        {}  (goal <= 50 ms)",
        figures(&whole)
    );
    println!("    list_all              {}", figures(&listed));
    println!(
        "      HTTP + JSON parse   {}  (the four bollard lists alone)",
        figures(&fetched)
    );
    println!(
        "      conversion + state  {}  (convert.rs, into a ClusterState)",
        figures(&converted)
    );
    println!(
        "    publish (first list)  {}  (diff + delta of everything)",
        figures(&published)
    );
    println!(
        "    snapshot JSON         {}  (what a joining viewer is sent)",
        figures(&serialized)
    );
    println!(
        "  reconcile, no change    {}  (list_all + an empty diff)",
        figures(&reconciled)
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
    let task_changes = |changes: &[Change]| {
        (changes.iter())
            .filter(|c| matches!(c, Change::Task(_) | Change::TaskGone(_)))
            .count()
    };
    let mut touched = 0;
    let (after, changes) = loop {
        touched += moved.churn(1, now + 1).tasks_touched;
        if touched < DELTA_TASKS {
            continue;
        }
        let after = state_of(&moved);
        let changes = diff(&before, &after);
        if task_changes(&changes) >= DELTA_TASKS {
            break (after, changes);
        }
    };
    let task_changes = task_changes(&changes);
    let mut deltas = vec![];
    let mut delta_len = 0;
    for run in 0..=DELTA_RUNS {
        let started = Instant::now();
        let changes = diff(&before, &after);
        let json =
            serde_json::to_string(&ServerMsg::Delta { seq: 2, changes }).expect("serializes");
        let took = started.elapsed();
        delta_len = json.len();
        if run > 0 {
            deltas.push(took);
        }
    }
    // The same through the hub, as the owner publishes it (the replaced state dropped too).
    let mut publishes = vec![];
    for run in 0..=DELTA_RUNS {
        let hub = Hub::default();
        hub.publish_state(before.clone());
        let next = after.clone();
        let started = Instant::now();
        assert!(hub.publish_state(next), "the delta publishes");
        if run > 0 {
            publishes.push(started.elapsed());
        }
    }
    println!(
        "churn delta: {task_changes} task changes ({} changes in all, {} KB JSON), {DELTA_RUNS} runs",
        changes.len(),
        delta_len / 1024
    );
    println!(
        "  diff + serialize        {}  (goal <= 5 ms)",
        figures(&deltas)
    );
    println!(
        "  hub.publish_state       {}  (the same, with the hub's swap of states)",
        figures(&publishes)
    );
}
