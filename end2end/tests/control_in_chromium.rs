//! Point-and-click control in a real headless Chromium, against the real flotilla binary and
//! a real four-node lab. Nothing is mocked; every step is done in the page, and checked both
//! in the page and with Docker itself.
//!
//! Log in with the admin token; the create form refuses bad input in the browser (nothing is
//! sent); a service whose image does not exist shows Docker's error; create `echo` from
//! `registry:5000/example/echo:latest` (offered from the lab registry's catalog) with 6
//! replicas and see the progress reach 6 out of 6 and the cards land on the lab's nodes; drain worker01 and see its tasks move to the other nodes; scale
//! to 2; create and remove an overlay network; remove the service (after confirming); read
//! the audit log in the page.
//!
//! worker01 is drained while the service still has 6 tasks: spread over four nodes, it then
//! surely holds some, so "its tasks move" is a statement about tasks that exist (after a
//! scale to 2 it may hold none).

#[allow(dead_code)] // each test binary uses its own part of the support code
mod support;

use bollard::Docker;
use bollard::models::NodeSpecAvailabilityEnum;
use fantoccini::Locator;
use serde_json::json;
use std::time::Instant;
use support::browser::Browser;
use support::browser::Driver;
use support::lab::Lab;
use support::panel::Panel;
use support::swarm::{DOCKER_LIMIT, LIMIT, live, remove_every_service, running_echo_tasks};
use support::{Scratch, wait_until};

const LAB_NAME: &str = "flotilla-e2e-control-lab";
const LAB_API_PORT: u16 = 23790;
const LAB_REGISTRY_PORT: u16 = 5004;
const LAB_NODES: [&str; 4] = ["manager", "worker01", "worker02", "worker03"];
const IMAGE: &str = "registry:5000/example/echo:latest";
const TOKEN: &str = "e2e-admin-token-0123456789";

const RUNNING_ECHO_CARDS: &str = r#"article.task-card[data-service="echo"][data-state="running"]"#;

#[tokio::test(flavor = "multi_thread")]
async fn point_and_click_control_in_chromium() {
    let scratch = Scratch::new();
    let build = support::build();
    let lab = Lab::up(&build.bin, LAB_NAME, LAB_API_PORT, LAB_REGISTRY_PORT).await;
    let docker = Docker::connect_with_http(&lab.manager, 120, bollard::API_DEFAULT_VERSION)
        .expect("the lab manager's address")
        .negotiate_version()
        .await
        .expect("the lab manager answers");
    remove_every_service(&docker).await;
    let registry = format!("127.0.0.1:{LAB_REGISTRY_PORT}");
    let panel = Panel::start_with(
        &build.bin,
        &build.site,
        &lab.manager,
        &scratch.dir,
        "control",
        &[
            "--registry",
            &registry,
            "--registry-prefix",
            "registry:5000",
        ],
        &[("FLOTILLA_ADMIN_TOKEN", TOKEN)],
    );
    let driver = Driver::start(&scratch.dir).await;
    let browser = driver.browser(true).await;
    browser.goto(&panel.url).await.expect("load the page");
    wait_until("the page to go live", LIMIT, || live(&browser)).await;

    log_in(&browser).await;
    bad_input_stays_in_the_browser(&browser, &panel).await;
    a_failing_service_says_why(&browser, &docker).await;
    create_echo(&browser, &docker).await;
    drain_worker01(&browser, &docker).await;
    scale_to_2(&browser, &docker).await;
    a_bad_update_pauses_and_rolls_back(&browser, &docker).await;
    network_round_trip(&browser, &docker).await;
    remove_service(&browser, &docker, "echo").await;
    audit_log_in_the_page(&browser).await;

    browser.close().await;
    drop(driver);
    drop(panel);
    drop(lab);
}

