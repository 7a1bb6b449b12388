//! A throwaway multi-node lab: `flotilla lab up` to start, `lab down` (same flags) on drop.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Building the lab's node image from Debian packages takes about a minute on a fresh machine,
/// forming the swarm less; this only catches a `lab up` that hangs.
const LAB_UP_LIMIT: Duration = Duration::from_secs(15 * 60);

pub struct Lab {
    bin: PathBuf,
    args: Vec<String>,
    /// The manager's Docker API, `tcp://127.0.0.1:PORT`.
    pub manager: String,
}

impl Lab {
    /// Runs `lab up` under its own name and ports, so that a developer's lab is left alone.
    /// The guard exists before `lab up` runs: a half-built lab is taken down too.
    pub async fn up(bin: &Path, name: &str, api_port: u16, registry_port: u16) -> Lab {
        let lab = Lab {
            bin: bin.to_path_buf(),
            args: vec![
                "--name".into(),
                name.into(),
                "--api-port".into(),
                api_port.to_string(),
                "--registry-port".into(),
                registry_port.to_string(),
            ],
            manager: format!("tcp://127.0.0.1:{api_port}"),
        };
        let up = tokio::process::Command::new(bin)
            .args(["lab", "up"])
            .args(&lab.args)
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(LAB_UP_LIMIT, up)
            .await
            .unwrap_or_else(|_| panic!("`lab up` did not finish within {LAB_UP_LIMIT:?}"))
            .expect("run `flotilla lab up`");
        assert!(
            out.status.success(),
            "`flotilla lab up {}` failed ({}):\n{}\n{}",
            lab.args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        lab
    }

    /// A Docker client on the lab's manager, with no service left from an interrupted run
    /// (`lab up` is idempotent, so an old lab may still hold some).
    pub async fn clean_manager(&self) -> bollard::Docker {
        let docker =
            bollard::Docker::connect_with_http(&self.manager, 120, bollard::API_DEFAULT_VERSION)
                .expect("the lab manager's address")
                .negotiate_version()
                .await
                .expect("the lab manager answers");
        super::swarm::remove_every_service(&docker).await;
        docker
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let down = std::process::Command::new(&self.bin)
            .args(["lab", "down"])
            .args(&self.args)
            .output();
        match down {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "`flotilla lab down {}` failed ({}):\n{}",
                self.args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("could not run `flotilla lab down`: {e}"),
        }
    }
}
