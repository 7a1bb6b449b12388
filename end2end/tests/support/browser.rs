//! Headless Chromium through chromedriver, with or without JavaScript. chromedriver runs in
//! its own process group so that dropping the guard also ends the Chromium it started.

use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver; scripts/test.sh does it)");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        super::wait_until(
            "chromedriver to listen",
            Duration::from_secs(30),
            || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()
            },
        )
        .await;
        driver
    }

    /// A new browser session with its own empty profile.
    pub async fn browser(&self, javascript: bool) -> Client {
        let profile = std::env::temp_dir().join(format!(
            "flotilla-e2e-chromium-{}-{javascript}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1600,1000",
        ]
        .map(String::from)
        .to_vec();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut options = serde_json::json!({ "args": args, "binary": "/usr/bin/chromium" });
        if !javascript {
            // Content setting 2 = block: the page's own scripts never run (WebDriver still works).
            options["prefs"] =
                serde_json::json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium process it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Values of `attribute` on every element matching `css`.
pub async fn attributes(client: &Client, css: &str, attribute: &str) -> Vec<String> {
    let mut values = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
        if let Ok(Some(value)) = element.attr(attribute).await {
            values.push(value);
        }
    }
    values
}

pub async fn count(client: &Client, css: &str) -> usize {
    client
        .find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}
