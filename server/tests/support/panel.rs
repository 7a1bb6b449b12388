//! A running `flotilla serve`, on a free port, killed on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};

pub struct Panel {
    child: Child,
    pub addr: String,
    /// This panel's audit log: its own temporary file unless the test gave `--audit-log`.
    pub audit_log: PathBuf,
    owns_audit_log: bool,
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_audit_log {
            let _ = std::fs::remove_file(&self.audit_log);
        }
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
        let given = extra
            .iter()
            .position(|a| *a == "--audit-log")
            .and_then(|i| extra.get(i + 1));
        let audit_log = match given {
            Some(path) => PathBuf::from(path),
            None => std::env::temp_dir().join(format!(
                "flotilla-test-audit-{}-{n}.jsonl",
                std::process::id()
            )),
        };
        let own_log: Vec<&std::ffi::OsStr> = match given {
            Some(_) => vec![],
            None => vec!["--audit-log".as_ref(), audit_log.as_os_str()],
        };
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
            .args(own_log)
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
            owns_audit_log: given.is_none(),
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

    /// `kill -<signal> <pid>`, e.g. "USR1".
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {}: {status}", self.pid());
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
