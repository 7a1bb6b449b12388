//! A wall screen at scale, in a real headless Chromium: `flotilla sim` (1,000 nodes, 20,000
//! tasks, 500 services, 100 changes a second) read by a panel, its kiosk page (`/?kiosk=1`)
//! open at 1920x1080. Prints, beside their goals:
//!
//! - the page's HTML as the server renders it, raw and gzip-compressed (the state it carries
//!   for hydration apart from the markup), and as the browser received it;
//! - first paint and first contentful paint (Performance API), and the time until the page
//!   is hydrated and live (its connection indicator's `data-state`);
//! - that dense mode was chosen automatically, and its layout;
//! - frame times while the churn arrives (a requestAnimationFrame loop over 20 s: p50, p99,
//!   max, frames over 16 ms) and long tasks;
//! - the JS heap (`performance.memory`, precise, after a forced collection) every 30 s for
//!   `WALL_MINUTES` minutes (default 5): the wasm's own memory is not in it;
//! - with `WALL_CSS` set, the frames are measured with that CSS added to the page (to try a
//!   rule without building the front end again);
//! - what the panel sent the page meanwhile (its /metrics: deltas, snapshots, resyncs).
//!
//! Saves a screenshot in target/screenshots/wall-20k.png. Panics when a figure cannot be
//! measured (the simulator does not answer, no paint entry, the page never goes live, no
//! change reaches it), never printing 0; asserts nothing about speed.
//!
//! `cargo build -p flotilla-server && cargo bench -p flotilla-end2end --bench wall`

#[allow(dead_code)] // the tests' support: this bench uses part of it
#[path = "../tests/support/mod.rs"]
mod support;

use fantoccini::Client;
use fantoccini::wd::TimeoutConfiguration;
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::browser::{Browser, Driver};
use support::panel::Panel;
use support::{Scratch, free_port, wait_until};
use testkit::wait_until_every;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NODES: &str = "1000";
const TASKS: &str = "20000";
const SERVICES: &str = "500";
const CHURN: &str = "100";
const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
const FRAME_WINDOW: Duration = Duration::from_secs(20);
const HEAP_EVERY: Duration = Duration::from_secs(30);
/// The simulator builds 20,000 tasks and the panel reads them: generous on a shared machine.
const START_LIMIT: Duration = Duration::from_secs(180);
const FIRST_PAINT_GOAL_MS: f64 = 1000.0;
const HYDRATED_GOAL_MS: f64 = 2000.0;
const FRAME_GOAL_MS: f64 = 16.0;

/// A process started in a group of its own, the group killed on drop: `flotilla sim`, and
/// chromedriver with every Chromium it starts.
struct Group(Child);

impl Group {
    fn spawn(command: &mut Command, what: &str) -> Group {
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        Group(child)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.wait();
    }
}

/// `GET path` over HTTP/1.0 (so the answer ends with the connection, never chunked),
/// without compression: (status, body).
async fn http_get(addr: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&answer[..end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    Ok((status, answer[end + 4..].to_vec()))
}

fn gzip_len(data: &[u8], level: u32) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(data).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len()
}

fn kb(bytes: usize) -> String {
    format!("{:.0} KB", bytes as f64 / 1000.0)
}

