//! The node and network steps: drain a worker from its row, an overlay network round trip.

use super::services::echo_placement;
use super::support::browser::Browser;
use super::support::swarm::{DOCKER_LIMIT, LIMIT};
use super::support::wait_until;
use bollard::Docker;
use bollard::models::NodeSpecAvailabilityEnum;
use fantoccini::Locator;
use std::time::Instant;

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

pub async fn drain_worker01(browser: &Browser, docker: &Docker) {
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

pub async fn network_round_trip(browser: &Browser, docker: &Docker) {
    browser.fill("#network-name", "ch03").await;
    browser
        .click_on("form.create-network input[name=attachable]")
        .await;
    browser
        .click_on("form.create-network button[type=submit]")
        .await;
    let row = r#"tr.network[data-network="ch03"]"#;
    wait_until("ch03 in the networks table", LIMIT, || {
        browser.count_is(row, 1)
    })
    .await;
    let cells = browser.texts(&format!("{row} td")).await.unwrap();
    assert_eq!(cells[..4], ["ch03", "overlay", "swarm", "yes"], "{cells:?}");
    let net = docker.inspect_network("ch03", None).await.unwrap();
    assert_eq!(net.attachable, Some(true));
    browser
        .click_on(&format!("{row} button.remove-network"))
        .await;
    wait_until("ch03 gone from the table", LIMIT, || {
        browser.count_is(row, 0)
    })
    .await;
}
