//! A panel that shows the cluster only to sessions (`--view token`), under its Content
//! Security Policy: without a session the page offers the log-in form and nothing else; an
//! admin logs in, makes a kiosk link in the page; a second browser (another profile, as a
//! wall screen) opens the link and sees the live grid with no log-in and no controls; the
//! admin revokes the link and the screen's access ends within a beat.

use crate::support::Scratch;
use crate::support::browser::{Browser, Driver};
use crate::support::panel::Panel;
use crate::support::swarm::{LIMIT, live};
use crate::support::wait_until;
use crate::{RUNNING_ECHO_CARDS, TOKEN};

pub async fn a_kiosk_link_on_a_token_only_panel(
    build: &crate::support::Build,
    manager: &str,
    scratch: &Scratch,
    driver: &Driver,
) {
    let key = scratch.dir.join("kiosk-session.key");
    std::fs::write(&key, "k".repeat(64)).expect("session key");
    let kiosks = scratch.dir.join("kiosks.json");
    let panel = Panel::start_with(
        &build.bin,
        &build.site,
        manager,
        &scratch.dir,
        "kiosk",
        &[
            "--view",
            "token",
            "--beat-secs",
            "1",
            "--session-key-file",
            key.to_str().expect("path"),
            "--kiosk-file",
            kiosks.to_str().expect("path"),
        ],
        &[("FLOTILLA_ADMIN_TOKEN", TOKEN)],
    );
    let admin = driver.browser(true).await;
    admin.goto(&panel.url).await.expect("load the page");
    wait_until("the log-in form, alone", LIMIT, || {
        admin.count_is("form.login", 1)
    })
    .await;
    assert_eq!(admin.count("article.task-card").await.unwrap(), 0);
    assert_eq!(admin.count("#connection").await.unwrap(), 0);
    admin.fill("form.login input[name=token]", TOKEN).await;
    admin.click_on("form.login button[type=submit]").await;
    // Logged in, the page loads again with the cluster, and goes live under its policy.
    wait_until("the page to go live", LIMIT, || live(&admin)).await;
    let policy = admin
        .eval(
            "const r = new XMLHttpRequest(); r.open('GET', '/', false); r.send(); \
             return r.getResponseHeader('content-security-policy');",
            vec![],
        )
        .await
        .unwrap();
    let policy = policy.as_str().unwrap_or_default().to_string();
    assert!(
        policy.contains("default-src 'self'") && policy.contains("'nonce-"),
        "the live page runs without its policy: {policy:?}"
    );

    let url = make_link(&admin).await;
    let screen = driver.browser(true).await;
    screen.goto(&url).await.expect("open the kiosk link");
    wait_until("the wall screen to go live", LIMIT, || live(&screen)).await;
    wait_until("the echo tasks on the wall screen", LIMIT, || async {
        let n = screen.count(RUNNING_ECHO_CARDS).await?;
        if n > 0 {
            Ok(())
        } else {
            Err("no running echo cards".to_string())
        }
    })
    .await;
    for control in [
        "form.login",
        ".session",
        "section.create-service",
        "section.kiosks",
        ".toggles",
    ] {
        assert_eq!(
            screen.count(control).await.unwrap(),
            0,
            "{control} on the wall screen"
        );
    }
    assert_eq!(screen.count("div.kiosk").await.unwrap(), 1);
    let current = screen.current_url().await.expect("url");
    assert_eq!(current.query(), Some("kiosk=1"));

    admin
        .click_on(r#"tr.kiosk-link[data-kiosk="ops wall"] button.revoke-kiosk"#)
        .await;
    wait_until("the wall screen's access to end", LIMIT, || async {
        let state = screen.connection().await?;
        if state == "ended" {
            Ok(())
        } else {
            Err(format!("data-state={state}"))
        }
    })
    .await;
    let reloaded = screen.goto(&panel.url).await;
    assert!(reloaded.is_ok());
    wait_until("the revoked screen to be asked to log in", LIMIT, || {
        screen.count_is("form.login", 1)
    })
    .await;
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit");
    for action in ["kiosk.create", "kiosk.open", "kiosk.revoke"] {
        assert!(log.contains(action), "{action} not audited:\n{log}");
    }
    screen.close().await;
    admin.close().await;
}

/// Makes a kiosk link in the page and reads its address, shown once.
async fn make_link(admin: &Browser) -> String {
    admin
        .fill("form.create-kiosk input[name=name]", "ops wall")
        .await;
    admin
        .click_on("form.create-kiosk button[type=submit]")
        .await;
    wait_until("the new link's address", LIMIT, || async {
        let texts = admin.texts(".kiosk-url code").await?;
        texts
            .into_iter()
            .find(|t| t.contains("/kiosk/"))
            .ok_or_else(|| "no link shown".to_string())
    })
    .await
}