fn goal(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The page as the server renders it: its size raw and gzipped, the state it carries apart.
async fn page_sizes(addr: &str) {
    let (status, body) = http_get(addr, "/?kiosk=1").await.expect("GET /?kiosk=1");
    assert_eq!(status, 200, "GET /?kiosk=1");
    let text = String::from_utf8_lossy(&body);
    let open = r#"<script id="flotilla-state" type="application/json">"#;
    let state = text
        .find(open)
        .and_then(|at| {
            let from = at + open.len();
            text[from..]
                .find("</script>")
                .map(|len| &text[from..from + len])
        })
        .expect("the page carries its state");
    let markup: String = text.replacen(state, "", 1);
    // From the grid to the end of the page, the state apart (it is after the markup).
    let grid = markup.find(r#"<div class="grid"#).map(|at| &markup[at..]);
    let grid = grid.expect("the page has a grid");
    println!("\n== the page's HTML (/?kiosk=1), as rendered");
    for (what, bytes) in [
        ("whole page", text.as_bytes()),
        ("state for hydration (JSON)", state.as_bytes()),
        ("markup without the state", markup.as_bytes()),
        ("of which the grid", grid.as_bytes()),
    ] {
        println!(
            "{what:>28}: {:>9} raw, {:>8} gzip -6, {:>8} gzip -1 (as served)",
            kb(bytes.len()),
            kb(gzip_len(bytes, 6)),
            kb(gzip_len(bytes, 1))
        );
    }
}

/// A headless Chromium session through the tests' chromedriver, with its own options:
/// precise heap figures (`--enable-precise-memory-info`) and a navigation that returns at
/// once (page load strategy `none`), before the page hydrates.
async fn chromium(scratch: &std::path::Path) -> (Driver, Browser) {
    let driver = Driver::start(scratch).await;
    let options = json!({
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-precise-memory-info",
            // window.gc(): the heap is sampled after a collection, what the page keeps.
            "--js-flags=--expose-gc",
            format!("--window-size={WIDTH},{HEIGHT}"),
            format!("--user-data-dir={}", scratch.join("chromium-profile").display()),
        ],
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities.insert("pageLoadStrategy".into(), json!("none"));
    let client = driver.connect(capabilities).await;
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(120)),
            Some(Duration::from_secs(300)),
            None,
        ))
        .await
        .expect("set the session's timeouts");
    (driver, client)
}

/// Sizes the window so that the page gets exactly WIDTH x HEIGHT: the window keeps some for
/// its own frame (measured on the page itself: on a blank one it can read 0).
async fn fit_viewport(client: &Client) {
    client.set_window_size(WIDTH, HEIGHT).await.expect("size");
    let frame = eval(
        client,
        "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
    )
    .await;
    let frame: (u32, u32) = serde_json::from_value(frame).expect("the window's frame");
    client
        .set_window_size(WIDTH + frame.0, HEIGHT + frame.1)
        .await
        .expect("size the window");
}

async fn eval(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{e}: {script}"))
}

async fn eval_f64(client: &Client, script: &str) -> f64 {
    let value = eval(client, script).await;
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number ({value}): {script}"))
}

