//! The live cluster view in a real headless Chromium, against the real flotilla binary and a
//! real four-node lab (Docker-in-Docker on the host engine). Nothing is mocked.
//!
//! A. JavaScript off: the server-rendered page shows the lab's four nodes as columns and the
//!    six running echo tasks as cards.
//! B. JavaScript on: the page hydrates and goes live; `docker service scale echo=3` done
//!    outside the panel shows as exactly 3 running echo cards, without a reload.
//! C. A panel whose engine link goes through a proxy: cutting it turns the indicator stale,
//!    restoring it turns it live again.
//! D. A 1920x1080 wall screen (`?kiosk=1`, dense too, and the plain page) with five services
//!    in three stacks: the node columns fill the width, and every service's colour is at
//!    least 60° of hue from every other's (the palette's promise up to six services).
//!    Screenshots are saved in target/screenshots/ for a person to judge.
//!
//! One test runs the scenarios in sequence, so they share one lab (tests in one binary run in
//! parallel). Every wait is on a condition with a deadline; the durations printed are figures
//! for the reader, never asserted.

#[allow(dead_code)] // each test binary uses its own part of the support code
mod support;

use bollard::Docker;
use bollard::models::{
    ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated, TaskSpec, TaskSpecContainerSpec,
};
use bollard::query_parameters::UpdateServiceOptions;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use support::browser::{Browser, Driver};
use support::lab::Lab;
use support::panel::Panel;
use support::swarm::{DOCKER_LIMIT, LIMIT, live, running_echo_tasks};
use support::{Proxy, Scratch, wait_until};

const LAB_NAME: &str = "flotilla-e2e-lab";
const LAB_API_PORT: u16 = 23770;
const LAB_REGISTRY_PORT: u16 = 5002;
const LAB_NODES: [&str; 4] = ["manager", "worker01", "worker02", "worker03"];
const IMAGE: &str = "registry:5000/example/echo:latest";

const ECHO_CARDS: &str = r#"article.task-card[data-service="echo"]"#;
const RUNNING_ECHO_CARDS: &str = r#"article.task-card[data-service="echo"][data-state="running"]"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_live_cluster_view_in_chromium() {
    // Declared first, dropped last: the logs outlive every process that writes them.
    let scratch = Scratch::new();
    let build = support::build();

    let started = Instant::now();
    let lab = Lab::up(&build.bin, LAB_NAME, LAB_API_PORT, LAB_REGISTRY_PORT).await;
    println!("lab up: {:.1?}", started.elapsed());
    let docker = lab.clean_manager().await;

    let started = Instant::now();
    docker
        .create_service(echo(6), None)
        .await
        .expect("create the echo service");
    wait_until(
        "Docker to report 6 running echo tasks",
        DOCKER_LIMIT,
        || running_echo_tasks(&docker, 6),
    )
    .await;
    println!("echo with 6 replicas running: {:.1?}", started.elapsed());

    let panel = Panel::start(
        &build.bin,
        &build.site,
        &lab.manager,
        &scratch.dir,
        "direct",
    );
    let driver = Driver::start(&scratch.dir).await;

    scenario_a_without_javascript(&driver, &panel, &build.site).await;
    scenario_b_live_update(&driver, &panel, &docker).await;
    scenario_d_wall_screen(&driver, &panel, &docker).await;
    drop(panel);
    scenario_c_engine_cut(&driver, &build, &lab, &scratch).await;

    drop(driver);
    drop(lab);
}

