//! The live view's headline figures, measured against a real lab (its own, torn down at the
//! end): Docker API requests per minute with 1, 10 and 100 viewers, counted by a proxy on
//! the wire; latency from a change in Docker's task list to viewers holding it; and the
//! release wasm's size. Prints figures; asserts nothing about speed.

#[path = "../tests/support/mod.rs"]
mod support;

use bollard::Docker;
use bollard::query_parameters::{ListTasksOptions, UpdateServiceOptions};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};
use support::panel::Panel;
use support::viewer::Viewer;
use testkit::Proxy;

const LAB: [&str; 6] = [
    "--name",
    "flotilla-bench-lab",
    "--api-port",
    "23780",
    "--registry-port",
    "5003",
];
const MANAGER: &str = "127.0.0.1:23780";
// Two full reconcile periods per window, so the count does not depend on where they fall.
const WINDOW: Duration = Duration::from_secs(60);
const TASK_RELIST_MS: u64 = 1000;

struct LabGuard;
impl Drop for LabGuard {
    fn drop(&mut self) {
        let _ = support::flotilla().args(["lab", "down"]).args(LAB).output();
    }
}

async fn scale(docker: &Docker, name: &str, replicas: i64) {
    let service = docker.inspect_service(name, None).await.expect("inspect");
    let version = service.version.and_then(|v| v.index).expect("version") as i32;
    let mut spec = service.spec.expect("spec");
    spec.mode
        .as_mut()
        .and_then(|m| m.replicated.as_mut())
        .expect("replicated")
        .replicas = Some(replicas);
    docker
        .update_service(
            name,
            spec,
            UpdateServiceOptions {
                version,
                ..Default::default()
            },
            None,
        )
        .await
        .expect("scale");
}

async fn task_ids(docker: &Docker, state: Option<&str>) -> BTreeSet<String> {
    let mut filters = HashMap::from([("service".to_string(), vec!["echo".to_string()])]);
    if let Some(state) = state {
        filters.insert("desired-state".into(), vec!["running".into()]);
        let tasks = docker
            .list_tasks(Some(ListTasksOptions {
                filters: Some(filters),
            }))
            .await
            .expect("tasks");
        return tasks
            .into_iter()
            .filter(|t| {
                t.status
                    .as_ref()
                    .and_then(|s| s.state)
                    .map(|s| s.to_string())
                    .as_deref()
                    == Some(state)
            })
            .filter_map(|t| t.id)
            .collect();
    }
    let tasks = docker
        .list_tasks(Some(ListTasksOptions {
            filters: Some(filters),
        }))
        .await
        .expect("tasks");
    tasks.into_iter().filter_map(|t| t.id).collect()
}