/// Clicks the element as a user would, once it is scrolled to the middle of the window (the
/// sticky top bar would take a click at the very top).
async fn click(browser: &Browser, css: &str) {
    browser
        .eval(
            "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'}); return null;",
            vec![json!(css)],
        )
        .await
        .expect("scroll into view");
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Replaces what an input holds with `text`, typed as a user would.
async fn fill(browser: &Browser, css: &str, text: &str) {
    let input = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
    input.clear().await.expect("clear the input");
    input.send_keys(text).await.expect("type into the input");
}

/// Hostname of the node column each running echo card sits in.
async fn echo_placement(browser: &Browser) -> Vec<String> {
    let placed = browser
        .eval(
            "return Array.from(document.querySelectorAll(arguments[0]), \
             c => c.closest('section.node-column')?.dataset.node ?? '');",
            vec![json!(RUNNING_ECHO_CARDS)],
        )
        .await
        .unwrap();
    serde_json::from_value(placed).unwrap()
}

async fn log_in(browser: &Browser) {
    wait_until("the log-in form", LIMIT, || {
        browser.count_is("form.login", 1)
    })
    .await;
    assert_eq!(
        browser.count("section.create-service").await.unwrap(),
        0,
        "the create form is offered before logging in"
    );
    fill(
        browser,
        "form.login input[name=token]",
        "not-the-token-at-all",
    )
    .await;
    click(browser, "form.login button[type=submit]").await;
    wait_until("the wrong token to be refused", LIMIT, || {
        browser.count_is("form.login .outcome.failed", 1)
    })
    .await;
    fill(browser, "form.login input[name=token]", TOKEN).await;
    click(browser, "form.login button[type=submit]").await;
    wait_until("the admin role in the top bar", LIMIT, || {
        browser.count_is(r#".session .role[data-role="admin"]"#, 1)
    })
    .await;
    let cookie_visible = browser
        .eval(
            "return document.cookie.includes('flotilla_session');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        cookie_visible,
        json!(false),
        "the session cookie is readable by scripts"
    );
}

async fn bad_input_stays_in_the_browser(browser: &Browser, panel: &Panel) {
    click(browser, "section.create-service summary").await;
    wait_until("the lab registry's image offered", LIMIT, || async {
        let offered = browser
            .attributes("#registry-images option", "value")
            .await?;
        if offered.iter().any(|i| i == IMAGE) {
            Ok(())
        } else {
            Err(format!("offered: {offered:?}"))
        }
    })
    .await;
    fill(browser, "#f-name", "bad name!").await;
    fill(browser, "#f-image", "UPPER/case").await;
    fill(browser, "#f-replicas", "-1").await;
    click(browser, ".service-form button[type=submit]").await;
    for field in ["name", "image", "replicas"] {
        let css = format!(r#".field-error[data-field="{field}"]"#);
        wait_until(&css, LIMIT, || browser.count_is(&css, 1)).await;
    }
    println!(
        "refused in the browser: {:?}",
        browser.texts(".field-error").await.unwrap()
    );
    let audit = std::fs::read_to_string(&panel.audit).unwrap_or_default();
    assert!(
        !audit.contains("service.create"),
        "invalid input reached the server: {audit}"
    );
}

/// An image the registry does not have: the tasks are rejected, and the panel says so with
/// Docker's error text; then the service is removed from the panel.
async fn a_failing_service_says_why(browser: &Browser, docker: &Docker) {
    fill(browser, "#f-name", "ghost").await;
    fill(browser, "#f-image", "registry:5000/example/nope:latest").await;
    fill(browser, "#f-replicas", "1").await;
    click(browser, ".service-form button[type=submit]").await;
    wait_until("the verdict to name the failure", DOCKER_LIMIT, || async {
        let verdict = browser.texts(r#".verdict[data-verdict="trouble"]"#).await?;
        let failures = browser.texts(".service-panel .failure").await?;
        if verdict
            .iter()
            .chain(&failures)
            .any(|t| t.contains("No such image"))
        {
            Ok(())
        } else {
            Err(format!("verdict {verdict:?}, failures {failures:?}"))
        }
    })
    .await;
    println!(
        "ghost: {:?}",
        browser.texts(".service-panel .verdict").await.unwrap()
    );
    remove_service(browser, docker, "ghost").await;
}

async fn create_echo(browser: &Browser, docker: &Docker) {
    fill(browser, "#f-name", "echo").await;
    fill(browser, "#f-image", IMAGE).await;
    fill(browser, "#f-replicas", "6").await;
    assert_eq!(
        browser.count(".field-error").await.unwrap(),
        0,
        "errors left once the fields are right"
    );
    let started = Instant::now();
    click(browser, ".service-form button[type=submit]").await;
    wait_until("the progress to reach 6 out of 6", DOCKER_LIMIT, || {
        browser.text_is(
            ".service-panel .overall",
            "overall progress: 6 out of 6 tasks",
        )
    })
    .await;
    wait_until("verify: Service converged", LIMIT, || {
        browser.text_is(
            r#".verdict[data-verdict="converged"]"#,
            "verify: Service converged",
        )
    })
    .await;
    println!(
        "create → 6/6 converged in the page: {:.1?}",
        started.elapsed()
    );
    wait_until("6 running echo cards", LIMIT, || {
        browser.count_is(RUNNING_ECHO_CARDS, 6)
    })
    .await;
    let placed = echo_placement(browser).await;
    assert!(
        placed.iter().all(|n| LAB_NODES.contains(&n.as_str())),
        "cards outside the lab's node columns: {placed:?}"
    );
    println!("echo cards per node: {placed:?}");
    running_echo_tasks(docker, 6)
        .await
        .expect("Docker agrees: 6 running");
    let spec = docker
        .inspect_service("echo", None)
        .await
        .unwrap()
        .spec
        .unwrap();
    let image = spec
        .task_template
        .unwrap()
        .container_spec
        .unwrap()
        .image
        .unwrap();
    assert!(image.starts_with(IMAGE), "Docker holds image {image}");
}

/// Chooses `value` in the node's availability select and waits for the table to show `shown`.
async fn set_availability(browser: &Browser, node: &str, value: &str, shown: &str) {
    let css = format!(r#"tr.node[data-node="{node}"] select[name=availability]"#);
    browser
        .find(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .select_by_value(value)
        .await
        .expect("choose the availability");
    let cell = format!(r#"tr.node[data-node="{node}"] td:nth-child(4)"#);
    wait_until(&format!("{node} to show {shown}"), LIMIT, || {
        browser.text_is(&cell, shown)
    })
    .await;
}

async fn drain_worker01(browser: &Browser, docker: &Docker) {
    let before = echo_placement(browser).await;
    let on_worker01 = before.iter().filter(|n| *n == "worker01").count();
    assert!(
        on_worker01 > 0,
        "worker01 holds no echo task to move: {before:?}"
    );
    let started = Instant::now();
    set_availability(browser, "worker01", "drain", "Drain").await;
    wait_until(
        "6 running echo cards, none on worker01",
        DOCKER_LIMIT,
        || async {
            let placed = echo_placement(browser).await;
            if placed.len() == 6 && !placed.iter().any(|n| n == "worker01") {
                Ok(())
            } else {
                Err(format!("{placed:?}"))
            }
        },
    )
    .await;
    println!(
        "drain worker01: {on_worker01} task(s) moved in {:.1?}; now {:?}",
        started.elapsed(),
        echo_placement(browser).await
    );
    let node = docker.inspect_node("worker01").await.unwrap();
    assert_eq!(
        node.spec.and_then(|s| s.availability),
        Some(NodeSpecAvailabilityEnum::DRAIN)
    );
    set_availability(browser, "worker01", "active", "Active").await;
}

async fn scale_to_2(browser: &Browser, docker: &Docker) {
    fill(browser, "#scale-replicas", "2").await;
    click(browser, ".service-actions form.scale button[type=submit]").await;
    wait_until("the progress to read 2 out of 2", LIMIT, || {
        browser.text_is(
            ".service-panel .overall",
            "overall progress: 2 out of 2 tasks",
        )
    })
    .await;
    wait_until("2 running echo cards", LIMIT, || {
        browser.count_is(RUNNING_ECHO_CARDS, 2)
    })
    .await;
    wait_until("Docker to run 2 echo tasks", DOCKER_LIMIT, || {
        running_echo_tasks(docker, 2)
    })
    .await;
}

/// The image changed to a tag the registry does not have: the rolling update fails and
/// pauses (Docker's default failure action), which the panel shows; Roll back brings the
/// service back to its previous image, shown as rolled back and converged.
async fn a_bad_update_pauses_and_rolls_back(browser: &Browser, docker: &Docker) {
    let started = Instant::now();
    fill(
        browser,
        "#update-image",
        "registry:5000/example/echo:missing",
    )
    .await;
    click(browser, ".service-actions form.image button[type=submit]").await;
    wait_until("the update to pause", DOCKER_LIMIT, || {
        browser.count_is(r#".update-status[data-update="paused"]"#, 1)
    })
    .await;
    println!(
        "bad image: paused after {:.1?}: {:?} {:?}",
        started.elapsed(),
        browser
            .texts(".service-panel .update-status")
            .await
            .unwrap(),
        browser.texts(".service-panel .verdict").await.unwrap()
    );
    let rolled = Instant::now();
    click(browser, ".service-actions button.rollback").await;
    wait_until("the rollback to complete", DOCKER_LIMIT, || {
        browser.count_is(r#".update-status[data-update="rolled back"]"#, 1)
    })
    .await;
    wait_until("converged again on 2 tasks", DOCKER_LIMIT, || {
        browser.text_is(
            ".service-panel .overall",
            "overall progress: 2 out of 2 tasks",
        )
    })
    .await;
    println!("rollback to rolled back: {:.1?}", rolled.elapsed());
    let spec = docker
        .inspect_service("echo", None)
        .await
        .unwrap()
        .spec
        .unwrap();
    let image = spec
        .task_template
        .unwrap()
        .container_spec
        .unwrap()
        .image
        .unwrap();
    assert!(
        image.starts_with(IMAGE),
        "after the rollback Docker holds {image}"
    );
    running_echo_tasks(docker, 2)
        .await
        .expect("2 running after the rollback");
}

async fn network_round_trip(browser: &Browser, docker: &Docker) {
    fill(browser, "#network-name", "ch03").await;
    click(browser, "form.create-network input[name=attachable]").await;
    click(browser, "form.create-network button[type=submit]").await;
    let row = r#"tr.network[data-network="ch03"]"#;
    wait_until("ch03 in the networks table", LIMIT, || {
        browser.count_is(row, 1)
    })
    .await;
    let cells = browser.texts(&format!("{row} td")).await.unwrap();
    assert_eq!(cells[..4], ["ch03", "overlay", "swarm", "yes"], "{cells:?}");
    let net = docker.inspect_network("ch03", None).await.unwrap();
    assert_eq!(net.attachable, Some(true));
    click(browser, &format!("{row} button.remove-network")).await;
    wait_until("ch03 gone from the table", LIMIT, || {
        browser.count_is(row, 0)
    })
    .await;
}

/// Remove (from the highlighted service's panel), confirm, and see it gone.
async fn remove_service(browser: &Browser, docker: &Docker, name: &str) {
    click(browser, ".service-actions button.remove").await;
    // Nothing happens before the confirmation.
    wait_until("the confirmation", LIMIT, || {
        browser.count_is("button.confirm-remove", 1)
    })
    .await;
    assert!(docker.inspect_service(name, None).await.is_ok());
    click(browser, "button.confirm-remove").await;
    let row = format!(r#"tr.service[data-service="{name}"]"#);
    wait_until(
        &format!("{name} gone from the services table"),
        LIMIT,
        || browser.count_is(&row, 0),
    )
    .await;
    wait_until(&format!("Docker to have no {name}"), LIMIT, || async {
        match docker.inspect_service(name, None).await {
            Err(_) => Ok(()),
            Ok(_) => Err(format!("{name} still there")),
        }
    })
    .await;
}

async fn audit_log_in_the_page(browser: &Browser) {
    click(browser, "section.audit summary").await;
    let want = [
        "service.create",
        "node.availability",
        "service.scale",
        "service.image",
        "service.rollback",
        "network.create",
        "network.remove",
        "service.remove",
    ];
    wait_until("the audit log to list every change", LIMIT, || async {
        let actions = browser.texts("tr.audit-entry td.action").await?;
        let outcomes = browser.texts("tr.audit-entry td.outcome").await?;
        let ok: Vec<&String> = actions
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| *o == "ok")
            .map(|(a, _)| a)
            .collect();
        if want.iter().all(|w| ok.iter().any(|a| a == w)) {
            Ok(())
        } else {
            Err(format!("{actions:?} {outcomes:?}"))
        }
    })
    .await;
}
