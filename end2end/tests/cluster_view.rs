//! The live cluster view in a real Chromium, against a real multi-node lab:
//! A. with JavaScript off, the server-rendered page shows the lab's nodes and tasks;
//! B. with JavaScript, `docker service scale echo=3` done outside the panel shows 3 cards
//!    without a reload;
//! C. when the panel loses the engine the indicator says stale, and live again after.
//! One test, scenarios in sequence, so they share one lab.

mod support;

use bollard::Docker;
use bollard::models::{
    ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated, TaskSpec, TaskSpecContainerSpec,
};
use bollard::query_parameters::{ListTasksOptions, UpdateServiceOptions};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::browser::{Driver, attributes, count};
use support::{Lab, Panel, Proxy, wait_until};

const LIMIT: Duration = Duration::from_secs(120);
const RUNNING_ECHO: &str = r#"article.task-card[data-service="echo"][data-state="running"]"#;

async fn running_tasks(docker: &Docker) -> usize {
    let filters = HashMap::from([
        ("service".to_string(), vec!["echo".to_string()]),
        ("desired-state".to_string(), vec!["running".to_string()]),
    ]);
    let tasks = docker
        .list_tasks(Some(ListTasksOptions {
            filters: Some(filters),
        }))
        .await
        .unwrap_or_default();
    tasks
        .iter()
        .filter(|t| {
            t.status.as_ref().and_then(|s| s.state) == Some(bollard::models::TaskState::RUNNING)
        })
        .count()
}

async fn scale(docker: &Docker, replicas: i64) {
    let service = docker
        .inspect_service("echo", None)
        .await
        .expect("inspect echo");
    let version = service.version.and_then(|v| v.index).expect("version") as i32;
    let mut spec = service.spec.expect("spec");
    spec.mode
        .as_mut()
        .and_then(|m| m.replicated.as_mut())
        .expect("replicated")
        .replicas = Some(replicas);
    docker
        .update_service(
            "echo",
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

async fn indicator(client: &fantoccini::Client) -> String {
    attributes(client, "#connection", "data-state")
        .await
        .pop()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_cluster_view_in_chromium() {
    let (bin, site) = support::built();
    let lab = Lab::up(&bin, "flotilla-e2e-lab", 23770, 5002);
    let docker = Docker::connect_with_http(
        &format!("tcp://{}", lab.manager),
        120,
        bollard::API_DEFAULT_VERSION,
    )
    .expect("manager address")
    .negotiate_version()
    .await
    .expect("lab manager");
    let echo = ServiceSpec {
        name: Some("echo".into()),
        mode: Some(ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated { replicas: Some(6) }),
            ..Default::default()
        }),
        task_template: Some(TaskSpec {
            container_spec: Some(TaskSpecContainerSpec {
                image: Some("registry:5000/example/echo:latest".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    docker
        .create_service(echo, None)
        .await
        .expect("create echo");
    wait_until("6 running echo tasks", LIMIT, || async {
        (running_tasks(&docker).await == 6).then_some(())
    })
    .await;

    let panel = Panel::start(&bin, &site, &format!("tcp://{}", lab.manager));
    let driver = Driver::start().await;

    // A: JavaScript off. Everything must be in the server's HTML.
    let client = driver.browser(false).await;
    client.goto(&panel.url).await.expect("load page");
    let mut nodes = attributes(&client, "section.node-column", "data-node").await;
    nodes.sort();
    assert_eq!(nodes, ["manager", "worker01", "worker02", "worker03"]);
    assert_eq!(
        count(&client, RUNNING_ECHO).await,
        6,
        "6 running echo cards in the server-rendered page"
    );
    assert_eq!(
        attributes(&client, "tr.service", "data-service").await,
        ["echo"]
    );
    // With scripts running, the indicator would have gone live by now.
    assert_eq!(
        indicator(&client).await,
        "connecting",
        "JavaScript was not off"
    );
    client.close().await.expect("close");

    // B: JavaScript on: hydrated, live, and scaling outside the panel shows up.
    let client = driver.browser(true).await;
    let started = Instant::now();
    client.goto(&panel.url).await.expect("load page");
    wait_until("the indicator to show live", LIMIT, || async {
        (indicator(&client).await == "live").then_some(())
    })
    .await;
    println!("page load to live: {:?}", started.elapsed());
    let scaled = Instant::now();
    scale(&docker, 3).await;
    wait_until("3 running echo cards", LIMIT, || async {
        let cards = count(&client, RUNNING_ECHO).await;
        (cards == 3).then_some(())
    })
    .await;
    println!("scale echo=3 to 3 cards on screen: {:?}", scaled.elapsed());
    // Clicking a service highlights its tasks (and the choice lands in the URL).
    client
        .find(fantoccini::Locator::Css(
            r#"tr.service[data-service="echo"] a"#,
        ))
        .await
        .expect("echo link")
        .click()
        .await
        .expect("click");
    wait_until("echo's cards to be highlighted", LIMIT, || async {
        (count(
            &client,
            r#"article.task-card.highlight[data-service="echo"]"#,
        )
        .await
            == 3)
            .then_some(())
    })
    .await;
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .as_str()
            .contains("service=echo")
    );
    client.close().await.expect("close");

    // C: the panel loses the engine (its connection is cut), then gets it back.
    let mut proxy = Proxy::start(&lab.manager).await;
    let proxied = Panel::start(&bin, &site, &format!("tcp://127.0.0.1:{}", proxy.port));
    let client = driver.browser(true).await;
    client.goto(&proxied.url).await.expect("load page");
    wait_until("live through the proxy", LIMIT, || async {
        (indicator(&client).await == "live").then_some(())
    })
    .await;
    proxy.cut().await;
    let cut = Instant::now();
    wait_until("the indicator to show stale", LIMIT, || async {
        (indicator(&client).await == "stale").then_some(())
    })
    .await;
    println!("engine cut to stale on screen: {:?}", cut.elapsed());
    let text = client
        .find(fantoccini::Locator::Css("#connection .text"))
        .await
        .expect("text")
        .text()
        .await
        .expect("text");
    assert!(text.starts_with("stale since"), "{text}");
    proxy.restore().await;
    wait_until("live again", LIMIT, || async {
        (indicator(&client).await == "live").then_some(())
    })
    .await;
    client.close().await.expect("close");
    drop(lab);
}
