//! What the browser tests need around them: the flotilla binary and built front end, a lab,
//! a panel, a WebDriver (chromedriver driving headless Chromium), and a cuttable TCP proxy.
//! Every process is stopped on drop, so a failing test leaves nothing running.
#![allow(dead_code)]

pub mod browser;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The flotilla binary and the site root, checked to exist.
pub fn built() -> (PathBuf, PathBuf) {
    let bin = std::env::var_os("FLOTILLA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/debug/flotilla"));
    let site = std::env::var_os("FLOTILLA_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/site"));
    assert!(
        bin.is_file(),
        "{} is missing: `cargo build -p flotilla-server` (scripts/test.sh does it)",
        bin.display()
    );
    let wasm = ["flotilla_bg.wasm", "flotilla.wasm"]
        .iter()
        .any(|f| site.join("pkg").join(f).is_file());
    assert!(
        wasm,
        "no front end in {}: run scripts/build-front.sh (scripts/test.sh does it)",
        site.display()
    );
    (bin, site)
}

/// Polls `check` until it returns Some, or panics after `limit` naming `what`.
pub async fn wait_until<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `flotilla lab up` on enter, `lab down` on drop, under a name and ports of its own.
pub struct Lab {
    bin: PathBuf,
    pub args: Vec<String>,
    pub manager: String,
}

impl Lab {
    pub fn up(bin: &PathBuf, name: &str, api_port: u16, registry_port: u16) -> Lab {
        let args: Vec<String> = [
            "--name",
            name,
            "--api-port",
            &api_port.to_string(),
            "--registry-port",
            &registry_port.to_string(),
        ]
        .map(String::from)
        .to_vec();
        let lab = Lab {
            bin: bin.clone(),
            args,
            manager: format!("127.0.0.1:{api_port}"),
        };
        let out = Command::new(bin)
            .args(["lab", "up"])
            .args(&lab.args)
            .output()
            .expect("run lab up");
        assert!(
            out.status.success(),
            "lab up failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        lab
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(&self.bin)
            .args(["lab", "down"])
            .args(&self.args)
            .output();
    }
}

/// A running `flotilla serve`.
pub struct Panel {
    child: Child,
    pub url: String,
}

impl Panel {
    pub fn start(bin: &PathBuf, site: &PathBuf, docker: &str) -> Panel {
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--docker",
                docker,
                "--addr",
                "127.0.0.1:0",
                "--site-root",
            ])
            .arg(site)
            .arg("--audit-log")
            .arg(
                std::env::temp_dir()
                    .join(format!("flotilla-e2e-audit-{}.jsonl", std::process::id())),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start flotilla serve");
        let stdout = child.stdout.take().expect("stdout");
        for line in BufReader::new(stdout).lines() {
            if let Some(url) = line.expect("panel output").strip_prefix("Flotilla panel: ") {
                return Panel {
                    child,
                    url: url.to_string(),
                };
            }
        }
        panic!("flotilla serve exited without printing its address");
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Forwards a local port to `target`; `cut` drops the listener and every open connection.
pub struct Proxy {
    pub port: u16,
    target: String,
    stop: Arc<Notify>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut proxy = Proxy {
            port,
            target: target.to_string(),
            stop: Arc::new(Notify::new()),
            task: None,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let (stop, target) = (self.stop.clone(), self.target.clone());
        self.task = Some(tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut client, _)) = accepted else { continue };
                        let target = target.clone();
                        links.spawn(async move {
                            if let Ok(mut upstream) = TcpStream::connect(&target).await {
                                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                            }
                        });
                    }
                    _ = stop.notified() => return,
                }
            }
        }));
    }

    pub async fn cut(&mut self) {
        self.stop.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind");
        self.serve(listener);
    }
}
