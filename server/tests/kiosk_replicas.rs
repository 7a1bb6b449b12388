//! Kiosk links kept in the swarm (`--kiosk-store swarm`) are shared by panel replicas, as
//! sessions are: a link made on one replica opens on another, and revoking it on the first
//! ends the screen watching the second within seconds. Each link is a swarm config holding
//! the SHA-256 of its secret, never the secret; here on the host engine's single-node swarm.

mod support;

use base64::Engine as _;
use bollard::query_parameters::ListConfigsOptions;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::client::Client;
use support::panel::Panel;
use support::viewer::Viewer;
use support::wait_until;

const ADMIN: &str = "kiosk-replicas-admin-token-0123456789abcdef";
/// The label each link's config carries, its value the link's id.
const LABEL: &str = "io.flotilla.kiosk";
/// Within this a replica must see what another did.
const DEADLINE: Duration = Duration::from_secs(10);

/// The shared session key, and the configs of the links this test made (`docker config rm`
/// is all Drop can do without a runtime; the revocation removes them when all goes well).
struct Cleanup {
    key: PathBuf,
    configs: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.key);
        if !self.configs.is_empty() {
            let _ = std::process::Command::new("docker")
                .args(["config", "rm"])
                .args(&self.configs)
                .output();
        }
    }
}

/// A panel replica keeping its kiosk links in the swarm, shown to sessions only, one beat a
/// second: the first told by the switch, the others by the variable.
fn replica(key: &std::path::Path, by_switch: bool) -> Panel {
    let mut args = vec!["--view", "token", "--beat-secs", "1"];
    let mut env = vec![
        ("FLOTILLA_ADMIN_TOKEN", ADMIN),
        (
            "FLOTILLA_SESSION_KEY_FILE",
            key.to_str().expect("a UTF-8 path"),
        ),
    ];
    if by_switch {
        args.extend(["--kiosk-store", "swarm"]);
    } else {
        env.push(("FLOTILLA_KIOSK_STORE", "swarm"));
    }
    Panel::start_with_env("unix:///var/run/docker.sock", &args, &env)
}

/// GET of a kiosk link: the status, and the session cookie (`name=value`) it set, if any.
async fn open(panel: &Panel, path: &str) -> (u16, Option<String>) {
    let (status, headers, _) = support::http(&panel.addr, "GET", path, &[], "")
        .await
        .expect("open the link");
    let cookie = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .and_then(|(_, v)| v.split(';').next())
        .map(String::from);
    (status, cookie)
}

/// The link `id` as `GET /api/kiosks` lists it, if it does.
async fn listed(admin: &Client, id: &str) -> Option<Value> {
    let (status, list) = admin.get("/api/kiosks").await;
    assert_eq!(status, 200, "{list}");
    list.as_array()?.iter().find(|l| l["id"] == id).cloned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kiosk_link_made_on_one_replica_opens_on_another_until_revoked() {
    let swarm = support::swarm::SingleNodeSwarm::acquire().await;
    let key = std::env::temp_dir().join(format!("flotilla-kiosk-replicas-{}", std::process::id()));
    std::fs::write(&key, "r".repeat(48)).expect("write the key file");
    let mut cleanup = Cleanup {
        key: key.clone(),
        configs: vec![],
    };
    let (a, b) = (replica(&key, true), replica(&key, false));
    let (admin_a, admin_b) = (
        Client::login(&a, ADMIN).await,
        Client::login(&b, ADMIN).await,
    );

    // Made on A: a config in the swarm, holding the secret's hash and never the secret.
    let (status, made) = admin_a
        .post("/api/kiosks", json!({ "name": "lobby wall" }))
        .await;
    assert_eq!(status, 200, "{made}");
    let made_at = Instant::now();
    let path = made["path"].as_str().expect("path").to_string();
    let id = made["link"]["id"].as_str().expect("id").to_string();
    let config_name = format!("flotilla-kiosk-{id}");
    cleanup.configs.push(config_name.clone());
    let secret = path.trim_start_matches("/kiosk/");
    let config = swarm
        .docker
        .inspect_config(&config_name)
        .await
        .expect("the link's config");
    let spec = config.spec.expect("a spec");
    let labels = spec.labels.unwrap_or_default();
    assert_eq!(labels.get(LABEL), Some(&id), "{labels:?}");
    assert_eq!(
        labels.get("io.flotilla.kiosk.name").map(String::as_str),
        Some("lobby wall")
    );
    let data = base64::engine::general_purpose::STANDARD
        .decode(spec.data.unwrap_or_default())
        .expect("base64 data");
    let hash: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(String::from_utf8_lossy(&data), hash);
    let every = swarm
        .docker
        .list_configs(None::<ListConfigsOptions>)
        .await
        .expect("configs");
    for config in every {
        let spec = config.spec.unwrap_or_default();
        let data = base64::engine::general_purpose::STANDARD
            .decode(spec.data.unwrap_or_default())
            .unwrap_or_default();
        assert_ne!(
            data,
            secret.as_bytes(),
            "config {:?} holds the secret",
            spec.name
        );
    }

    // B learns of it from the swarm (listed, so that no refused open counts as a failure).
    wait_until("replica B to list the link made on A", DEADLINE, || {
        listed(&admin_b, &id)
    })
    .await;
    println!(
        "a link made on A was listed on B after {:?}",
        made_at.elapsed()
    );
    let (status, screen) = open(&b, &path).await;
    assert_eq!(status, 303, "the link did not open on B");
    let screen = screen.expect("a session for the screen");
    let mut watching = Viewer::connect_with_cookie(&b.addr, &screen).await;
    assert!(watching.snapshots >= 1);
    // The last use is each replica's own.
    let on_b = listed(&admin_b, &id).await.expect("listed on B");
    assert!(on_b["last_used_ms"].as_u64().is_some(), "{on_b}");
    let on_a = listed(&admin_a, &id).await.expect("listed on A");
    assert!(on_a["last_used_ms"].is_null(), "{on_a}");

    // Revoked on A: gone from the swarm at once, refused by B within the deadline, and B's
    // screen told its access ended.
    let (status, body) = admin_a
        .post(&format!("/api/kiosks/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let revoked_at = Instant::now();
    let inspected = swarm.docker.inspect_config(&config_name).await;
    assert!(
        matches!(
            inspected,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                ..
            })
        ),
        "the config is still there: {inspected:?}"
    );
    cleanup.configs.clear();
    assert_eq!(open(&a, &path).await.0, 404, "A still opens the link");
    wait_until("replica B to refuse the revoked link", DEADLINE, || async {
        match open(&b, &path).await {
            (404, _) => Ok(()),
            (status, _) => Err(format!("status {status}")),
        }
    })
    .await;
    println!(
        "a link revoked on A was refused on B after {:?}",
        revoked_at.elapsed()
    );
    let close = watching.closed_within(DEADLINE).await;
    assert_eq!(
        close.map(|(code, _)| code),
        Some(flotilla_app::api::ACCESS_ENDED),
        "B's kiosk feed was not ended"
    );
    println!(
        "B's kiosk feed ended {:?} after the revocation",
        revoked_at.elapsed()
    );
    let (_, _, page) = support::http(&b.addr, "GET", "/", &[("Cookie", &screen)], "")
        .await
        .expect("page");
    assert!(
        page.contains("log in to see the cluster"),
        "the revoked screen's session still sees on B"
    );
}
