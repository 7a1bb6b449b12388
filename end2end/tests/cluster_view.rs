//! The live cluster view in a real headless Chromium, against the real flotilla binary and a
//! real four-node lab (Docker-in-Docker on the host engine). Nothing is mocked.
//!
//! A. JavaScript off: the server-rendered page shows the lab's four nodes as columns and the
//!    six running echo tasks as cards.
//! B. JavaScript on: the page hydrates and goes live; `docker service scale echo=3` done
//!    outside the panel shows as exactly 3 running echo cards, without a reload.
//! C. A panel whose engine link goes through a proxy: cutting it turns the indicator stale,
//!    restoring it turns it live again.
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

fn echo(replicas: i64) -> ServiceSpec {
    ServiceSpec {
        name: Some("echo".into()),
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
