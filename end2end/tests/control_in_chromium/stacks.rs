//! The stack steps: the course's `ch03-webapi.yml` deployed as stack `echo` from the page
//! (pasted, previewed, applied), its `stack services` rows and its cards grouped under the
//! stack in the grid, the kept file loaded back by "Edit and redeploy", a replicas edit
//! previewed as exactly that change and applied, an unchanged redeploy previewed as no
//! changes, then the stack removed, with nothing of it left in Docker, and the last preview
//! marked outdated (Apply withheld) since the swarm no longer matches it.
//!
//! The file names the network `ch03` as external: it is created first in the page (the
//! Networks form, attachable, as the course does with `docker network create`), and removed
//! at the end. The lab has no internet: nginx's image (`gihyodocker/nginx-proxy`) cannot be
//! pulled, so its tasks fail, which is fine here (resolve-image "never", as the CLI's
//! `--resolve-image never`, so the deploy does not ask a registry for it); api's image is in
//! the lab registry and runs.

use super::support::browser::Browser;
use super::support::swarm::{DOCKER_LIMIT, LIMIT};
use super::support::wait_until;
use bollard::Docker;
use bollard::query_parameters::{
    ListConfigsOptions, ListNetworksOptions, ListSecretsOptions, ListServicesOptions,
    ListTasksOptions,
};
use fantoccini::Locator;
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;

/// The course's file, as kept in the shared course material (`../shared/compose`, next to the
/// repository) when that is there; a clean checkout has only this copy.
const CH03: &str = include_str!("../fixtures/ch03-webapi.yml");
const SHARED_CH03: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/compose/ch03-webapi.yml"
);

const STACK: &str = "echo";
const NAMESPACE: &str = "com.docker.stack.namespace";
const STACK_ROW: &str = r#"tr.stack[data-stack="echo"]"#;
const PLAN_ITEMS: &str = ".stack-deploy .plan tr.plan-item";
const API_CARDS: &str = r#"article.task-card[data-service="echo_api"]"#;
const RUNNING_API_CARDS: &str =
    r#"article.task-card[data-service="echo_api"][data-state="running"]"#;
const NGINX_CARDS: &str = r#"article.task-card[data-service="echo_nginx"]"#;

/// The course's file; checked to be the shared one where that exists, so the copy cannot
/// drift from what the course deploys.
fn ch03() -> &'static str {
    if let Ok(shared) = std::fs::read_to_string(SHARED_CH03) {
        assert_eq!(
            shared, CH03,
            "end2end/tests/fixtures/ch03-webapi.yml differs from {SHARED_CH03}: copy it again"
        );
    }
    CH03
}

/// The file with api's `replicas: 3` made 2 (nginx's stays 3).
fn with_api_replicas_2(file: &str) -> String {
    let api = file
        .find("\n  api:\n")
        .expect("the api service in ch03-webapi.yml");
    let (before, after) = file.split_at(api);
    assert!(after.contains("replicas: 3"), "api's replicas in {after}");
    format!(
        "{before}{}",
        after.replacen("replicas: 3", "replicas: 2", 1)
    )
}

fn label_filter() -> Option<HashMap<String, Vec<String>>> {
    Some(HashMap::from([(
        "label".to_string(),
        vec![format!("{NAMESPACE}={STACK}")],
    )]))
}

/// Every service, network, secret and config Docker holds with the stack's namespace label.
async fn stack_objects(docker: &Docker) -> Result<Vec<String>, String> {
    let e = |e: bollard::errors::Error| e.to_string();
    let mut found = Vec::new();
    let services = docker
        .list_services(Some(ListServicesOptions {
            filters: label_filter(),
            ..Default::default()
        }))
        .await
        .map_err(e)?;
    found.extend(services.into_iter().map(|s| {
        format!(
            "service {}",
            s.spec.and_then(|s| s.name).unwrap_or_default()
        )
    }));
    let networks = docker
        .list_networks(Some(ListNetworksOptions {
            filters: label_filter(),
        }))
        .await
        .map_err(e)?;
    found.extend(
        networks
            .into_iter()
            .map(|n| format!("network {}", n.name.unwrap_or_default())),
    );
    let secrets = docker
        .list_secrets(Some(ListSecretsOptions {
            filters: label_filter(),
        }))
        .await
        .map_err(e)?;
    found.extend(
        secrets
            .into_iter()
            .map(|s| format!("secret {}", s.spec.and_then(|s| s.name).unwrap_or_default())),
    );
    let configs = docker
        .list_configs(Some(ListConfigsOptions {
            filters: label_filter(),
        }))
        .await
        .map_err(e)?;
    found.extend(
        configs
            .into_iter()
            .map(|c| format!("config {}", c.spec.and_then(|s| s.name).unwrap_or_default())),
    );
    found.sort();
    Ok(found)
}