/// Sorted frame deltas and long tasks recorded by the page over `window`, and how many node
/// boxes were rewritten meanwhile (the churn reaching the screen).
async fn frames(client: &Client, window: Duration) -> (Vec<f64>, Vec<f64>, u64) {
    eval(
        client,
        "window.__wall = { frames: [], long: [], rewrites: 0, longtask: false }; \
         const w = window.__wall; let last = performance.now(); \
         const tick = now => { w.frames.push(now - last); last = now; \
           if (!w.stop) requestAnimationFrame(tick); }; \
         requestAnimationFrame(tick); \
         if (PerformanceObserver.supportedEntryTypes.includes('longtask')) { \
           w.longtask = true; \
           new PerformanceObserver(l => l.getEntries().forEach(e => w.long.push(e.duration))) \
             .observe({ type: 'longtask' }); } \
         w.loaf = { frames: 0, total: 0, script: 0, layout: 0, by: {} }; \
         if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) { \
           new PerformanceObserver(l => l.getEntries().forEach(e => { \
             const a = w.loaf; a.frames++; a.total += e.duration; \
             if (e.styleAndLayoutStart) a.layout += e.startTime + e.duration - e.styleAndLayoutStart; \
             e.scripts.forEach(s => { a.script += s.duration; \
               const k = s.invokerType + ' ' + s.invoker; a.by[k] = (a.by[k] || 0) + s.duration; }); \
           })).observe({ type: 'long-animation-frame' }); } \
         new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => { \
             if (n.matches && n.matches('section.node-column')) w.rewrites++; }))) \
           .observe(document.querySelector('main'), { childList: true, subtree: true }); \
         return null;",
    )
    .await;
    tokio::time::sleep(window).await; // the measurement window itself
    let seen = eval(
        client,
        "const w = window.__wall; w.stop = true; \
         return { frames: w.frames.slice(1), long: w.long, rewrites: w.rewrites, \
           longtask: w.longtask, loaf: w.loaf };",
    )
    .await;
    let list = |key: &str| -> Vec<f64> {
        let mut v: Vec<f64> = serde_json::from_value(seen[key].clone()).expect("numbers");
        v.sort_by(f64::total_cmp);
        v
    };
    if seen["longtask"] != json!(true) {
        println!("long tasks: not observable in this Chromium");
    }
    let loaf = &seen["loaf"];
    if loaf["frames"].as_u64().unwrap_or(0) > 0 {
        // Long animation frames (> 50 ms) with their scripts: where the long frames go.
        let ms = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        println!(
            "long animation frames: {}, {:.0} ms in all: scripts {:.0} ms, style and layout \
             {:.0} ms, the rest (paint, rendering, other work) {:.0} ms",
            loaf["frames"],
            ms(&loaf["total"]),
            ms(&loaf["script"]),
            ms(&loaf["layout"]),
            ms(&loaf["total"]) - ms(&loaf["script"]) - ms(&loaf["layout"])
        );
        let mut by: Vec<(&String, f64)> = loaf["by"]
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k, ms(v))).collect())
            .unwrap_or_default();
        by.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (invoker, total) in by.iter().take(6) {
            println!("  {total:>7.0} ms  {invoker}");
        }
    }
    let rewrites = seen["rewrites"].as_u64().expect("a count");
    (list("frames"), list("long"), rewrites)
}

