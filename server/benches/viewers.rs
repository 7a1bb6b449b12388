//! Viewers at scale, against the Docker API simulator (`flotilla sim`: 1,000 nodes, 20,000
//! tasks, 500 services, churning) through a proxy that counts the panel's Docker requests.
//! (a) 1 viewer, then 1,000 (20 client addresses, 50 each: the default caps admit exactly
//! that): the panel's RSS, fan-out (from the first viewer holding a delta to the last), and
//! Docker requests per minute with each, equal by design (one state owner, whatever the
//! audience). (b) 10,000 viewers on a fresh panel at the default caps, given explicitly
//! (`--max-viewers 1000 --max-viewers-per-ip 50`), from 100 addresses, 100 each: every one
//! must be admitted or refused with a close code (1,000 admitted), and the RSS is printed.
//!
//! Prints figures beside their goals; panics when a figure cannot be measured (the simulator
//! does not answer, a viewer got no snapshot, no delta came), never printing 0. The viewers
//! here read the wire themselves: the opening of each message (its type and seq) and skip
//! the rest, so ten thousand of them cost the bench little and measure the panel, not a
//! client library. It holds ~11,000 sockets and raises its own open-file limit with
//! prlimit(1); where that is not allowed, run it under `ulimit -n 65536`.
//!
//! `cargo bench -p flotilla-server --bench viewers`

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::panel::Panel;
use testkit::Proxy;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio_util::sync::CancellationToken;

const NODES: usize = 1_000;
const TASKS: usize = 20_000;
const SERVICES: usize = 500;
const WINDOW: Duration = Duration::from_secs(60);
const RSS_GOAL_MIB: u64 = 200;
const FAN_OUT_GOAL_MS: f64 = 250.0;
/// Past this the ramp to 1,000 viewers stops and the bench fails: the machine is shared.
const RSS_ABORT_MIB: u64 = 8 * 1024;
const FD_LIMIT: u64 = 65_536;