/// Watches Docker every 10 ms (wait_until's 200 ms would blur the start time).
async fn poll<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let every = Duration::from_millis(10);
    testkit::wait_until_every(what, Duration::from_secs(60), every, check).await
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn requests_per_minute(viewers: usize) -> f64 {
    let proxy = Proxy::to_tcp(MANAGER).await;
    let relist = TASK_RELIST_MS.to_string();
    let panel = Panel::start(&proxy.docker_address(), &["--task-relist-ms", &relist]);
    let mut connected = Vec::new();
    for _ in 0..viewers {
        let mut viewer = Viewer::connect(&panel.addr).await;
        viewer
            .until("live", Duration::from_secs(30), |v| {
                !v.state.nodes.is_empty()
            })
            .await;
        connected.push(viewer);
    }
    // Keep every viewer reading, as browsers do.
    let readers: Vec<_> = connected
        .into_iter()
        .map(|mut v| tokio::spawn(async move { while v.read_one().await {} }))
        .collect();
    let start = proxy.requests();
    tokio::time::sleep(WINDOW).await; // the measurement window itself, not a synchronization
    let counted = proxy.requests() - start;
    readers.iter().for_each(|r| r.abort());
    drop(panel);
    counted as f64 * 60.0 / WINDOW.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let _lab = LabGuard;
    let started = Instant::now();
    support::run_flotilla(&[&["lab", "up"][..], &LAB[..]].concat());
    println!("lab up: {:.1}s", started.elapsed().as_secs_f64());
    let docker = support::docker_at(&format!("tcp://{MANAGER}")).await;
    let spec = bollard::models::ServiceSpec {
        name: Some("echo".into()),
        mode: Some(bollard::models::ServiceSpecMode {
            replicated: Some(bollard::models::ServiceSpecModeReplicated { replicas: Some(3) }),
            ..Default::default()
        }),
        task_template: Some(bollard::models::TaskSpec {
            container_spec: Some(bollard::models::TaskSpecContainerSpec {
                image: Some("registry:5000/example/echo:latest".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    docker
        .create_service(spec, None)
        .await
        .expect("create echo");

    println!(
        "\n== Docker API requests per minute (task re-list every {TASK_RELIST_MS} ms, {}s windows)",
        WINDOW.as_secs()
    );
    let mut per_minute = Vec::new();
    for viewers in [1, 10, 100] {
        let rate = requests_per_minute(viewers).await;
        println!("{viewers:>4} viewers: {rate:.1} requests/min");
        per_minute.push(rate);
    }
    println!(
        "ratio 100 viewers / 1 viewer: {:.3} (goal <= 1.05)",
        per_minute[2] / per_minute[0]
    );

    println!("\n== change -> viewer latency (10 viewers)");
    let relist = TASK_RELIST_MS.to_string();
    let panel = Panel::start(&format!("tcp://{MANAGER}"), &["--task-relist-ms", &relist]);
    let mut viewers = Vec::new();
    for _ in 0..10 {
        let mut viewer = Viewer::connect(&panel.addr).await;
        viewer
            .until("live", Duration::from_secs(30), |v| {
                !v.state.nodes.is_empty()
            })
            .await;
        viewers.push(viewer);
    }
    let mut appeared = Vec::new();
    let mut running = Vec::new();
    for _round in 0..10 {
        let before = task_ids(&docker, None).await;
        scale(&docker, "echo", 4).await;
        // Docker's side: poll the task list directly until the new task shows, then until it
        // runs (no event announces either).
        let (new_id, listed_at) = poll("a new task in Docker", || async {
            let now = task_ids(&docker, None).await;
            now.difference(&before)
                .next()
                .cloned()
                .map(|id| (id, Instant::now()))
        })
        .await;
        let running_at = poll("the new task to run", || async {
            task_ids(&docker, Some("running"))
                .await
                .contains(&new_id)
                .then(Instant::now)
        })
        .await;
        for viewer in viewers.iter_mut() {
            viewer
                .until("the new task", Duration::from_secs(60), |v| {
                    v.state.tasks.contains_key(&new_id)
                })
                .await;
            appeared.push(Instant::now().saturating_duration_since(listed_at));
        }
        for viewer in viewers.iter_mut() {
            let runs = |v: &Viewer| {
                v.state
                    .tasks
                    .get(&new_id)
                    .is_some_and(|t| t.state == flotilla_app::model::TaskState::Running)
            };
            viewer
                .until("the new task running", Duration::from_secs(60), runs)
                .await;
            running.push(Instant::now().saturating_duration_since(running_at));
        }
        scale(&docker, "echo", 3).await;
        support::wait_until("back to 3 running", Duration::from_secs(60), || async {
            (task_ids(&docker, Some("running")).await.len() == 3).then_some(())
        })
        .await;
    }
    for (what, mut samples) in [
        ("new task listed (event-driven)", appeared),
        ("task reached running (timer-driven)", running),
    ] {
        samples.sort();
        println!(
            "{what}: p50 {:.0} ms, p99 {:.0} ms over {} samples",
            percentile(&samples, 0.5).as_secs_f64() * 1e3,
            percentile(&samples, 0.99).as_secs_f64() * 1e3,
            samples.len()
        );
    }
    println!(
        "(viewers read sequentially here, so later viewers' figures include the time spent reading earlier ones)"
    );
    drop(panel);

    println!("\n== release front end (both bundles)");
    let pkg = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site/pkg");
    // A figure that could not be measured fails the bench rather than printing 0.
    let manifest = std::fs::read_to_string(pkg.join("manifest.txt")).unwrap_or_else(|e| {
        panic!(
            "{}/manifest.txt: {e} (build it with `scripts/build-front.sh`)",
            pkg.display()
        )
    });
    let assets = flotilla_app::audience::Assets::parse(&manifest).expect("a manifest");
    for audience in flotilla_app::audience::Audience::ALL {
        let wasm = pkg.join(format!("{}_bg.wasm", assets.bundle(audience)));
        let size = |path: &std::path::Path| {
            std::fs::metadata(path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .len()
                / 1024
        };
        println!(
            "{} bundle: {} KB raw, {} KB gzip, {} KB brotli as served (viewer goal <= 150 KB)",
            audience.bundle(),
            size(&wasm),
            size(&wasm.with_extension("wasm.gz")),
            size(&wasm.with_extension("wasm.br")),
        );
    }
}
