//! A running `flotilla serve`, on a free port, killed on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};

pub struct Panel {
    child: Child,
    pub addr: String,
    /// This panel's own audit log.
    pub audit_log: PathBuf,
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.audit_log);
    }
}

impl Panel {
    /// Starts the panel for `docker` and waits for the address it prints.
    pub fn start(docker: &str, extra: &[&str]) -> Panel {
        Panel::start_with_env(docker, extra, &[])
    }

    pub fn start_with_env(docker: &str, extra: &[&str], env: &[(&str, &str)]) -> Panel {
        static PANELS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = PANELS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let audit_log = std::env::temp_dir().join(format!(
            "flotilla-test-audit-{}-{n}.jsonl",
            std::process::id()
        ));
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
            .arg("--audit-log")
            .arg(&audit_log)
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start flotilla serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut panel = Panel {
            child,
            addr: String::new(),
            audit_log,
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
