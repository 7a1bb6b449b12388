//! A panel told to stop (SIGTERM: `docker stop`, a swarm update) stops well: its viewers are
//! told it restarts (close 1012, so browsers reconnect at once to whatever serves next), a
//! change it started finishes, is answered and audited, and it exits cleanly. The panel
//! reaches the host engine (single-node swarm) through a proxy that holds its requests, so
//! the change is surely still in flight when the signal lands.

mod support;

use serde_json::json;
use std::time::Duration;
use support::client::Client;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::viewer::Viewer;

const ADMIN: &str = "stopping-test-admin-token-0123456789abcdef";
const STACK: &str = "flotilla-stopping";
/// Services in the stack.
const SERVICES: usize = 3;

fn compose() -> String {
    let mut text = String::from("version: \"3.8\"\nservices:\n");
    for n in 0..SERVICES {
        text.push_str(&format!(
            "  s{n}:\n    image: {}\n    deploy:\n      replicas: 0\n",
            support::image::TEST_IMAGE
        ));
    }
    text
}

// Multi-threaded: starting the panel blocks this thread while the proxy must go on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_panel_tells_its_viewers_and_finishes_what_it_started() {
    let swarm = SingleNodeSwarm::acquire().await;
    support::image::ensure_test_image(&swarm.docker).await;
    support::stacks::clear_stacks(&[STACK.to_string()]).await;
    let proxy = support::Proxy::to_unix("/var/run/docker.sock").await;
    let mut panel = Panel::start_with_env(
        &proxy.docker_address(),
        &[],
        &[("FLOTILLA_ADMIN_TOKEN", ADMIN)],
    );
    let mut viewer = Viewer::connect(&panel.addr).await;
    viewer
        .until("the engine live", Duration::from_secs(30), |v| {
            matches!(v.engine, flotilla_app::protocol::EngineStatus::Live)
        })
        .await;
    let admin = Client::login(&panel, ADMIN).await;

    let upload = json!({
        "stack": STACK,
        "compose": [{ "name": "stack.yml", "text": compose() }],
        "files": [],
        "variables": "",
        "resolve_image": "never",
    });
    // Docker calls made from now on wait in the proxy until it lets them go.
    proxy.hold();
    let deploy = tokio::spawn(async move { admin.post("/api/stacks", upload).await });
    // The signal lands once the deploy has begun: its attempt is in the audit log, written
    // before Docker is first called.
    let audit_log = panel.audit_log.clone();
    support::wait_until("the deploy's attempt line", Duration::from_secs(30), || {
        let audit_log = audit_log.clone();
        async move {
            let log = std::fs::read_to_string(&audit_log).unwrap_or_default();
            log.lines()
                .any(|l| l.contains("stack.deploy") && l.contains("\"attempt\""))
                .then_some(())
        }
    })
    .await;
    panel.signal("TERM");

    let close = viewer.closed_within(Duration::from_secs(10)).await;
    let (code, reason) = close.expect("the viewer is closed with a reason");
    assert_eq!(code, flotilla_app::api::RESTARTING, "{reason}");
    assert!(reason.contains("restarting"), "{reason}");
    assert!(
        !deploy.is_finished(),
        "the deploy cannot have finished: its Docker calls are held"
    );
    proxy.release();

    let (status, report) = deploy.await.expect("the deploy request");
    assert_eq!(status, 200, "the deploy in flight finishes: {report}");
    assert!(report["failed"].is_null(), "{report}");
    let status = panel
        .exited_within(Duration::from_secs(60))
        .expect("the panel exits");
    assert!(status.success(), "exit status {status}");

    let log = std::fs::read_to_string(&panel.audit_log).expect("the audit log");
    support::client::assert_each_attempt_completed(&log);
    let services = support::stacks::list(support::stacks::Kind::Service, STACK)
        .await
        .expect("list the stack's services");
    assert_eq!(services.len(), SERVICES, "every service of the deploy made");
    support::stacks::remove_stacks(&[STACK.to_string()]).await;
    drop(swarm);
}
