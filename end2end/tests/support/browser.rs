//! Headless Chromium through chromedriver (fantoccini as the WebDriver client), with or
//! without JavaScript.
//!
//! Cleanup is in two layers: a `Browser` closes its WebDriver session when dropped (which
//! quits its Chromium), and the `Driver` kills chromedriver's whole process group when
//! dropped. chromedriver is started as the leader of a new process group and the Chromium
//! processes it launches stay in that group, so a test that panics mid-way, or a session
//! that does not close, still leaves no browser running.

use super::{free_port, wait_until};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub struct Driver {
    child: Child,
    url: String,
    scratch: PathBuf,
    sessions: AtomicU32,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it accepts connections.
    pub async fn start(scratch: &std::path::Path) -> Driver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                scratch.join("chromedriver.log").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect(
                "start chromedriver: `apt-get install -y chromium chromium-driver` \
                 (scripts/install.sh --test does)",
            );
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            scratch: scratch.to_path_buf(),
            sessions: AtomicU32::new(0),
        };
        wait_until(
            "chromedriver to listen",
            Duration::from_secs(30),
            || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| e.to_string())
            },
        )
        .await;
        driver
    }

    /// A new headless Chromium with an empty profile of its own.
    pub async fn browser(&self, javascript: bool) -> Browser {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        let profile = self.scratch.join(format!("chromium-profile-{n}"));
        let mut options = json!({
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1600,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if !javascript {
            // The profile's content setting for JavaScript, 2 = block: what a user gets by
            // turning JavaScript off in the browser's settings. The page's scripts (inline and
            // module) never run, while WebDriver's own script execution, which the helpers
            // below use to read the DOM, still works. `--blink-settings=scriptEnabled=false`
            // behaves the same here; `page_scripts_ran` checks it on every run.
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        self.connect(capabilities).await
    }

    /// A session with capabilities of the caller's own (a bench that needs other Chromium
    /// flags or page-load strategy than the tests' `browser`).
    pub async fn connect(&self, capabilities: serde_json::Map<String, Value>) -> Browser {
        let client = ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no Chromium session ({e}); chromedriver log in {}",
                    self.scratch.display()
                )
            });
        Browser {
            client: Some(client),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group is chromedriver's own (process_group(0)): chromedriver and every Chromium
        // process it started, and nothing else.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session; closed on drop.
pub struct Browser {
    client: Option<Client>,
}

impl std::ops::Deref for Browser {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("an open session")
    }
}

impl Browser {
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            client.close().await.expect("close the browser session");
        }
    }

    /// Runs `script` in the page (WebDriver's execute, which works with the page's own
    /// JavaScript off too) and returns its result.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.execute(script, args).await.map_err(|e| e.to_string())
    }

    /// `attribute` of every element matching `css`, in document order, read in one go (so
    /// the list is never a mix of two renders).
    pub async fn attributes(&self, css: &str, attribute: &str) -> Result<Vec<String>, String> {
        let value = self
            .eval(
                "return Array.from(document.querySelectorAll(arguments[0]), \
                 e => e.getAttribute(arguments[1]) ?? '');",
                vec![json!(css), json!(attribute)],
            )
            .await?;
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// The text of every element matching `css`, trimmed.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, String> {
        let value = self
            .eval(
                "return Array.from(document.querySelectorAll(arguments[0]), \
                 e => e.textContent.trim());",
                vec![json!(css)],
            )
            .await?;
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    pub async fn count(&self, css: &str) -> Result<usize, String> {
        Ok(self.attributes(css, "id").await?.len())
    }

    /// Clicks the element as a user would, once it is scrolled to the middle of the window
    /// (the sticky top bar would take a click at the very top).
    pub async fn click_on(&self, css: &str) {
        self.eval(
            "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'}); return null;",
            vec![json!(css)],
        )
        .await
        .expect("scroll into view");
        self.find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Replaces what an input holds with `text`, typed as a user would.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        input.clear().await.expect("clear the input");
        input.send_keys(text).await.expect("type into the input");
    }

    /// For every element matching `css`, the `data-node` of the node column it sits in ("" if
    /// none): where the grid shows each task card.
    pub async fn columns_of(&self, css: &str) -> Vec<String> {
        let placed = self
            .eval(
                "return Array.from(document.querySelectorAll(arguments[0]), \
                 c => c.closest('section.node-column')?.dataset.node ?? '');",
                vec![json!(css)],
            )
            .await
            .expect("read the cards' columns");
        serde_json::from_value(placed).expect("a list of node names")
    }

    /// Ok once exactly `want` elements match `css`; else what was seen (for `wait_until`).
    pub async fn count_is(&self, css: &str, want: usize) -> Result<(), String> {
        let n = self.count(css).await?;
        if n == want {
            Ok(())
        } else {
            Err(format!("{n} × {css}"))
        }
    }

    /// Ok once exactly one element matches `css` and its text is `want`.
    pub async fn text_is(&self, css: &str, want: &str) -> Result<(), String> {
        let texts = self.texts(css).await?;
        if texts.len() == 1 && texts[0] == want {
            Ok(())
        } else {
            Err(format!("{css}: {texts:?}"))
        }
    }

    /// The connection indicator's `data-state`.
    pub async fn connection(&self) -> Result<String, String> {
        let mut states = self.attributes("#connection", "data-state").await?;
        match states.len() {
            1 => Ok(states.remove(0)),
            n => Err(format!("{n} #connection elements")),
        }
    }

    /// Whether the page's own scripts ran. A viewer's page is marked `data-started` by its
    /// bundle as it starts; every server-rendered Leptos page (a control session's) ends with
    /// an inline `<script>` that defines `window.__RESOLVED_RESOURCES`. With JavaScript off
    /// neither happens. (WebDriver's script runs in the page either way, which is what makes
    /// this a probe; the JavaScript-on scenario checks that it answers true there.)
    pub async fn page_scripts_ran(&self) -> Result<bool, String> {
        let value = self
            .eval(
                "return document.documentElement.hasAttribute('data-started') \
                   || typeof window.__RESOLVED_RESOURCES !== 'undefined';",
                vec![],
            )
            .await?;
        value
            .as_bool()
            .ok_or_else(|| format!("not a bool: {value}"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Only when the test did not close it, i.e. it is failing. Drop cannot await: close
        // the session from another thread on the test's runtime, within a bound.
        let Some(client) = self.client.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let closing = std::thread::spawn(move || {
            runtime.block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
            })
        });
        let _ = closing.join();
    }
}