/// `flotilla sim`, killed on drop.
struct Simulator(Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

async fn start_simulator() -> (Simulator, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let (nodes, tasks, services) = (NODES.to_string(), TASKS.to_string(), SERVICES.to_string());
    let child = support::flotilla()
        .args(["sim", "--addr", &addr, "--nodes", &nodes, "--tasks", &tasks])
        .args(["--services", &services, "--seed", "1"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start `flotilla sim`: {e}"));
    let sim = Simulator(child);
    support::wait_until(
        "the simulator to answer /_ping",
        Duration::from_secs(120),
        || {
            let addr = addr.clone();
            async move {
                match support::http_get(&addr, "/_ping").await {
                    Ok((200, _)) => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            }
        },
    )
    .await;
    (sim, addr)
}

/// A field of /proc/<pid>/status, in KiB; panics rather than report a figure it did not read.
fn proc_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

fn rss_line(panel: &Panel) -> (u64, String) {
    let (rss, hwm) = (
        proc_kib(panel.pid(), "VmRSS"),
        proc_kib(panel.pid(), "VmHWM"),
    );
    let goal = if rss / 1024 <= RSS_GOAL_MIB {
        "met"
    } else {
        "MISSED"
    };
    let text = format!(
        "RSS {} MiB (peak {} MiB; goal <= {RSS_GOAL_MIB} MiB: {goal})",
        rss / 1024,
        hwm / 1024
    );
    (rss, text)
}

/// Raises this process's open-file limit (the panel, started later, inherits it).
fn raise_fd_limit() {
    let pid = std::process::id().to_string();
    let limit = format!("--nofile={FD_LIMIT}:{FD_LIMIT}");
    let _ = Command::new("prlimit")
        .args(["--pid", &pid, &limit])
        .stderr(Stdio::null())
        .status();
    let limits = std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    let soft: u64 = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        .expect("the open-file limit");
    assert!(
        soft >= 12_000,
        "{soft} open files at most: run the bench under `ulimit -n {FD_LIMIT}`"
    );
}

/// What a viewer got: a snapshot or a delta (with its seq), anything else, or a close.
#[derive(Debug, PartialEq)]
enum Got {
    Snapshot(u64),
    Delta(u64),
    Other,
    Closed(Option<u16>, String),
}

/// The kind and seq from a message's opening: `{"delta":{"seq":12,...` (serde's external
/// tag, then the fields in order; the older internally tagged `{"type":"delta","seq":12,`
/// is read too). A first message that is not a snapshot fails the bench.
fn classify(opening: &[u8]) -> Got {
    let seq = |prefixes: [&[u8]; 2]| -> Option<u64> {
        let rest = prefixes.iter().find_map(|p| opening.strip_prefix(*p))?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
    };
    let snapshot = [
        &br#"{"snapshot":{"seq":"#[..],
        br#"{"type":"snapshot","seq":"#,
    ];
    let delta = [&br#"{"delta":{"seq":"#[..], br#"{"type":"delta","seq":"#];
    match (seq(snapshot), seq(delta)) {
        (Some(seq), _) => Got::Snapshot(seq),
        (_, Some(seq)) => Got::Delta(seq),
        _ => Got::Other,
    }
}

/// One viewer on the wire: a websocket client that keeps no message, only its opening.
struct Wire {
    stream: BufReader<TcpStream>,
}

impl Wire {
    /// Connects from `source` and upgrades; panics if the panel answers no upgrade.
    async fn open(panel: &str, source: IpAddr) -> Wire {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind(SocketAddr::new(source, 0))
            .expect("bind the source address");
        let to = panel.parse().expect("panel address");
        let stream = socket
            .connect(to)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        let mut stream = BufReader::with_capacity(16 * 1024, stream);
        let mut request = format!("GET /ws HTTP/1.1\r\nHost: {panel}\r\n");
        for (name, value) in support::WS_UPGRADE {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .expect("send the upgrade");
        let mut line = String::new();
        stream
            .read_line(&mut line)
            .await
            .expect("the upgrade's answer");
        assert!(line.starts_with("HTTP/1.1 101"), "no upgrade: {line:?}");
        while line != "\r\n" {
            line.clear();
            let read = stream.read_line(&mut line).await.expect("upgrade headers");
            assert!(read > 0, "the panel hung up during the upgrade");
        }
        Wire { stream }
    }

    /// The next message, skipped past but for its opening; a Close is answered.
    async fn next(&mut self) -> Got {
        let mut opening = Vec::new();
        loop {
            let mut head = [0u8; 2];
            if let Err(e) = self.stream.read_exact(&mut head).await {
                return Got::Closed(None, e.to_string());
            }
            let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
            let len = match head[1] & 0x7f {
                126 => self.stream.read_u16().await.map(u64::from),
                127 => self.stream.read_u64().await,
                n => Ok(u64::from(n)),
            };
            let Ok(len) = len else {
                return Got::Closed(None, "cut mid-frame".into());
            };
            let keep = if opcode >= 0x8 {
                len
            } else {
                64 - opening.len() as u64
            };
            let mut kept = vec![0; len.min(keep) as usize];
            let rest = len - kept.len() as u64;
            let whole = match self.stream.read_exact(&mut kept).await {
                Ok(_) => {
                    let mut skip = (&mut self.stream).take(rest);
                    let skipped = tokio::io::copy(&mut skip, &mut tokio::io::sink()).await;
                    skipped.is_ok_and(|n| n == rest)
                }
                Err(_) => false,
            };
            if !whole {
                return Got::Closed(None, "cut mid-frame".into());
            }
            match opcode {
                0x8 => {
                    // Answered with a masked Close (mask 0), as a browser would.
                    let answer = [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8];
                    let _ = self.stream.get_mut().write_all(&answer).await;
                    let code = (kept.len() >= 2).then(|| u16::from_be_bytes([kept[0], kept[1]]));
                    let reason = String::from_utf8_lossy(kept.get(2..).unwrap_or(&[])).into();
                    return Got::Closed(code, reason);
                }
                0x9 | 0xa => continue,
                _ => opening.extend_from_slice(&kept),
            }
            if fin {
                return classify(&opening);
            }
        }
    }
}

/// When a viewer came to hold each seq: (seq, when), seq rising.
#[derive(Default)]
struct Log {
    held: Vec<(u64, Instant)>,
    snapshots: usize,
    closed: Option<String>,
}

/// Reads a viewer until `stop`, logging when each seq arrived.
async fn follow(mut wire: Wire, first: u64, stop: CancellationToken) -> Log {
    let mut log = Log {
        held: vec![(first, Instant::now())],
        snapshots: 1,
        closed: None,
    };
    loop {
        let got = tokio::select! {
            () = stop.cancelled() => return log,
            got = wire.next() => got,
        };
        let seq = match got {
            Got::Snapshot(seq) => {
                log.snapshots += 1;
                seq
            }
            Got::Delta(seq) => seq,
            Got::Other => continue,
            Got::Closed(code, reason) => {
                log.closed = Some(format!("{code:?} {reason}"));
                return log;
            }
        };
        if log.held.last().is_none_or(|(last, _)| seq > *last) {
            log.held.push((seq, Instant::now()));
        }
    }
}

/// Connects viewer `i` of a crowd from 127.0.`net`.(1 + i / per_address) and reads its
/// first message.
async fn arrive(panel: String, net: u8, i: usize, per_address: usize) -> (Wire, Got) {
    let host = u8::try_from(1 + i / per_address).expect("at most 254 addresses");
    let mut wire = Wire::open(&panel, IpAddr::V4(Ipv4Addr::new(127, 0, net, host))).await;
    let first = wire.next().await;
    (wire, first)
}

/// Per seq published in `(from, to]`: how long from the first viewer holding it to the last.
fn fan_out(logs: &[Log], from: u64, to: u64) -> Vec<Duration> {
    let held_at = |log: &Log, seq: u64| {
        let at = log.held.partition_point(|(s, _)| *s < seq);
        log.held.get(at).map(|(_, when)| *when)
    };
    let mut spreads: Vec<Duration> = ((from + 1)..=to)
        .filter_map(|seq| {
            let times: Option<Vec<Instant>> = logs.iter().map(|l| held_at(l, seq)).collect();
            let times = times?;
            let (first, last) = (times.iter().min()?, times.iter().max()?);
            Some(*last - *first)
        })
        .collect();
    spreads.sort();
    spreads
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}

/// The panel's viewer gauge, from /metrics.
async fn viewers_now(panel: &str) -> Result<u64, String> {
    let (status, body) = support::http_get(panel, "/metrics")
        .await
        .map_err(|e| e.to_string())?;
    let gauge = body
        .lines()
        .find_map(|l| l.strip_prefix("flotilla_viewers "));
    match (status, gauge.and_then(|v| v.trim().parse::<f64>().ok())) {
        (200, Some(n)) => Ok(n as u64),
        _ => Err(format!("{status}: no flotilla_viewers gauge")),
    }
}

async fn wait_for_viewers(panel: &str, n: u64) {
    support::wait_until(
        &format!("{n} viewers"),
        Duration::from_secs(60),
        || async move {
            match viewers_now(panel).await {
                Ok(now) if now == n => Ok(()),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
}

/// The panel's own count of its Docker requests by endpoint and outcome, from /metrics: why
/// the proxy's count moved, if it did.
async fn docker_counts(panel: &str) -> BTreeMap<String, f64> {
    let (status, body) = support::http_get(panel, "/metrics")
        .await
        .expect("GET /metrics");
    assert_eq!(status, 200, "GET /metrics: {body}");
    let counts: BTreeMap<String, f64> = body
        .lines()
        .filter_map(|l| {
            let (labels, value) = l
                .strip_prefix("flotilla_docker_requests_total{")?
                .split_once("} ")?;
            Some((labels.replace('"', ""), value.trim().parse().ok()?))
        })
        .collect();
    assert!(
        !counts.is_empty(),
        "no flotilla_docker_requests_total in /metrics"
    );
    counts
}

/// Docker requests per minute over one window (counted on the wire), what they were (as the
/// panel counts them), and the panel's highest RSS seen in it.
async fn window(proxy: &Proxy, panel: &Panel) -> (f64, String, u64) {
    let (start, counts) = (proxy.requests(), docker_counts(&panel.addr).await);
    let (mut peak, began) = (0, Instant::now());
    while began.elapsed() < WINDOW {
        peak = peak.max(proc_kib(panel.pid(), "VmRSS"));
        // The measurement window's pace, not a synchronization.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let counted = proxy.requests() - start;
    let minutes = began.elapsed().as_secs_f64() / 60.0;
    assert!(
        counted > 0,
        "the panel sent Docker no request in {WINDOW:?}"
    );
    let breakdown: Vec<String> = docker_counts(&panel.addr)
        .await
        .into_iter()
        .map(|(labels, n)| (labels.clone(), n - counts.get(&labels).unwrap_or(&0.0)))
        .filter(|(_, n)| *n > 0.0)
        .map(|(labels, n)| format!("{labels}: {:.0}/min", n / minutes))
        .collect();
    (counted as f64 / minutes, breakdown.join("; "), peak)
}

async fn part_a(sim: &str) {
    let proxy = Proxy::to_tcp(sim).await;
    let panel = Panel::start(&proxy.docker_address(), &[]);
    // The world, checked once in full: a simulator that serves nothing fails here.
    let mut check = support::viewer::Viewer::connect(&panel.addr).await;
    let limit = Duration::from_secs(180);
    check
        .until("the simulated swarm in full", limit, |v| {
            v.state.nodes.len() == NODES
                && v.state.services.len() == SERVICES
                && v.state.tasks.len() >= TASKS / 2
        })
        .await;
    println!(
        "panel live: {} nodes, {} services, {} tasks",
        check.state.nodes.len(),
        check.state.services.len(),
        check.state.tasks.len()
    );
    drop(check);
    // Its seat is free before the crowd, which takes every seat, arrives.
    wait_for_viewers(&panel.addr, 0).await;

    let stop = CancellationToken::new();
    let mut followers = Vec::new();
    let (wire, first) = arrive(panel.addr.clone(), 10, 0, 50).await;
    let Got::Snapshot(seq) = first else {
        panic!("the first viewer got {first:?}")
    };
    followers.push(tokio::spawn(follow(wire, seq, stop.clone())));
    let (one, one_by, _) = window(&proxy, &panel).await;
    println!("\n== 1 viewer\n{}", rss_line(&panel).1);

    // The crowd arrives 50 at a time, each batch's snapshots read before the next comes.
    let started = Instant::now();
    for batch in (1..1000).collect::<Vec<_>>().chunks(50) {
        let arrivals = batch
            .iter()
            .map(|&i| tokio::spawn(arrive(panel.addr.clone(), 10, i, 50)));
        for arrival in arrivals.collect::<Vec<_>>() {
            let (wire, first) = arrival.await.expect("arrival");
            let Got::Snapshot(seq) = first else {
                panic!("a viewer got {first:?}")
            };
            followers.push(tokio::spawn(follow(wire, seq, stop.clone())));
        }
        let (rss, line) = rss_line(&panel);
        if rss / 1024 > RSS_ABORT_MIB {
            panic!(
                "{} viewers: {line}; stopped the ramp above {RSS_ABORT_MIB} MiB",
                followers.len()
            );
        }
    }
    wait_for_viewers(&panel.addr, 1000).await;
    println!(
        "\n== 1,000 viewers (arrived in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let (thousand, thousand_by, peak) = window(&proxy, &panel).await;
    println!(
        "{} (highest in the window {} MiB)",
        rss_line(&panel).1,
        peak / 1024
    );
    stop.cancel();
    let mut logs = Vec::new();
    for follower in followers {
        logs.push(follower.await.expect("viewer task"));
    }
    let dropped: Vec<_> = logs.iter().filter_map(|l| l.closed.clone()).collect();
    let resynced = logs.iter().filter(|l| l.snapshots > 1).count();
    println!(
        "viewers dropped by the panel: {} {:?}; resynced: {resynced}",
        dropped.len(),
        dropped.first()
    );
    // The seqs every viewer was there for: from the last arrival's first seq on.
    let from = logs.iter().map(|l| l.held[0].0).max().expect("viewers");
    let to = logs
        .iter()
        .map(|l| l.held.last().expect("a seq").0)
        .min()
        .expect("viewers");
    let spreads = fan_out(&logs, from, to);
    assert!(
        !spreads.is_empty(),
        "no delta reached every viewer (seqs {from}..{to}): no churn?"
    );
    let p99 = percentile_ms(&spreads, 0.99);
    let goal = if p99 <= FAN_OUT_GOAL_MS {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "fan-out, first viewer holding a delta -> the last of 1,000 (the bench's own read times; \
         publication time is not visible from outside): p50 {:.0} ms, p99 {p99:.0} ms \
         (goal <= {FAN_OUT_GOAL_MS} ms: {goal}), max {:.0} ms over {} deltas",
        percentile_ms(&spreads, 0.5),
        percentile_ms(&spreads, 1.0),
        spreads.len()
    );
    println!(
        "Docker API requests per minute: {one:.1} with 1 viewer, {thousand:.1} with 1,000 \
         (ratio {:.3}; equal by design)\n  1 viewer: {one_by}\n  1,000 viewers: {thousand_by}",
        thousand / one
    );
}

async fn part_b(sim: &str) {
    let proxy = Proxy::to_tcp(sim).await;
    let caps = ["--max-viewers", "1000", "--max-viewers-per-ip", "50"];
    let panel = Panel::start(&proxy.docker_address(), &caps);
    let stop = CancellationToken::new();
    let (mut admitted, mut refused) = (Vec::new(), std::collections::BTreeMap::new());
    let started = Instant::now();
    // 100 at a time, all from one address: well under the panel's 2,048 open HTTP
    // connections, which are refused before any upgrade.
    for batch in (0..10_000).collect::<Vec<_>>().chunks(100) {
        let arrivals = batch
            .iter()
            .map(|&i| tokio::spawn(arrive(panel.addr.clone(), 20, i, 100)));
        for arrival in arrivals.collect::<Vec<_>>() {
            match arrival.await.expect("arrival") {
                (wire, Got::Snapshot(seq)) => {
                    admitted.push(tokio::spawn(follow(wire, seq, stop.clone())))
                }
                (_, Got::Closed(Some(code), reason)) if code == 1013 || code == 1008 => {
                    *refused.entry((code, reason)).or_insert(0) += 1
                }
                (_, other) => panic!("neither admitted nor refused with a close code: {other:?}"),
            }
        }
    }
    println!(
        "\n== 10,000 viewers at --max-viewers 1000 --max-viewers-per-ip 50 (100 addresses x 100)"
    );
    println!(
        "arrived in {:.1} s: {} admitted",
        started.elapsed().as_secs_f64(),
        admitted.len()
    );
    for ((code, reason), n) in &refused {
        println!("{n} refused with {code} \"{reason}\"");
    }
    assert_eq!(admitted.len(), 1000, "the cap admits 1,000");
    println!("{}", rss_line(&panel).1);
    stop.cancel();
    for viewer in admitted {
        let log = viewer.await.expect("viewer task");
        assert!(
            log.closed.is_none(),
            "an idle viewer was dropped: {:?}",
            log.closed
        );
    }
}

#[tokio::main]
async fn main() {
    raise_fd_limit();
    let started = Instant::now();
    let (_sim, addr) = start_simulator().await;
    println!(
        "simulator up at {addr} in {:.1} s: {NODES} nodes, {TASKS} tasks, {SERVICES} services, churning",
        started.elapsed().as_secs_f64()
    );
    part_a(&addr).await;
    part_b(&addr).await;
}
