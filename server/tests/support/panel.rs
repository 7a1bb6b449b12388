//! A running `flotilla serve`, on a free port, killed on drop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

pub struct Panel {
    child: Child,
    pub addr: String,
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Panel {
    /// Starts the panel for `docker` and waits for the address it prints.
    pub fn start(docker: &str, extra: &[&str]) -> Panel {
        let mut child = super::flotilla()
            .args([
                "serve",
                "--docker",
                docker,
                "--addr",
                "127.0.0.1:0",
                "--site-root",
                "target/site",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start flotilla serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut panel = Panel {
            child,
            addr: String::new(),
        };
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read panel output");
            if let Some(url) = line.strip_prefix("Flotilla panel: http://") {
                panel.addr = url.trim_end_matches('/').to_string();
                return panel;
            }
        }
        panic!("flotilla serve exited without printing its address");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the panel process, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}
