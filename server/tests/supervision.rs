//! The cluster-state owner is supervised: when it panics, every viewer hears at once that the
//! state is stale and why, and a new owner takes over and goes live again. The panic comes
//! from the hidden `--test-hooks` switch: SIGUSR1 makes the running owner panic.

mod support;

use flotilla_app::protocol::EngineStatus;
use std::time::Duration;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::viewer::Viewer;

const LIMIT: Duration = Duration::from_secs(60);

fn stopped_owner(engine: &EngineStatus) -> bool {
    matches!(engine, EngineStatus::Stale { reason, .. }
        if reason.starts_with("the state owner stopped: ") && reason.ends_with("; restarting"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicked_owner_is_reported_stale_at_once_and_restarted() {
    let swarm = SingleNodeSwarm::acquire().await;
    let panel = Panel::start("unix:///var/run/docker.sock", &["--test-hooks"]);
    let mut viewer = Viewer::connect(&panel.addr).await;
    viewer
        .until("live", LIMIT, |v| v.engine == EngineStatus::Live)
        .await;
    let nodes = viewer.state.nodes.len();
    assert!(nodes > 0, "a swarm has at least one node");

    let killed = std::time::Instant::now();
    panel.signal("USR1");
    viewer
        .until(
            "stale after the owner's panic",
            Duration::from_secs(2),
            |v| stopped_owner(&v.engine),
        )
        .await;
    let EngineStatus::Stale { reason, .. } = &viewer.engine else {
        unreachable!("checked above")
    };
    assert!(reason.contains("test hook"), "the panic message: {reason}");
    let stale_after = killed.elapsed();

    viewer
        .until("live after the restart", LIMIT, |v| {
            v.engine == EngineStatus::Live
        })
        .await;
    assert_eq!(
        viewer.state.nodes.len(),
        nodes,
        "the new owner lists the swarm"
    );
    println!(
        "owner killed: stale at the viewer after {stale_after:.1?}, live again after {:.1?}",
        killed.elapsed()
    );
    // The panel as a whole is unharmed: a second viewer starts from a live snapshot.
    let second = Viewer::connect(&panel.addr).await;
    assert_eq!(second.engine, EngineStatus::Live);
    drop(swarm);
}