#[tokio::main]
async fn main() {
    let minutes: u64 = std::env::var("WALL_MINUTES")
        .ok()
        .map(|m| m.parse().expect("WALL_MINUTES: a whole number of minutes"))
        .unwrap_or(5);
    let scratch = Scratch::new();
    let build = support::build();

    let sim_addr = format!("127.0.0.1:{}", free_port());
    let started = Instant::now();
    let _sim = Group::spawn(
        Command::new(&build.bin)
            .args([
                "sim", "--addr", &sim_addr, "--nodes", NODES, "--tasks", TASKS,
            ])
            .args(["--services", SERVICES, "--churn", CHURN, "--seed", "1"])
            .stdout(Stdio::null()),
        "`flotilla sim`",
    );
    wait_until("the simulator to answer /_ping", START_LIMIT, || async {
        match http_get(&sim_addr, "/_ping").await {
            Ok((200, _)) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let docker = format!("tcp://{sim_addr}");
    let panel = Panel::start(&build.bin, &build.site, &docker, &scratch.dir, "wall");
    // Its first page with the whole swarm, read live.
    wait_until("the panel to hold the swarm", START_LIMIT, || async {
        let (status, body) = http_get(&panel.addr, "/?kiosk=1").await?;
        let body = String::from_utf8_lossy(&body);
        match status == 200 && body.contains(r#""engine":"live""#) && body.contains("class=\"m ") {
            true => Ok(()),
            false => Err(format!("{status}, {} bytes", body.len())),
        }
    })
    .await;
    println!(
        "simulator ({NODES} nodes, {TASKS} tasks, {SERVICES} services, churn {CHURN}/s) and \
         panel up: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    page_sizes(&panel.addr).await;

    let (_driver, browser) = chromium(&scratch.dir).await;
    let client: &Client = &browser;
    let url = format!("{}?kiosk=1", panel.url);
    client.goto(&url).await.expect("load the page");
    // Returned as the navigation starts: watch the indicator as soon as the page has one,
    // long before the page can hydrate (it needs its wasm and its state parsed first).
    wait_until_every(
        "the page's connection indicator",
        START_LIMIT,
        Duration::from_millis(20),
        || async {
            let found = client
                .execute(
                    "return document.querySelector('#connection') !== null;",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            match found == json!(true) {
                true => Ok(()),
                false => Err("not yet".to_string()),
            }
        },
    )
    .await;
    let live_ms = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             const el = () => document.querySelector('#connection'); \
             const check = () => el()?.dataset.state === 'live'; \
             if (check()) { done(-performance.now()); return; } \
             new MutationObserver((_, o) => { if (check()) { o.disconnect(); \
               done(performance.now()); } }) \
               .observe(document.body, { attributes: true, subtree: true, \
                 attributeFilter: ['data-state'] });",
            vec![],
        )
        .await
        .expect("#connection[data-state=live] within the script timeout: the page never went live")
        .as_f64()
        .expect("a time");
    wait_until("the page to finish loading", START_LIMIT, || async {
        match eval(&client, "return document.readyState;").await == json!("complete") {
            true => Ok(()),
            false => Err("loading".to_string()),
        }
    })
    .await;
    let navigation = eval(
        &client,
        "const n = performance.getEntriesByType('navigation')[0]; \
         return { encoded: n.encodedBodySize, decoded: n.decodedBodySize, \
           first_byte: n.responseStart, response: n.responseEnd, \
           dcl: n.domContentLoadedEventEnd };",
    )
    .await;
    let paints = eval(
        &client,
        "return Object.fromEntries(performance.getEntriesByType('paint') \
           .map(e => [e.name, e.startTime]));",
    )
    .await;
    let paint = |name: &str| {
        paints[name]
            .as_f64()
            .unwrap_or_else(|| panic!("no {name} entry: {paints}"))
    };
    let (first_paint, first_contentful) = (paint("first-paint"), paint("first-contentful-paint"));
    let number = |key: &str| navigation[key].as_f64().unwrap_or(f64::NAN);
    println!("\n== loading, from the start of navigation");
    println!(
        "received: {} as sent (content-encoded), {} decoded; first byte at {:.0} ms \
         (the server's render), response ended at {:.0} ms, DOMContentLoaded {:.0} ms",
        kb(number("encoded") as usize),
        kb(number("decoded") as usize),
        number("first_byte"),
        number("response"),
        number("dcl")
    );
    println!(
        "first paint: {first_paint:.0} ms, first contentful paint: {first_contentful:.0} ms \
         (goal <= {FIRST_PAINT_GOAL_MS:.0} ms: {})",
        goal(first_contentful <= FIRST_PAINT_GOAL_MS)
    );
    let (live_ms, bound) = match live_ms {
        t if t < 0.0 => (-t, "at most "),
        t => (t, ""),
    };
    println!(
        "hydrated and live: {bound}{live_ms:.0} ms (goal <= {HYDRATED_GOAL_MS:.0} ms: {})",
        goal(live_ms <= HYDRATED_GOAL_MS)
    );

    fit_viewport(&client).await;
    let shown = eval(
        &client,
        "const g = document.querySelector('.grid'); const r = g.getBoundingClientRect(); \
         return { search: location.search, dense: g.classList.contains('dense'), \
           columns: g.classList.contains('cols'), labels: !g.classList.contains('nolabels'), \
           mark: getComputedStyle(g).getPropertyValue('--m').trim(), \
           nodes: document.querySelectorAll('section.node-column').length, \
           marks: document.querySelectorAll('i.m').length, \
           elements: document.getElementsByTagName('*').length, \
           bottom: Math.round(r.bottom), height: innerHeight, width: innerWidth };",
    )
    .await;
    println!("\n== what the wall shows\n{shown}");
    assert_eq!(
        shown["search"],
        json!("?kiosk=1"),
        "dense is not in the URL"
    );
    assert_eq!(
        shown["dense"],
        json!(true),
        "dense mode was not chosen automatically"
    );
    println!(
        "dense mode chosen automatically: yes; {} node boxes, {} marks, {} elements; the grid \
         ends at {} px of {} ({})",
        shown["nodes"],
        shown["marks"],
        shown["elements"],
        shown["bottom"],
        shown["height"],
        if shown["bottom"].as_f64() <= shown["height"].as_f64() {
            "fits the screen"
        } else {
            "scrolls"
        }
    );
    let dir = support::workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    let png = client.screenshot().await.expect("take a screenshot");
    std::fs::write(dir.join("wall-20k.png"), png).expect("save the screenshot");
    println!("screenshot: {}", dir.join("wall-20k.png").display());

    println!(
        "\n== frames while the churn arrives ({}s)",
        FRAME_WINDOW.as_secs()
    );
    if let Ok(css) = std::env::var("WALL_CSS") {
        // A rule tried without a rebuild of the front end, e.g.
        // `WALL_CSS='.grid.dense.cols .node-column { will-change: auto }'`.
        println!("with WALL_CSS: {css}");
        client
            .execute(
                "const s = document.createElement('style'); s.textContent = arguments[0]; \
                 document.head.append(s);",
                vec![json!(css)],
            )
            .await
            .expect("add WALL_CSS");
    }
    let (deltas, long, rewrites) = frames(&client, FRAME_WINDOW).await;
    assert!(!deltas.is_empty(), "no animation frame in {FRAME_WINDOW:?}");
    assert!(
        rewrites > 0,
        "no node box changed in {FRAME_WINDOW:?}: the churn never reached the page"
    );
    let over = deltas.iter().filter(|&&d| d > FRAME_GOAL_MS + 0.7).count();
    let max = deltas[deltas.len() - 1];
    println!(
        "{} frames: p50 {:.1} ms, p99 {:.1} ms, max {max:.1} ms; {over} over 16 ms \
         (goal: frames < {FRAME_GOAL_MS:.0} ms: {}); {rewrites} node boxes rewritten \
         ({:.1}/s)",
        deltas.len(),
        percentile(&deltas, 0.5),
        percentile(&deltas, 0.99),
        goal(over == 0),
        rewrites as f64 / FRAME_WINDOW.as_secs_f64()
    );
    if !long.is_empty() || eval(&client, "return window.__wall.longtask;").await == json!(true) {
        println!(
            "long tasks (> 50 ms): {}, {:.0} ms in all, longest {:.0} ms",
            long.len(),
            long.iter().sum::<f64>(),
            long.last().copied().unwrap_or(0.0)
        );
    }

    println!(
        "\n== JS heap every {}s for {minutes} min",
        HEAP_EVERY.as_secs()
    );
    let heap = "window.gc(); return performance.memory.usedJSHeapSize;";
    let mut samples = vec![eval_f64(&client, heap).await];
    let until = Instant::now() + Duration::from_secs(60 * minutes);
    while Instant::now() < until {
        tokio::time::sleep(HEAP_EVERY).await; // the sampling period
        samples.push(eval_f64(&client, heap).await);
        println!(
            "{:>4}s: {:.1} MB",
            HEAP_EVERY.as_secs() * (samples.len() as u64 - 1),
            samples[samples.len() - 1] / 1e6
        );
    }
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    let peak = samples.iter().copied().fold(f64::MIN, f64::max);
    let growth = (last - first) / first;
    println!(
        "first {:.1} MB, last {:.1} MB, max {:.1} MB: {:+.0}% (goal: flat, within 10%: {})",
        first / 1e6,
        last / 1e6,
        peak / 1e6,
        growth * 100.0,
        goal(growth.abs() <= 0.10)
    );
    let (status, metrics) = http_get(&panel.addr, "/metrics")
        .await
        .expect("GET /metrics");
    assert_eq!(status, 200, "GET /metrics");
    let metrics = String::from_utf8_lossy(&metrics);
    let sent: Vec<&str> = metrics
        .lines()
        .filter(|l| {
            ["deltas_sent", "snapshots_sent", "resyncs"]
                .iter()
                .any(|m| l.starts_with(&format!("flotilla_{m}")))
        })
        .collect();
    println!(
        "\n== what the panel sent (its /metrics, the whole run)\n{}",
        sent.join("\n")
    );
    browser.close().await;
}