/// The replicas Docker holds in a service's spec.
async fn replicas(docker: &Docker, service: &str) -> Result<i64, String> {
    let service = docker
        .inspect_service(service, None)
        .await
        .map_err(|e| e.to_string())?;
    service
        .spec
        .and_then(|s| s.mode)
        .and_then(|m| m.replicated)
        .and_then(|r| r.replicas)
        .ok_or_else(|| "not a replicated service".to_string())
}

/// Ok once Docker has exactly `want` tasks of `service` meant to run, all running.
async fn running_tasks(docker: &Docker, service: &str, want: usize) -> Result<(), String> {
    let filters = HashMap::from([
        ("service".to_string(), vec![service.to_string()]),
        ("desired-state".to_string(), vec!["running".to_string()]),
    ]);
    let tasks = docker
        .list_tasks(Some(ListTasksOptions {
            filters: Some(filters),
        }))
        .await
        .map_err(|e| e.to_string())?;
    let states: Vec<String> = tasks
        .iter()
        .map(|t| format!("{:?}", t.status.as_ref().and_then(|s| s.state)))
        .collect();
    let running = states.iter().filter(|s| *s == "Some(RUNNING)").count();
    if states.len() == want && running == want {
        Ok(())
    } else {
        Err(format!("{service} tasks meant to run: {states:?}"))
    }
}

/// Puts `text` into the textarea as a paste does: the whole value at once, then the input
/// event the page listens to (typing it key by key would take long and tell nothing more).
async fn paste(browser: &Browser, css: &str, text: &str) {
    let found = browser
        .eval(
            "const area = document.querySelector(arguments[0]);
             if (!area) return false;
             area.focus();
             area.value = arguments[1];
             area.dispatchEvent(new Event('input', { bubbles: true }));
             return true;",
            vec![json!(css), json!(text)],
        )
        .await
        .expect("paste into the textarea");
    assert_eq!(found, json!(true), "no {css}");
}

/// The plan's rows as (kind, name, action), in the page's order.
async fn plan_rows(browser: &Browser) -> Result<Vec<(String, String, String)>, String> {
    let kinds = browser.attributes(PLAN_ITEMS, "data-kind").await?;
    let names = browser.attributes(PLAN_ITEMS, "data-name").await?;
    let actions = browser.attributes(PLAN_ITEMS, "data-action").await?;
    if kinds.len() != names.len() || names.len() != actions.len() {
        return Err("the plan changed while it was read".into());
    }
    Ok(kinds
        .into_iter()
        .zip(names)
        .zip(actions)
        .map(|((k, n), a)| (k, n, a))
        .collect())
}

/// Clicks Preview and waits for the outcome line to report the preview; returns the plan's
/// rows, sorted.
async fn preview(browser: &Browser) -> Vec<(String, String, String)> {
    browser.click_on("form.deploy-stack button.preview").await;
    wait_until("the preview", LIMIT, || async {
        // A fresh plan: shown, not stale, and Apply offered for it.
        let plans = browser.count(".stack-deploy .plan:not(.stale)").await?;
        let apply = browser
            .eval(
                "return document.querySelector('form.deploy-stack button.apply')?.disabled;",
                vec![],
            )
            .await?;
        if plans == 1 && apply == json!(false) {
            Ok(())
        } else {
            let outcome = browser.texts(".stack-deploy .outcome").await?;
            Err(format!(
                "{plans} fresh plan(s), apply disabled: {apply}; {outcome:?}"
            ))
        }
    })
    .await;
    let mut rows = plan_rows(browser).await.expect("read the plan");
    rows.sort();
    rows
}

