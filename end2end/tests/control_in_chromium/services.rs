//! The service steps: a failing service, create, scale, a bad update rolled back, remove.

use super::support::browser::Browser;
use super::support::swarm::{DOCKER_LIMIT, LIMIT, running_echo_tasks};
use super::support::wait_until;
use super::{IMAGE, LAB_NODES, RUNNING_ECHO_CARDS};
use bollard::Docker;
use std::time::Instant;

/// Hostname of the node column each running echo card sits in.
pub async fn echo_placement(browser: &Browser) -> Vec<String> {
    browser.columns_of(RUNNING_ECHO_CARDS).await
}

/// The image Docker holds in echo's spec.
async fn echo_image(docker: &Docker) -> String {
    let service = docker
        .inspect_service("echo", None)
        .await
        .expect("inspect echo");
    service
        .spec
        .and_then(|s| s.task_template)
        .and_then(|t| t.container_spec)
        .and_then(|c| c.image)
        .expect("echo's image")
}

/// An image the registry does not have: the tasks are rejected, and the panel says so with
/// Docker's error text; then the service is removed from the panel.
pub async fn a_failing_service_says_why(browser: &Browser, docker: &Docker) {
    browser.fill("#f-name", "ghost").await;
    browser
        .fill("#f-image", "registry:5000/example/nope:latest")
        .await;
    browser.fill("#f-replicas", "1").await;
    browser.click_on(".service-form button[type=submit]").await;
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

pub async fn create_echo(browser: &Browser, docker: &Docker) {
    browser.fill("#f-name", "echo").await;
    browser.fill("#f-image", IMAGE).await;
    browser.fill("#f-replicas", "6").await;
    assert_eq!(
        browser.count(".field-error").await.unwrap(),
        0,
        "errors left once the fields are right"
    );
    let started = Instant::now();
    browser.click_on(".service-form button[type=submit]").await;
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
    let image = echo_image(docker).await;
    assert!(image.starts_with(IMAGE), "Docker holds image {image}");
}

pub async fn scale_to_2(browser: &Browser, docker: &Docker) {
    browser.fill("#scale-replicas", "2").await;
    browser
        .click_on(".service-actions form.scale button[type=submit]")
        .await;
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
pub async fn a_bad_update_pauses_and_rolls_back(browser: &Browser, docker: &Docker) {
    let started = Instant::now();
    browser
        .fill("#update-image", "registry:5000/example/echo:missing")
        .await;
    browser
        .click_on(".service-actions form.image button[type=submit]")
        .await;
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
    browser.click_on(".service-actions button.rollback").await;
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
    let image = echo_image(docker).await;
    assert!(
        image.starts_with(IMAGE),
        "after the rollback Docker holds {image}"
    );
    running_echo_tasks(docker, 2)
        .await
        .expect("2 running after the rollback");
}

/// Remove (from the highlighted service's panel), confirm, and see it gone.
pub async fn remove_service(browser: &Browser, docker: &Docker, name: &str) {
    browser.click_on(".service-actions button.remove").await;
    // Nothing happens before the confirmation.
    wait_until("the confirmation", LIMIT, || {
        browser.count_is("button.confirm-remove", 1)
    })
    .await;
    assert!(docker.inspect_service(name, None).await.is_ok());
    browser.click_on("button.confirm-remove").await;
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
