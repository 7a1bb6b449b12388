//! A running `flotilla serve` on a free port, killed on drop. Its stdout and stderr go to a
//! log file (stdout is copied there by a thread that reads it to the end, so the panel never
//! writes into a closed pipe); if the test panics, the log is printed with the failure.

use std::ffi::{OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How long the panel may take to print its address.
const START_LIMIT: Duration = Duration::from_secs(60);
/// How much of the log's end a failing test prints.
const LOG_TAIL: u64 = 64 * 1024;

pub struct Panel {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// `http://127.0.0.1:PORT/`, as the panel printed it.
    pub url: String,
    /// Its audit log: a temporary file of its own unless the caller gave `--audit-log`.
    pub audit_log: PathBuf,
    owns_audit_log: bool,
    /// Its stdout and stderr.
    pub log: PathBuf,
    owns_log: bool,
    /// Closed when the thread copying stdout into the log has finished.
    copied: mpsc::Receiver<()>,
}

/// What to start: see [`Panel::launch`].
pub struct Launch {
    bin: PathBuf,
    docker: String,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    log: Option<PathBuf>,
}

impl Panel {
    /// `<bin> serve --docker <docker> --addr 127.0.0.1:0`, plus what the [`Launch`] adds;
    /// [`Launch::start`] runs it.
    pub fn launch(bin: impl AsRef<Path>, docker: &str) -> Launch {
        Launch {
            bin: bin.as_ref().to_path_buf(),
            docker: docker.to_string(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            log: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -<signal> <pid>`, e.g. "USR1".
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {}: {status}", self.pid());
    }

    /// The panel's exit status once it has exited, waiting up to `limit` (polling, as
    /// `wait_until` does); None if it still runs then.
    pub fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(crate::POLL_EVERY / 4)
                }
                _ => return None,
            }
        }
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

impl Launch {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Launch {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Launch {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn envs<K: AsRef<OsStr>, V: AsRef<OsStr>>(
        mut self,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Launch {
        self.env.extend(
            env.into_iter()
                .map(|(k, v)| (k.as_ref().to_os_string(), v.as_ref().to_os_string())),
        );
        self
    }

    /// Leaves `name` out of the environment the panel inherits (`envs` may still set it).
    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Launch {
        self.env_remove.push(name.as_ref().to_os_string());
        self
    }

    /// Writes the panel's output to `path` (appending), and leaves the file there. Without
    /// this, the log is a temporary file, removed on drop (once printed, if the test failed).
    pub fn log(mut self, path: impl Into<PathBuf>) -> Launch {
        self.log = Some(path.into());
        self
    }

    /// Starts the panel and waits for the line with its address; panics (with its log) if it
    /// exits first or prints none within a minute.
    pub fn start(self) -> Panel {
        static PANELS: AtomicU32 = AtomicU32::new(0);
        let n = PANELS.fetch_add(1, Ordering::Relaxed);
        let temp = |what: &str, ext: &str| {
            let name = format!("flotilla-test-{what}-{}-{n}.{ext}", std::process::id());
            std::env::temp_dir().join(name)
        };
        let given_audit = self.args.iter().enumerate().find_map(|(i, a)| {
            let text = a.to_str()?;
            match text.strip_prefix("--audit-log") {
                Some("") => self.args.get(i + 1).map(PathBuf::from),
                Some(path) => path.strip_prefix('=').map(PathBuf::from),
                None => None,
            }
        });
        let owns_audit_log = given_audit.is_none();
        let audit_log = given_audit.unwrap_or_else(|| temp("audit", "jsonl"));
        let owns_log = self.log.is_none();
        let log = self.log.unwrap_or_else(|| temp("panel", "log"));
        let append = || {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .unwrap_or_else(|e| panic!("open the panel log {}: {e}", log.display()))
        };
        let mut command = Command::new(&self.bin);
        command.args([
            "serve",
            "--docker",
            self.docker.as_str(),
            "--addr",
            "127.0.0.1:0",
        ]);
        if owns_audit_log {
            command.arg("--audit-log").arg(&audit_log);
        }
        // Stacks deployed from a test's panel are kept apart from the working directory.
        if !self
            .args
            .iter()
            .any(|a| a.to_str().is_some_and(|a| a.starts_with("--stack-dir")))
        {
            command.arg("--stack-dir").arg(temp("stacks", "d"));
        }
        for name in &self.env_remove {
            command.env_remove(name);
        }
        let mut child = command
            .args(&self.args)
            .envs(self.env)
            .stdout(Stdio::piped())
            .stderr(append())
            .spawn()
            .unwrap_or_else(|e| panic!("start `{} serve`: {e}", self.bin.display()));

        let stdout = child.stdout.take().expect("piped stdout");
        let (address, told) = mpsc::channel();
        let (done, copied) = mpsc::channel::<()>();
        let mut copy: File = append();
        std::thread::spawn(move || {
            let _done = done;
            let mut stdout = BufReader::new(stdout);
            let mut line = Vec::new();
            while matches!(stdout.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let _ = copy.write_all(&line);
                let text = String::from_utf8_lossy(&line);
                if let Some(url) = text.strip_prefix("Flotilla panel: ") {
                    let _ = address.send(url.trim().to_string());
                }
                line.clear();
            }
        });
        let failed = match told.recv_timeout(START_LIMIT) {
            Ok(url) => {
                let addr = url.trim_start_matches("http://").trim_end_matches('/');
                return Panel {
                    child,
                    addr: addr.to_string(),
                    url,
                    audit_log,
                    owns_audit_log,
                    log,
                    owns_log,
                    copied,
                };
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                format!("printed no address within {START_LIMIT:?}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait();
                format!("exited ({status:?}) without printing its address")
            }
        };
        let _ = copied.recv_timeout(Duration::from_secs(5));
        let tail = log_tail(&log, owns_log);
        if owns_log {
            let _ = std::fs::remove_file(&log);
        }
        if owns_audit_log {
            let _ = std::fs::remove_file(&audit_log);
        }
        panic!("`flotilla serve` {failed}; {tail}");
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Its output up to the end, before the log is printed or removed.
        let _ = self.copied.recv_timeout(Duration::from_secs(5));
        if std::thread::panicking() {
            eprintln!("{}", log_tail(&self.log, self.owns_log));
        }
        if self.owns_audit_log {
            let _ = std::fs::remove_file(&self.audit_log);
        }
        if self.owns_log {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// The panel's log for a failure message: its last `LOG_TAIL` bytes, and where it is kept
/// unless it is a temporary file about to be removed.
fn log_tail(log: &Path, temporary: bool) -> String {
    let kept = match temporary {
        true => String::new(),
        false => format!(", kept in {}", log.display()),
    };
    let mut text = Vec::new();
    let read = File::open(log).and_then(|mut file| {
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL)))?;
        file.read_to_end(&mut text)
    });
    match read {
        Ok(_) => format!(
            "the panel's log (its last {} bytes{kept}):\n{}",
            text.len(),
            String::from_utf8_lossy(&text)
        ),
        Err(e) => format!("the panel's log ({}): {e}", log.display()),
    }
}
