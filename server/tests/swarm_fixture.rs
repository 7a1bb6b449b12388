//! The single-node swarm fixture restores the engine. Alone in its test binary so that no
//! other test holds the fixture while it compares before and after.

mod support;

use bollard::models::{LocalNodeState, SystemInfo};
use support::swarm::SingleNodeSwarm;

fn swarm_state(info: SystemInfo) -> Option<LocalNodeState> {
    info.swarm.and_then(|s| s.local_node_state)
}

#[tokio::test]
async fn fixture_leaves_the_engine_as_it_found_it() {
    let docker = support::host_docker().await;
    let before = swarm_state(docker.info().await.expect("info"));
    {
        let first = SingleNodeSwarm::acquire().await;
        let second = SingleNodeSwarm::acquire().await;
        assert_eq!(
            swarm_state(first.docker.info().await.expect("info")),
            Some(LocalNodeState::ACTIVE)
        );
        drop(first);
        // Still held by `second`: the swarm must survive the first release.
        assert_eq!(
            swarm_state(second.docker.info().await.expect("info")),
            Some(LocalNodeState::ACTIVE)
        );
    }
    assert_eq!(swarm_state(docker.info().await.expect("info")), before);
}
