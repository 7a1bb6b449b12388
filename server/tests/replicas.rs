//! Panel replicas share nothing but their secrets (deploy/flotilla.yml: the admin token and
//! the session key): a session made on one replica is good on another, and one signed with
//! another key is not. No engine needed: sessions are the panel's own.

mod support;

use std::sync::atomic::AtomicUsize;
use support::client::Client;
use support::panel::Panel;

const ADMIN: &str = "replicas-test-admin-token-0123456789abcdef";

fn key_file(name: &str, key: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::write(&path, key).expect("write the key file");
    path
}

fn replica(key: &std::path::Path) -> Panel {
    let key = key.to_str().expect("a UTF-8 path");
    // Nothing listens on port 1: the panel starts anyway and shows the engine as away.
    Panel::start_with_env(
        "tcp://127.0.0.1:1",
        &[],
        &[
            ("FLOTILLA_ADMIN_TOKEN", ADMIN),
            ("FLOTILLA_SESSION_KEY_FILE", key),
        ],
    )
}

/// The role `/api/me` gives the cookie on `panel`, and whether it is signed in.
async fn who(panel: &Panel, cookie: &str) -> (String, bool) {
    let client = Client {
        addr: panel.addr.clone(),
        cookie: cookie.to_string(),
        sent: AtomicUsize::new(0),
    };
    let (status, me) = client.get("/api/me").await;
    assert_eq!(status, 200, "{me}");
    (
        me["role"].as_str().unwrap_or_default().to_string(),
        me["signed_in"].as_bool().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_session_made_on_one_replica_is_good_on_another() {
    let shared = key_file("flotilla-replicas-key", &"k".repeat(48));
    let other = key_file("flotilla-replicas-other-key", &"o".repeat(48));
    let (first, second) = (replica(&shared), replica(&shared));
    let stranger = replica(&other);

    let session = Client::login(&first, ADMIN).await;
    assert_eq!(who(&first, &session.cookie).await, ("admin".into(), true));
    assert_eq!(
        who(&second, &session.cookie).await,
        ("admin".into(), true),
        "the second replica reads the first one's session"
    );
    let (role, signed_in) = who(&stranger, &session.cookie).await;
    assert!(
        !signed_in && role != "admin",
        "a panel with another key must not take the session (got {role}, signed in: {signed_in})"
    );
    for path in [shared, other] {
        std::fs::remove_file(path).ok();
    }
}