/// A: everything must be in the server's HTML.
async fn scenario_a_without_javascript(driver: &Driver, panel: &Panel, site: &std::path::Path) {
    let browser = driver.browser(false).await;
    let started = Instant::now();
    browser.goto(&panel.url).await.expect("load the page");
    println!(
        "A: page loaded without JavaScript: {:.1?}",
        started.elapsed()
    );

    assert!(
        !browser.page_scripts_ran().await.expect("probe scripts"),
        "JavaScript was meant to be off, but the page's scripts ran"
    );
    // Only a hydrated page, with its websocket open, can say live.
    let state = browser.connection().await.unwrap();
    assert_ne!(state, "live", "a page without JavaScript claims to be live");
    println!("A: #connection data-state without JavaScript: {state}");

    let mut columns = browser
        .attributes("section.node-column", "data-node")
        .await
        .unwrap();
    columns.sort();
    assert_eq!(
        columns, LAB_NODES,
        "one column per lab node, none unassigned"
    );
    let states = browser.attributes(ECHO_CARDS, "data-state").await.unwrap();
    assert_eq!(
        states, ["running"; 6],
        "6 running echo cards in the server's HTML"
    );
    assert_eq!(
        browser
            .attributes("tr.service", "data-service")
            .await
            .unwrap(),
        ["echo"]
    );
    let mut hostnames = browser.texts("tr.node td.hostname").await.unwrap();
    hostnames.sort();
    assert_eq!(hostnames, LAB_NODES);
    // Column per node, card per task: every card sits in a node column.
    let placed = browser.columns_of(ECHO_CARDS).await;
    assert!(
        placed.iter().all(|n| LAB_NODES.contains(&n.as_str())),
        "cards outside the node columns: {placed:?}"
    );
    println!("A: echo cards per node: {placed:?}");

    front_end_files_present(&browser, site).await;
    browser.close().await;
}