/// Clicks Apply and waits for a report that says done.
async fn apply(browser: &Browser) {
    let started = Instant::now();
    browser.click_on("form.deploy-stack button.apply").await;
    wait_until("the apply report", DOCKER_LIMIT, || async {
        let outcomes = browser
            .attributes(".stack-deploy .apply-report", "data-outcome")
            .await?;
        match outcomes.as_slice() {
            [done] if done == "done" => Ok(()),
            [failed] if failed == "failed" => {
                panic!(
                    "the apply failed: {:?}",
                    browser.texts(".stack-deploy .apply-report").await
                )
            }
            _ => Err(format!(
                "reports {outcomes:?}; {:?}",
                browser.texts(".stack-deploy .outcome").await?
            )),
        }
    })
    .await;
    println!(
        "stack apply: {:.1?}, {:?}",
        started.elapsed(),
        browser
            .texts(".stack-deploy .apply-report li")
            .await
            .unwrap()
    );
}

fn row(kind: &str, name: &str, action: &str) -> (String, String, String) {
    (kind.into(), name.into(), action.into())
}

/// The grid toggle labelled `label` (its URL is the only place the view's filters live).
async fn toggle(browser: &Browser, label: &str) {
    let xpath = format!("//nav[contains(@class,'toggles')]//button[normalize-space()='{label}']");
    browser
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no toggle {label}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {label}: {e}"));
}

/// For every element matching `css`, the text of the stack heading it is grouped under in
/// its node column ("" if none).
async fn groups_of(browser: &Browser, css: &str) -> Result<Vec<String>, String> {
    let value = browser
        .eval(
            "return Array.from(document.querySelectorAll(arguments[0]), card => {
                 let item = card;
                 while (item.parentElement && !item.parentElement.classList.contains('cards'))
                     item = item.parentElement;
                 while (item && !item.matches('h3.stack-heading'))
                     item = item.previousElementSibling;
                 return item ? item.textContent.trim() : '';
             });",
            vec![json!(css)],
        )
        .await?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// The grid grouped by stack, with past tasks too (nginx's fail, and are replaced): api's
/// three running cards and nginx's cards, whatever their state, all under the heading `echo`.
async fn cards_grouped_under_the_stack(browser: &Browser) {
    toggle(browser, "group by stack").await;
    toggle(browser, "running only").await;
    wait_until(
        "the grid grouped by stack, past tasks shown",
        LIMIT,
        || async {
            let url = browser.current_url().await.map_err(|e| e.to_string())?;
            let query = url.query().unwrap_or_default().to_string();
            if query.contains("group=stack") && query.contains("running=0") {
                Ok(())
            } else {
                Err(format!("URL {url}"))
            }
        },
    )
    .await;
    wait_until("3 running api cards", DOCKER_LIMIT, || {
        browser.count_is(RUNNING_API_CARDS, 3)
    })
    .await;
    wait_until("nginx's cards", DOCKER_LIMIT, || async {
        match browser.count(NGINX_CARDS).await? {
            0 => Err("no echo_nginx card".into()),
            _ => Ok(()),
        }
    })
    .await;
    wait_until(
        "every card of the stack under its heading",
        LIMIT,
        || async {
            let api = groups_of(browser, API_CARDS).await?;
            let nginx = groups_of(browser, NGINX_CARDS).await?;
            if !api.is_empty() && !nginx.is_empty() && api.iter().chain(&nginx).all(|g| g == STACK)
            {
                Ok(())
            } else {
                Err(format!("api under {api:?}, nginx under {nginx:?}"))
            }
        },
    )
    .await;
    let states = browser.attributes(NGINX_CARDS, "data-state").await.unwrap();
    println!(
        "grouped under {STACK}: api on {:?}; nginx's states {states:?}",
        browser.columns_of(RUNNING_API_CARDS).await
    );
    // Back to the default view for the steps after.
    toggle(browser, "running only").await;
    toggle(browser, "group by stack").await;
    wait_until("ungrouped, running only again", LIMIT, || async {
        let url = browser.current_url().await.map_err(|e| e.to_string())?;
        let query = url.query().unwrap_or_default().to_string();
        if query.contains("group=") || query.contains("running=") {
            Err(format!("URL {url}"))
        } else {
            Ok(())
        }
    })
    .await;
}

