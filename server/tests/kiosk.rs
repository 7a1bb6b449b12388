//! The wall-screen mode against the real binary: with `--view token` nothing of the cluster
//! reaches a browser without a session (page, snapshot, websocket); a viewer token or a
//! kiosk link gives one; revoking the link ends that screen's feed within one beat, and the
//! link, like any session, survives a restart of the panel.

mod support;

use serde_json::json;
use std::time::Duration;
use support::client::Client;
use support::panel::Panel;
use support::viewer::Viewer;

const ADMIN: &str = "kiosk-admin-token-0123456789-abcdefgh";
const VIEWER: &str = "kiosk-viewer-token-0123456789-abcdefg";

fn panel(extra: &[&str], state: &std::path::Path) -> Panel {
    let kiosks = state.join("kiosks.json");
    let key = state.join("session.key");
    let mut args = vec![
        "--view",
        "token",
        "--beat-secs",
        "1",
        "--kiosk-file",
        kiosks.to_str().expect("path"),
        "--session-key-file",
        key.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    Panel::start_with_env(
        "unix:///var/run/docker.sock",
        &args,
        &[
            ("FLOTILLA_ADMIN_TOKEN", ADMIN),
            ("FLOTILLA_VIEWER_TOKEN", VIEWER),
        ],
    )
}

/// A directory for one test's kiosk file and session key, removed at the end.
struct State(std::path::PathBuf);

impl State {
    fn new(test: &str) -> State {
        let dir =
            std::env::temp_dir().join(format!("flotilla-kiosk-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("state dir");
        std::fs::write(dir.join("session.key"), "s".repeat(48)).expect("key");
        State(dir)
    }
}

impl Drop for State {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn set_cookie(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .and_then(|(_, v)| v.split(';').next())
        .map(String::from)
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_session_nothing_of_the_cluster_is_shown() {
    let _swarm = support::swarm::SingleNodeSwarm::acquire().await;
    let state = State::new("anonymous");
    let panel = panel(&[], &state.0);
    let (status, _, page) = support::http(&panel.addr, "GET", "/", &[], "")
        .await
        .expect("page");
    assert_eq!(status, 200);
    assert!(page.contains("log in to see the cluster"), "{page}");
    assert!(!page.contains("task-card"), "the page showed tasks");
    let upgrade = support::WS_UPGRADE;
    let (status, _, _) = support::http(&panel.addr, "GET", "/ws", &upgrade, "")
        .await
        .expect("ws");
    assert_eq!(status, 401);
    // The viewer token is a session like any other: the feed opens with it.
    let viewer = Client::login(&panel, VIEWER).await;
    let (_, _, me) = support::http(
        &panel.addr,
        "GET",
        "/api/me",
        &[("Cookie", &viewer.cookie)],
        "",
    )
    .await
    .expect("me");
    assert!(
        me.contains("\"role\":\"viewer\"") && me.contains("\"signed_in\":true"),
        "{me}"
    );
    let mut watching = Viewer::connect_with_cookie(&panel.addr, &viewer.cookie).await;
    assert!(watching.snapshots >= 1);
    assert!(
        watching.next_beat(Duration::from_secs(5)).await,
        "the feed went quiet"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kiosk_link_lets_a_screen_in_until_it_is_revoked() {
    let _swarm = support::swarm::SingleNodeSwarm::acquire().await;
    let state = State::new("link");
    let panel = panel(&[], &state.0);
    let admin = Client::login(&panel, ADMIN).await;
    let (status, made) = admin
        .post("/api/kiosks", json!({ "name": "ops wall" }))
        .await;
    assert_eq!(status, 200, "{made}");
    let path = made["path"].as_str().expect("path").to_string();
    let id = made["link"]["id"].as_str().expect("id").to_string();
    assert!(
        path.starts_with("/kiosk/") && path.len() == "/kiosk/".len() + 64,
        "{path}"
    );

    // The screen opens the link: a viewer session and the wall layout, no log-in.
    let (status, headers, _) = support::http(&panel.addr, "GET", &path, &[], "")
        .await
        .expect("open");
    assert_eq!(status, 303);
    let location = headers
        .iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.as_str());
    assert_eq!(location, Some("/?kiosk=1"));
    let screen = set_cookie(&headers).expect("a session for the screen");
    let (status, _, page) =
        support::http(&panel.addr, "GET", "/?kiosk=1", &[("Cookie", &screen)], "")
            .await
            .expect("page");
    assert_eq!(status, 200);
    assert!(page.contains("class=\"kiosk\""), "not the wall layout");
    assert!(!page.contains("log in to see the cluster"), "{page}");
    // Listed with its last use; a wrong secret opens nothing.
    let (_, _, list) = support::http(
        &panel.addr,
        "GET",
        "/api/kiosks",
        &[("Cookie", &admin.cookie)],
        "",
    )
    .await
    .expect("list");
    assert!(
        list.contains("ops wall") && list.contains("\"last_used_ms\":1"),
        "{list}"
    );
    let wrong = format!("/kiosk/{}", "0".repeat(64));
    let (status, headers, _) = support::http(&panel.addr, "GET", &wrong, &[], "")
        .await
        .expect("wrong");
    assert_eq!(status, 404);
    assert!(set_cookie(&headers).is_none());

    // The screen's session survives a restart of the panel (same key, same kiosk file).
    drop(panel);
    let panel = self::panel(&[], &state.0);
    let admin = Client::login(&panel, ADMIN).await;
    let mut watching = Viewer::connect_with_cookie(&panel.addr, &screen).await;
    assert!(watching.snapshots >= 1);

    // Revoked: the feed ends within a beat (one second here), with the code that tells the
    // browser to stop reconnecting, and the link and its session open nothing any more.
    let (status, body) = admin
        .post(&format!("/api/kiosks/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let close = watching.closed_within(Duration::from_secs(5)).await;
    assert_eq!(
        close.map(|(code, _)| code),
        Some(flotilla_app::api::ACCESS_ENDED)
    );
    let (status, _, _) = support::http(&panel.addr, "GET", &path, &[], "")
        .await
        .expect("open");
    assert_eq!(status, 404);
    let (_, _, page) = support::http(&panel.addr, "GET", "/", &[("Cookie", &screen)], "")
        .await
        .expect("page");
    assert!(
        page.contains("log in to see the cluster"),
        "the revoked session still sees"
    );
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit");
    assert!(log.contains("kiosk.revoke"), "{log}");
}
