//! The scale bench's plumbing: the simulator on its own thread, timing (wall clock and the
//! main thread's CPU time), gzip, and a lean task type for comparing parses.

use flotilla::sim::{http, world::World};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The simulator on a thread and runtime of its own, so its answers are not scheduled
/// between the measured code's steps.
pub fn start_simulator(world: World) -> (String, Arc<http::Shared>) {
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

/// Time on the CPU of the calling thread: unlike the wall clock, it leaves out the time
/// spent waiting for a core on a machine others are using. (Linux's schedstat is updated
/// only at ticks; this clock is exact. libc is linked already; no crate is added for it.)
fn thread_cpu() -> Duration {
    #[repr(C)]
    struct Timespec {
        secs: i64,
        nanos: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, out: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut now = Timespec { secs: 0, nanos: 0 };
    // SAFETY: `now` is a valid, writable timespec (two longs on 64-bit Linux).
    let ok = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut now) } == 0;
    match ok {
        true => Duration::new(now.secs as u64, now.nanos as u32),
        false => Duration::ZERO,
    }
}

/// One measurement: wall clock and the main thread's CPU time (the bench's own code runs
/// there: `block_on` polls its future on the main thread; the HTTP connections run on
/// the runtime's workers and the simulator on its own thread, and are not in it).
#[derive(Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
}

pub struct Timer(Instant, Duration);

impl Timer {
    pub fn start() -> Timer {
        Timer(Instant::now(), thread_cpu())
    }

    pub fn stop(&self) -> Sample {
        Sample {
            wall: self.0.elapsed(),
            cpu: thread_cpu().saturating_sub(self.1),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// "median X ms (cpu Y ms), max Z ms".
pub fn figures(runs: &[Sample]) -> String {
    let wall: Vec<_> = runs.iter().map(|s| s.wall).collect();
    let max = wall.iter().max().copied().unwrap_or_default();
    let cpu = median(runs.iter().map(|s| s.cpu).collect());
    format!(
        "median {:6.1} ms (cpu {:6.1}), max {:6.1} ms",
        ms(median(wall)),
        ms(cpu),
        ms(max)
    )
}

pub fn gzip_len(bytes: &[u8]) -> usize {
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

/// The fields of Docker's task that `convert::task` reads, and no others: what a parse of
/// the task list would cost if it could skip the rest (bollard's `list_tasks` parses every
/// field into its full model; the review allows no client of our own). Informational only.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
pub struct LeanTask {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "ServiceID")]
    service_id: Option<String>,
    #[serde(rename = "NodeID")]
    node_id: Option<String>,
    slot: Option<i64>,
    desired_state: Option<String>,
    status: Option<LeanStatus>,
    spec: Option<LeanSpec>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct LeanStatus {
    timestamp: Option<String>,
    state: Option<String>,
    message: Option<String>,
    err: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LeanSpec {
    #[allow(dead_code)]
    container_spec: Option<LeanContainer>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LeanContainer {
    #[allow(dead_code)]
    image: Option<String>,
}