/// Creates the external network the file names, in the page.
async fn create_ch03(browser: &Browser, docker: &Docker) {
    browser.fill("#network-name", "ch03").await;
    // The form keeps the box as the last network left it (ticked by `network_round_trip`).
    let attachable = "form.create-network input[name=attachable]";
    let ticked = browser
        .eval(
            "return document.querySelector(arguments[0]).checked;",
            vec![json!(attachable)],
        )
        .await
        .expect("read the attachable box");
    if ticked != json!(true) {
        browser.click_on(attachable).await;
    }
    browser
        .click_on("form.create-network button[type=submit]")
        .await;
    wait_until("ch03 in the networks table", LIMIT, || {
        browser.count_is(r#"tr.network[data-network="ch03"]"#, 1)
    })
    .await;
    let net = docker.inspect_network("ch03", None).await.unwrap();
    assert_eq!(net.attachable, Some(true));
}

pub async fn deploy_ch03_and_remove_it(browser: &Browser, docker: &Docker) {
    let file = ch03();
    assert!(
        stack_objects(docker).await.unwrap().is_empty(),
        "stack {STACK} exists before the test"
    );
    create_ch03(browser, docker).await;

    // Paste and preview.
    browser
        .fill("form.deploy-stack input[name=stack]", STACK)
        .await;
    paste(browser, "form.deploy-stack textarea[name=compose]", file).await;
    browser
        .find(Locator::Css("form.deploy-stack select[name=resolve-image]"))
        .await
        .expect("the resolve-image select")
        .select_by_value("never")
        .await
        .expect("choose never");
    let rows = preview(browser).await;
    // ch03 is external: the plan lists it (it must exist, and does) as unchanged; the stack
    // creates no network of its own (every service names ch03, so there is no echo_default).
    // The issue's "1 network" is ch03, made just before in the page.
    assert_eq!(
        rows,
        [
            row("network", "ch03", "unchanged"),
            row("service", "echo_api", "create"),
            row("service", "echo_nginx", "create"),
        ],
        "the first preview"
    );
    assert_eq!(
        browser
            .count(".stack-deploy .plan tr.plan-item[data-action=create][data-kind=service]")
            .await
            .unwrap(),
        2
    );
    wait_until("the first preview's summary", LIMIT, || {
        browser.text_is(".stack-deploy .plan-summary", "2 to create, 1 unchanged")
    })
    .await;
    println!(
        "first preview: {:?} {:?}",
        browser.texts(".stack-deploy .plan-summary").await.unwrap(),
        browser
            .texts(".stack-deploy .plan-warnings li")
            .await
            .unwrap()
    );

    apply(browser).await;
    let objects = stack_objects(docker).await.unwrap();
    assert_eq!(
        objects,
        ["service echo_api", "service echo_nginx"],
        "what Docker holds with {NAMESPACE}={STACK}"
    );
    wait_until("Docker to run 3 api tasks", DOCKER_LIMIT, || {
        running_tasks(docker, "echo_api", 3)
    })
    .await;
    let count = format!("{STACK_ROW} td.count");
    wait_until("the stack in the Stacks table", LIMIT, || {
        browser.text_is(&count, "2")
    })
    .await;
    // Its `stack services`, as the CLI lists them.
    browser
        .click_on(r#"tr.stack-detail[data-stack="echo"] summary"#)
        .await;
    let services = r#"tr.stack-detail[data-stack="echo"] tr.stack-service"#;
    wait_until("the stack's services, api 3/3", LIMIT, || async {
        let names = browser.attributes(services, "data-service").await?;
        let replicas = browser
            .texts(&format!("{services} td:nth-child(4)"))
            .await?;
        if names == ["echo_api", "echo_nginx"] && replicas.first().is_some_and(|r| r == "3/3") {
            Ok(())
        } else {
            Err(format!("{names:?} {replicas:?}"))
        }
    })
    .await;
    cards_grouped_under_the_stack(browser).await;

    // The panel kept the deployed file: "Edit and redeploy" loads it back into the form.
    let edit = format!("{STACK_ROW} button.edit-stack");
    wait_until("Edit and redeploy offered", LIMIT, || {
        browser.count_is(&edit, 1)
    })
    .await;
    paste(browser, "form.deploy-stack textarea[name=compose]", "").await;
    browser
        .fill("form.deploy-stack input[name=stack]", "other")
        .await;
    browser.click_on(&edit).await;
    wait_until("the kept file in the form", LIMIT, || async {
        let form = browser
            .eval(
                "const f = document.querySelector('form.deploy-stack');
                 return [f.querySelector('input[name=stack]').value,
                         f.querySelector('textarea[name=compose]').value,
                         f.querySelector('select[name=resolve-image]').value];",
                vec![],
            )
            .await?;
        if form == json!([STACK, file, "never"]) {
            Ok(())
        } else {
            Err(format!("{form}"))
        }
    })
    .await;

    // Edit replicas: the preview shows exactly that change.
    paste(
        browser,
        "form.deploy-stack textarea[name=compose]",
        &with_api_replicas_2(file),
    )
    .await;
    let rows = preview(browser).await;
    assert_eq!(
        rows,
        [
            row("network", "ch03", "unchanged"),
            row("service", "echo_api", "update"),
            row("service", "echo_nginx", "unchanged"),
        ],
        "the preview of the replicas edit"
    );
    let update = r#".stack-deploy .plan tr.plan-item[data-action=update] li.change"#;
    let changes = browser.attributes(update, "data-path").await.unwrap();
    let old = browser.texts(&format!("{update} code.old")).await.unwrap();
    let new = browser.texts(&format!("{update} code.new")).await.unwrap();
    assert_eq!(
        (changes, old, new),
        (
            vec!["Mode.Replicated.Replicas".to_string()],
            vec!["3".to_string()],
            vec!["2".to_string()]
        ),
        "the changes of echo_api"
    );
    assert_eq!(
        browser
            .count(".stack-deploy .plan li.change")
            .await
            .unwrap(),
        1,
        "changes listed beyond echo_api's replicas"
    );
    apply(browser).await;
    wait_until("Docker to hold 2 api replicas", LIMIT, || async {
        match replicas(docker, "echo_api").await? {
            2 => Ok(()),
            n => Err(format!("{n} replicas")),
        }
    })
    .await;
    assert_eq!(replicas(docker, "echo_nginx").await, Ok(3));
    wait_until("Docker to run 2 api tasks", DOCKER_LIMIT, || {
        running_tasks(docker, "echo_api", 2)
    })
    .await;
    wait_until("2 running api cards", LIMIT, || {
        browser.count_is(RUNNING_API_CARDS, 2)
    })
    .await;

    // An unchanged redeploy changes nothing.
    let rows = preview(browser).await;
    assert!(
        rows.iter().all(|(_, _, action)| action == "unchanged"),
        "the preview of an unchanged redeploy: {rows:?}"
    );
    let summary = browser.texts(".stack-deploy .plan-summary").await.unwrap();
    assert!(
        summary.len() == 1 && summary[0].starts_with("no changes"),
        "the summary of an unchanged redeploy: {summary:?}"
    );
    println!("unchanged redeploy: {summary:?}");

    // Remove, after confirming.
    browser
        .click_on(&format!("{STACK_ROW} button.remove-stack"))
        .await;
    let confirm = format!("{STACK_ROW} button.confirm-remove");
    wait_until("the stack's removal to be confirmed", LIMIT, || {
        browser.count_is(&confirm, 1)
    })
    .await;
    assert_eq!(stack_objects(docker).await.unwrap().len(), 2);
    browser.click_on(&confirm).await;
    wait_until("the stack gone from the Stacks table", LIMIT, || {
        browser.count_is(STACK_ROW, 0)
    })
    .await;
    wait_until("Docker to hold nothing of the stack", LIMIT, || async {
        match stack_objects(docker).await? {
            left if left.is_empty() => Ok(()),
            left => Err(format!("left: {left:?}")),
        }
    })
    .await;
    // The last preview (no changes) no longer holds: Apply would create the stack again.
    wait_until("the last preview marked outdated", LIMIT, || {
        browser.text_is(
            ".stack-deploy .plan.stale .stale-note",
            "The stack changed on the swarm since this preview: preview again to apply.",
        )
    })
    .await;
    let apply_disabled = browser
        .eval(
            "return document.querySelector('form.deploy-stack button.apply').disabled;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        apply_disabled,
        json!(true),
        "Apply offered on an outdated preview"
    );
    wait_until("no stack card left in the grid", LIMIT, || {
        browser.count_is(r#"article.task-card[data-service^="echo_"]"#, 0)
    })
    .await;
    // The external network is not the stack's: it stays, until removed here.
    assert!(docker.inspect_network("ch03", None).await.is_ok());
    let network = r#"tr.network[data-network="ch03"]"#;
    browser
        .click_on(&format!("{network} button.remove-network"))
        .await;
    wait_until("ch03 gone from the table", LIMIT, || {
        browser.count_is(network, 0)
    })
    .await;
}
