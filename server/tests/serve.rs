//! `flotilla serve` against the host engine in single-node swarm mode: the page served lists
//! the swarm's nodes from the Docker API, and an unreachable engine is reported, not fatal.

mod support;

use std::time::Duration;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;

#[tokio::test]
async fn page_lists_the_swarm_nodes() {
    let swarm = SingleNodeSwarm::acquire().await;
    let hostname = swarm.hostname().await;

    let panel = Panel::start("unix:///var/run/docker.sock", &[]);
    let (status, body) =
        support::wait_until("the panel to answer", Duration::from_secs(30), || async {
            support::http_get(&panel.addr, "/").await.ok()
        })
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        support::lists_node(&body, &hostname),
        "node {hostname} missing:\n{body}"
    );
    assert!(body.contains("1 node<"), "summary missing:\n{body}");
    assert!(body.contains("Leader"), "manager status missing:\n{body}");
    drop(swarm);
}

#[tokio::test]
async fn unreachable_engine_is_reported_on_the_page() {
    // Nothing listens on port 9 (discard) here: the engine is unreachable. The panel still
    // serves, and once its first attempt has failed the page says so, with Docker's reason.
    let panel = Panel::start("tcp://127.0.0.1:9", &[]);
    let body = support::wait_until(
        "the page to report the engine",
        Duration::from_secs(30),
        || async {
            let (status, body) = support::http_get(&panel.addr, "/").await.ok()?;
            assert_eq!(status, 200);
            body.contains(r#"data-state="stale""#).then_some(body)
        },
    )
    .await;
    assert!(
        body.contains("The Docker engine cannot be reached"),
        "{body}"
    );
    assert!(
        body.contains("cannot reach a Docker engine at tcp://127.0.0.1:9"),
        "{body}"
    );
}
