//! The single-node swarm fixture: the host engine itself in swarm mode, for fast integration
//! tests. Tests in several threads and processes share it; a count kept under a file lock
//! decides who initialises the swarm and who leaves it, so the engine ends as it was found
//! (a swarm the tests did not create is used and never left).

use bollard::Docker;
use bollard::models::{LocalNodeState, SwarmInitRequest};
use bollard::query_parameters::LeaveSwarmOptions;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};

const STATE_FILE: &str = "/tmp/flotilla-test-swarm.state";

pub struct SingleNodeSwarm {
    pub docker: Docker,
}

/// (tests holding the fixture, whether the tests created the swarm)
fn read_state(file: &mut File) -> (u32, bool) {
    let mut text = String::new();
    file.rewind()
        .and_then(|_| file.read_to_string(&mut text))
        .expect("read fixture state");
    let mut parts = text.split_whitespace();
    let count = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let owned = parts.next() == Some("owned");
    (count, owned)
}

fn write_state(file: &mut File, count: u32, owned: bool) {
    let text = format!("{count} {}", if owned { "owned" } else { "found" });
    file.set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| file.write_all(text.as_bytes()))
        .expect("write fixture state");
}

fn locked_state_file() -> File {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(STATE_FILE)
        .expect("open fixture state");
    file.lock().expect("lock fixture state");
    file
}

async fn swarm_active(docker: &Docker) -> bool {
    let info = docker.info().await.expect("docker info");
    info.swarm.and_then(|s| s.local_node_state) == Some(LocalNodeState::ACTIVE)
}

impl SingleNodeSwarm {
    pub async fn acquire() -> SingleNodeSwarm {
        let docker = super::host_docker().await;
        let mut file = locked_state_file();
        let (count, mut owned) = read_state(&mut file);
        if count == 0 {
            owned = false;
            if !swarm_active(&docker).await {
                let request = SwarmInitRequest {
                    listen_addr: Some("127.0.0.1:2377".into()),
                    advertise_addr: Some("127.0.0.1".into()),
                    ..Default::default()
                };
                docker
                    .init_swarm(request)
                    .await
                    .expect("swarm init on the host engine");
                owned = true;
            }
        }
        write_state(&mut file, count + 1, owned);
        SingleNodeSwarm { docker }
    }

    /// The one node's hostname, as the panel's page shows it.
    pub async fn hostname(&self) -> String {
        let nodes = self
            .docker
            .list_nodes(None::<bollard::query_parameters::ListNodesOptions>)
            .await
            .expect("node ls");
        nodes[0]
            .description
            .as_ref()
            .and_then(|d| d.hostname.clone())
            .expect("hostname")
    }
}

impl Drop for SingleNodeSwarm {
    fn drop(&mut self) {
        let mut file = locked_state_file();
        let (count, owned) = read_state(&mut file);
        let count = count.saturating_sub(1);
        if count == 0 && owned {
            // Drop cannot await: leave from a runtime (and a client) of its own on another
            // thread; the test's runtime is blocked here and cannot drive its connections.
            std::thread::spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    let docker = super::host_docker().await;
                    docker
                        .leave_swarm(Some(LeaveSwarmOptions { force: true }))
                        .await
                        .expect("swarm leave on the host engine");
                });
            })
            .join()
            .expect("leave thread");
        }
        write_state(&mut file, count, owned && count > 0);
    }
}
