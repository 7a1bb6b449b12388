//! Point-and-click control in a real headless Chromium, against the real flotilla binary and
//! a real four-node lab. Nothing is mocked; every step is done in the page, and checked both
//! in the page and with Docker itself.
//!
//! Log in with the admin token (a wrong one first); the create form refuses bad input in the
//! browser (nothing is sent); a service whose image does not exist shows Docker's error;
//! create `echo` from `registry:5000/example/echo:latest` (offered from the lab registry's
//! catalog) with 6 replicas and see the progress reach 6 out of 6 and the cards land on the
//! lab's nodes; drain worker01 and see its tasks move to the other nodes; scale to 2; a new
//! image that does not exist pauses the update, Roll back restores the old one; create and
//! remove an overlay network; remove the service (after confirming); deploy the course's
//! `ch03-webapi.yml` as stack `echo` from the Deploy stack form (preview, apply, the cards
//! grouped under the stack, a replicas edit previewed as exactly that change, an unchanged
//! redeploy previewed as no changes), then remove the stack, nothing of it left; read the
//! audit log in the page. On a second panel that shows the cluster only to sessions: a kiosk link made in
//! the page opens a read-only wall screen, and revoking it ends that screen's access
//! (`kiosk.rs`). Steps on services are in `services.rs`, on nodes and networks in `cluster.rs`,
//! on stacks in `stacks.rs`.
//!
//! worker01 is drained while the service still has 6 tasks: spread over four nodes, it then
//! surely holds some, so "its tasks move" is a statement about tasks that exist (after a
//! scale to 2 it may hold none).

#[allow(dead_code)] // each test binary uses its own part of the support code
#[path = "../support/mod.rs"]
mod support;

mod cluster;
mod kiosk;
mod services;
mod stacks;

use serde_json::json;
use support::Scratch;
use support::browser::Browser;
use support::browser::Driver;
use support::lab::Lab;
use support::panel::Panel;
use support::swarm::{LIMIT, live};
use support::wait_until;

const LAB_NAME: &str = "flotilla-e2e-control-lab";
const LAB_API_PORT: u16 = 23790;
const LAB_REGISTRY_PORT: u16 = 5004;
const LAB_NODES: [&str; 4] = ["manager", "worker01", "worker02", "worker03"];
const IMAGE: &str = "registry:5000/example/echo:latest";
const TOKEN: &str = "e2e-admin-token-0123456789-abcdefg";

const RUNNING_ECHO_CARDS: &str = r#"article.task-card[data-service="echo"][data-state="running"]"#;

#[tokio::test(flavor = "multi_thread")]
async fn point_and_click_control_in_chromium() {
    let scratch = Scratch::new();
    let build = support::build();
    let lab = Lab::up(&build.bin, LAB_NAME, LAB_API_PORT, LAB_REGISTRY_PORT).await;
    let docker = lab.clean_manager().await;
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
    services::a_failing_service_says_why(&browser, &docker).await;
    services::create_echo(&browser, &docker).await;
    kiosk::a_kiosk_link_on_a_token_only_panel(&build, &lab.manager, &scratch, &driver).await;
    cluster::drain_worker01(&browser, &docker).await;
    services::scale_to_2(&browser, &docker).await;
    services::a_bad_update_pauses_and_rolls_back(&browser, &docker).await;
    cluster::network_round_trip(&browser, &docker).await;
    services::remove_service(&browser, &docker, "echo").await;
    stacks::deploy_ch03_and_remove_it(&browser, &docker).await;
    audit_log_in_the_page(&browser).await;

    browser.close().await;
    drop(driver);
    drop(panel);
    drop(lab);
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
    browser
        .fill("form.login input[name=token]", "not-the-token-at-all")
        .await;
    browser.click_on("form.login button[type=submit]").await;
    wait_until("the wrong token to be refused", LIMIT, || {
        browser.count_is("form.login .outcome.failed", 1)
    })
    .await;
    browser.fill("form.login input[name=token]", TOKEN).await;
    browser.click_on("form.login button[type=submit]").await;
    wait_until("the admin role in the top bar", LIMIT, || {
        browser.count_is(r#".session .role[data-role="admin"]"#, 1)
    })
    .await;
    // A viewer's page has no control UI: the log-in reloads it with the control bundle.
    wait_until("the control UI, live, after the reload", LIMIT, || async {
        browser.count_is("section.create-service", 1).await?;
        live(browser).await
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
    browser.click_on("section.create-service summary").await;
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
    // Name and image are required, but a form nobody has touched is not judged yet.
    assert_eq!(
        browser.count(".field-error").await.unwrap(),
        0,
        "errors on a form not yet filled in"
    );
    browser.fill("#f-name", "bad name!").await;
    browser.fill("#f-image", "UPPER/case").await;
    // Leaving a field checks it, before any submit.
    wait_until("the name's error once it is left", LIMIT, || {
        browser.count_is(r#".field-error[data-field="name"]"#, 1)
    })
    .await;
    browser.fill("#f-replicas", "-1").await;
    browser.click_on(".service-form button[type=submit]").await;
    for field in ["name", "image", "replicas"] {
        let css = format!(r#".field-error[data-field="{field}"]"#);
        wait_until(&css, LIMIT, || browser.count_is(&css, 1)).await;
    }
    println!(
        "refused in the browser: {:?}",
        browser.texts(".field-error").await.unwrap()
    );
    // The refusal came from the browser's own check (this wording is only set there, when it
    // sends nothing), not from a server answer that would also name the fields.
    wait_until("the browser's own refusal", LIMIT, || {
        browser.text_is(
            ".service-form .outcome.failed",
            "3 field(s) to correct before anything is sent",
        )
    })
    .await;
    let audit = std::fs::read_to_string(&panel.audit_log).unwrap_or_default();
    assert!(
        !audit.contains("service.create"),
        "invalid input reached the server: {audit}"
    );
}

async fn audit_log_in_the_page(browser: &Browser) {
    browser.click_on("section.audit summary").await;
    let want = [
        "service.create",
        "node.availability",
        "service.scale",
        "service.image",
        "service.rollback",
        "network.create",
        "network.remove",
        "service.remove",
        "stack.deploy",
        "stack.remove",
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