/// The page must be able to hydrate: every file under /pkg it asks for exists in the site
/// root. A server built by plain cargo asks for pkg/flotilla_bg.wasm, one built by
/// cargo-leptos for pkg/flotilla.wasm; mixing the two builds leaves a page that never
/// hydrates, which would otherwise show up only as a timeout in scenario B.
async fn front_end_files_present(browser: &Browser, site: &std::path::Path) {
    let hrefs = browser
        .attributes(r#"link[href^="/pkg/"]"#, "href")
        .await
        .unwrap();
    assert!(
        hrefs.iter().any(|h| h.ends_with(".wasm")),
        "the page preloads no wasm: {hrefs:?}"
    );
    for href in hrefs {
        let file = site.join(href.trim_start_matches('/'));
        assert!(
            file.is_file(),
            "the page asks for {href}, but {} does not exist: the binary and the front end \
             come from different builds. Build both the way scripts/test.sh does \
             (scripts/build-front.sh, then cargo build -p flotilla-server), or both with \
             cargo leptos build",
            file.display()
        );
    }
}

/// B: hydrated, live, and a change made outside the panel arrives without a reload.
async fn scenario_b_live_update(driver: &Driver, panel: &Panel, docker: &Docker) {
    let browser = driver.browser(true).await;
    let started = Instant::now();
    browser.goto(&panel.url).await.expect("load the page");
    wait_until("#connection[data-state=live]", LIMIT, || async {
        live(&browser).await
    })
    .await;
    println!("B: page load to live: {:.1?}", started.elapsed());
    assert!(
        browser.page_scripts_ran().await.unwrap(),
        "the JavaScript probe says no scripts ran on a live page: it proves nothing in A"
    );
    assert_eq!(browser.count(RUNNING_ECHO_CARDS).await.unwrap(), 6);

    // Anything stored on `window` is lost if the page reloads.
    browser
        .eval("window.__flotillaE2eNoReload = true; return null;", vec![])
        .await
        .unwrap();

    let scaled = Instant::now();
    scale_echo(docker, 3).await;
    wait_until("exactly 3 running echo cards", LIMIT, || {
        browser.count_is(RUNNING_ECHO_CARDS, 3)
    })
    .await;
    println!(
        "B: `service scale echo=3` to 3 cards on screen: {:.1?}",
        scaled.elapsed()
    );
    assert_eq!(
        browser
            .eval("return window.__flotillaE2eNoReload === true;", vec![])
            .await
            .unwrap(),
        json!(true),
        "the page reloaded"
    );
    assert_eq!(browser.connection().await.unwrap(), "live");
    wait_until(
        "Docker to report 3 running echo tasks",
        DOCKER_LIMIT,
        || running_echo_tasks(docker, 3),
    )
    .await;

    // Clicking a service in the table highlights its tasks in the grid, and the choice is
    // kept in the URL so a wall screen can be bookmarked with it.
    browser
        .eval(
            r#"document.querySelector('tr.service[data-service="echo"] a').click(); return null;"#,
            vec![],
        )
        .await
        .unwrap();
    wait_until("echo's 3 cards highlighted", LIMIT, || async {
        let lit = browser
            .count(r#"article.task-card.highlight[data-service="echo"]"#)
            .await?;
        let url: String = browser
            .eval("return location.search;", vec![])
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string();
        if lit == 3 && url.contains("service=echo") {
            Ok(())
        } else {
            Err(format!("{lit} highlighted cards, query {url:?}"))
        }
    })
    .await;

    // A toggle is a GET form; with scripts a click shows the view in place (no reload) and
    // keeps it in the URL: grouped by stack, the cards sit under their stack's heading.
    browser
        .eval(
            r#"Array.from(document.querySelectorAll('nav.toggles button'))
                 .find(b => b.textContent === 'group by stack').click(); return null;"#,
            vec![],
        )
        .await
        .unwrap();
    wait_until("the cards grouped by stack", LIMIT, || async {
        let headings = browser.texts("h3.stack-heading").await?;
        let url = browser.eval("return location.search;", vec![]).await?;
        let url = url.as_str().unwrap_or_default();
        if !headings.is_empty()
            && headings.iter().all(|h| h == "no stack")
            && url.contains("group=stack")
        {
            Ok(())
        } else {
            Err(format!("headings {headings:?}, query {url:?}"))
        }
    })
    .await;
    assert_eq!(
        browser
            .eval("return window.__flotillaE2eNoReload === true;", vec![])
            .await
            .unwrap(),
        json!(true),
        "the toggle reloaded the page"
    );
    browser.close().await;
}

/// C: the panel's engine link is cut and restored while a browser watches.
async fn scenario_c_engine_cut(
    driver: &Driver,
    build: &support::Build,
    lab: &Lab,
    scratch: &Scratch,
) {
    let manager = lab.manager.trim_start_matches("tcp://");
    let mut proxy = Proxy::to_tcp(manager).await;
    let panel = Panel::start(
        &build.bin,
        &build.site,
        &proxy.docker_address(),
        &scratch.dir,
        "proxied",
    );
    let browser = driver.browser(true).await;
    let started = Instant::now();
    browser.goto(&panel.url).await.expect("load the page");
    wait_until("live through the proxy", LIMIT, || async {
        live(&browser).await
    })
    .await;
    println!(
        "C: page load to live (through the proxy): {:.1?}",
        started.elapsed()
    );

    proxy.cut().await;
    let cut = Instant::now();
    wait_until("#connection[data-state=stale]", LIMIT, || async {
        let state = browser.connection().await?;
        if state == "stale" {
            Ok(())
        } else {
            Err(format!("data-state={state}"))
        }
    })
    .await;
    println!("C: engine cut to stale on screen: {:.1?}", cut.elapsed());
    let text = browser.texts("#connection").await.unwrap();
    println!("C: the indicator says: {text:?}");

    proxy.restore().await;
    let restored = Instant::now();
    wait_until("#connection[data-state=live] again", LIMIT, || async {
        live(&browser).await
    })
    .await;
    println!(
        "C: engine restored to live on screen: {:.1?}",
        restored.elapsed()
    );
    browser.close().await;
}

/// The services scenario D adds to echo (left at 3 replicas by B): (name, stack, replicas).
const WALL_SERVICES: [(&str, &str, i64); 4] = [
    ("webapi_proxy", "webapi", 2),
    ("webapi_api", "webapi", 3),
    ("ops_visualizer", "ops", 1),
    ("demo_web", "demo", 2),
];
/// Running tasks as cards, or as marks in dense mode.
const RUNNING_CARDS: &str = r#"article.task-card[data-state="running"], i.m.run"#;
/// What the palette promises up to six services (app/src/view/palette.rs).
const LEAST_HUE_GAP: u16 = 60;

/// D: a 1920x1080 wall screen, as a new user sees it.
async fn scenario_d_wall_screen(driver: &Driver, panel: &Panel, docker: &Docker) {
    for (name, stack, replicas) in WALL_SERVICES {
        docker
            .create_service(service(name, Some(stack), replicas), None)
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
    }
    let cards = 3 + WALL_SERVICES.iter().map(|s| s.2).sum::<i64>() as usize;

    let browser = driver.browser(true).await;
    for (page, query, file) in [
        ("wall screen", "/?kiosk=1", "wall-1920x1080.png"),
        (
            "dense wall screen",
            "/?kiosk=1&dense=1",
            "wall-dense-1920x1080.png",
        ),
        ("plain page", "/", "page-1920x1080.png"),
    ] {
        browser
            .goto(&format!("{}{query}", panel.url.trim_end_matches('/')))
            .await
            .expect("load the page");
        wait_until("live", LIMIT, || live(&browser)).await;
        viewport(&browser, 1920, 1080).await;
        // Docker pulls and starts the new tasks meanwhile: the page is what is waited on.
        wait_until(&format!("{cards} running cards"), DOCKER_LIMIT, || {
            browser.count_is(RUNNING_CARDS, cards)
        })
        .await;

        let layout = browser
            .eval(
                "const cols = Array.from(document.querySelectorAll('section.node-column'), \
                   c => c.getBoundingClientRect()); \
                 return { width: document.documentElement.clientWidth, \
                   height: window.innerHeight, \
                   kiosk: document.querySelector('.kiosk') !== null, \
                   left: Math.min(...cols.map(r => r.left)), \
                   right: Math.max(...cols.map(r => r.right)), \
                   tops: cols.map(r => Math.round(r.top)), \
                   widths: cols.map(r => Math.round(r.width)) };",
                vec![],
            )
            .await
            .expect("measure the columns");
        println!("D: {page} at 1920x1080: {layout}");
        let number = |key: &str| layout[key].as_f64().unwrap_or(f64::NAN);
        assert_eq!(
            layout["kiosk"],
            json!(query.contains("kiosk")),
            "{page}: kiosk layout"
        );
        assert_eq!(
            layout["tops"].as_array().map(Vec::len),
            Some(LAB_NODES.len()),
            "{page}: a column per node"
        );
        // Four columns fit side by side at this width: one row, spanning it.
        let tops = layout["tops"].as_array().cloned().unwrap_or_default();
        assert!(
            tops.windows(2).all(|w| w[0] == w[1]),
            "{page}: columns on several rows: {layout}"
        );
        assert!(
            number("right") > 0.9 * number("width") && number("left") < 0.1 * number("width"),
            "{page}: the node columns leave the screen's width empty: {layout}"
        );

        let colours = service_colours(&browser).await;
        println!("D: {page}: colours by service: {colours:?}");
        assert_eq!(
            colours.len(),
            1 + WALL_SERVICES.len(),
            "{page}: {colours:?}"
        );
        let mut borders: Vec<&str> = colours
            .values()
            .map(|(_, border)| border.as_str())
            .collect();
        borders.sort();
        borders.dedup();
        assert_eq!(
            borders.len(),
            colours.len(),
            "{page}: two services' cards look alike: {colours:?}"
        );
        for (a, (hue_a, _)) in &colours {
            for (b, (hue_b, _)) in &colours {
                let gap = hue_a.abs_diff(*hue_b).min(360 - hue_a.abs_diff(*hue_b));
                assert!(
                    a == b || gap >= LEAST_HUE_GAP,
                    "{page}: {a} ({hue_a}) and {b} ({hue_b}) are {gap}° apart"
                );
            }
        }

        let dir = support::workspace().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("create target/screenshots");
        let png = browser.screenshot().await.expect("take a screenshot");
        let path = dir.join(file);
        std::fs::write(&path, png).expect("save the screenshot");
        println!("D: {page} screenshot: {}", path.display());
    }
    browser.close().await;
}

/// Sizes the window so that the page itself gets `width` x `height` pixels, as on a wall
/// screen in kiosk mode: WebDriver sizes the whole window, and even a headless one keeps
/// some of it for its own frame. (Here, not in support/browser.rs, which other tests share.)
async fn viewport(browser: &Browser, width: u32, height: u32) {
    browser
        .set_window_size(width, height)
        .await
        .expect("size the window");
    let frame = browser
        .eval(
            "return [window.outerWidth - window.innerWidth, \
               window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .expect("measure the window's frame");
    let frame: (u32, u32) = serde_json::from_value(frame.clone())
        .unwrap_or_else(|e| panic!("the window's frame, {frame}: {e}"));
    browser
        .set_window_size(width + frame.0, height + frame.1)
        .await
        .expect("size the window");
}

/// Each service's card colour as the browser computed it: `--svc-hue` and the left border's
/// colour (what the eye sees), the same on every running card of the service (else a panic).
/// A dense mark names its service only in its title (`service.slot · ...`).
async fn service_colours(browser: &Browser) -> BTreeMap<String, (u16, String)> {
    let seen = browser
        .eval(
            "return Array.from(document.querySelectorAll(arguments[0]), c => { \
               const s = getComputedStyle(c); \
               const service = c.dataset.service \
                 ?? c.title.split(' · ')[0].replace(/\\.\\d+$/, ''); \
               return [service, s.getPropertyValue('--svc-hue').trim(), \
                 s.borderLeftColor]; });",
            vec![json!(RUNNING_CARDS)],
        )
        .await
        .expect("read the cards' colours");
    let seen: Vec<(String, String, String)> =
        serde_json::from_value(seen.clone()).unwrap_or_else(|e| panic!("{e}: {seen}"));
    let mut colours = BTreeMap::new();
    for (service, hue, border) in seen {
        let hue: u16 = hue
            .parse()
            .unwrap_or_else(|e| panic!("{service}: --svc-hue {hue:?}: {e}"));
        let before = colours.insert(service.clone(), (hue, border.clone()));
        assert!(
            before.is_none_or(|b| b == (hue, border)),
            "{service}'s cards differ in colour"
        );
    }
    colours
}

fn echo(replicas: i64) -> ServiceSpec {
    service("echo", None, replicas)
}

/// A replicated service of the lab's echo image, in `stack` (by its label, as `docker stack
/// deploy` marks them) if given.
fn service(name: &str, stack: Option<&str>, replicas: i64) -> ServiceSpec {
    ServiceSpec {
        name: Some(name.into()),
        labels: stack.map(|stack| {
            HashMap::from([("com.docker.stack.namespace".to_string(), stack.to_string())])
        }),
        mode: Some(ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated {
                replicas: Some(replicas),
            }),
            ..Default::default()
        }),
        task_template: Some(TaskSpec {
            container_spec: Some(TaskSpecContainerSpec {
                image: Some(IMAGE.into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `docker service scale echo=N`: the service's spec with new replicas, at its version.
async fn scale_echo(docker: &Docker, replicas: i64) {
    let service = docker
        .inspect_service("echo", None)
        .await
        .expect("inspect echo");
    let version = service
        .version
        .and_then(|v| v.index)
        .expect("the service's version");
    let mut spec = service.spec.expect("the service's spec");
    spec.mode
        .as_mut()
        .and_then(|m| m.replicated.as_mut())
        .expect("a replicated service")
        .replicas = Some(replicas);
    docker
        .update_service(
            "echo",
            spec,
            UpdateServiceOptions {
                version: i32::try_from(version).expect("version fits"),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("scale echo");
}
