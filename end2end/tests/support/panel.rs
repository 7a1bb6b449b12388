//! A running `flotilla serve` on a free port, killed on drop. Its output goes to a log file in
//! the scratch directory; stdout is read to the end (by a thread) so that the panel never
//! writes into a closed pipe.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const START_LIMIT: Duration = Duration::from_secs(60);

pub struct Panel {
    child: Child,
    /// `http://127.0.0.1:PORT/`, as the panel printed it.
    pub url: String,
    /// Its audit log.
    pub audit: PathBuf,
}

impl Panel {
    /// Starts `flotilla serve --docker <docker>` and waits for the line with its address.
    /// `name` tells this panel's files in `scratch` apart.
    pub fn start(bin: &Path, site: &Path, docker: &str, scratch: &Path, name: &str) -> Panel {
        Panel::start_with(bin, site, docker, scratch, name, &[], &[])
    }

    /// As `start`, with more arguments and environment (credentials come only from there).
    pub fn start_with(
        bin: &Path,
        site: &Path,
        docker: &str,
        scratch: &Path,
        name: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Panel {
        let audit = scratch.join(format!("audit-{name}.jsonl"));
        let log = scratch.join(format!("panel-{name}.log"));
        let append = || {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .expect("open the panel log")
        };
        let mut child = Command::new(bin)
            .args(["serve", "--docker", docker, "--addr", "127.0.0.1:0"])
            .arg("--site-root")
            .arg(site)
            .arg("--audit-log")
            .arg(&audit)
            .args(args)
            .env_remove("FLOTILLA_ADMIN_TOKEN")
            .env_remove("FLOTILLA_ADMIN_TOKEN_FILE")
            .env_remove("FLOTILLA_OPERATOR_TOKEN")
            .env_remove("FLOTILLA_OPERATOR_TOKEN_FILE")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(append())
            .spawn()
            .expect("start `flotilla serve`");
        let stdout = child.stdout.take().expect("piped stdout");
        let (address, told) = mpsc::channel();
        let mut copy: File = append();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let _ = writeln!(copy, "{line}");
                if let Some(url) = line.strip_prefix("Flotilla panel: ") {
                    let _ = address.send(url.trim().to_string());
                }
            }
        });
        match told.recv_timeout(START_LIMIT) {
            Ok(url) => Panel { child, url, audit },
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`flotilla serve` printed no address within {START_LIMIT:?}; log: {}",
                    log.display()
                )
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait();
                panic!(
                    "`flotilla serve` exited ({status:?}) without printing its address; log: {}",
                    log.display()
                )
            }
        }
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
