//! `flotilla serve` against the host engine in single-node swarm mode: the page served lists
//! the swarm's nodes from the Docker API, and an unreachable engine is reported, not fatal.

mod support;

use std::time::Duration;
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;

#[tokio::test]
async fn page_lists_the_swarm_nodes() {
    let swarm = SingleNodeSwarm::acquire().await;
    let hostname = swarm.hostname().await;

    let panel = Panel::start("unix:///var/run/docker.sock", &[]);
    let (status, body) =
        support::wait_until("the panel to answer", Duration::from_secs(30), || async {
            support::http_get(&panel.addr, "/").await.ok()
        })
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        support::lists_node(&body, &hostname),
        "node {hostname} missing:\n{body}"
    );
    assert!(body.contains("1 node<"), "summary missing:\n{body}");
    assert!(body.contains("Leader"), "manager status missing:\n{body}");
    drop(swarm);
}

#[tokio::test]
async fn unreachable_engine_is_reported_on_the_page() {
    // Nothing listens on port 9 (discard) here: the engine is unreachable. The panel still
    // serves, and once its first attempt has failed the page says so, with Docker's reason.
    let panel = Panel::start("tcp://127.0.0.1:9", &[]);
    let body = support::wait_until(
        "the page to report the engine",
        Duration::from_secs(30),
        || async {
            let (status, body) = support::http_get(&panel.addr, "/").await.ok()?;
            assert_eq!(status, 200);
            body.contains(r#"data-state="stale""#).then_some(body)
        },
    )
    .await;
    assert!(
        body.contains("The Docker engine cannot be reached"),
        "{body}"
    );
    assert!(
        body.contains("cannot reach a Docker engine at tcp://127.0.0.1:9"),
        "{body}"
    );
}

/// One GET with `headers`, the body as bytes as it came (compressed if the server chose to).
async fn fetch(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let mut request = axum::http::Request::get(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(
            request
                .body(http_body_util::Empty::new())
                .expect("a request"),
        )
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("the body").to_bytes().to_vec();
    (parts.status.as_u16(), parts.headers, body)
}

fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The href of the page's `rel="modulepreload"` link: the bundle it hydrates with.
fn bundle_of(page: &str) -> String {
    let at = page
        .find(r#"rel="modulepreload""#)
        .expect("a modulepreload link");
    let href = page[at..].split(r#"href=""#).nth(1).expect("an href");
    let href = &href[..href.find('"').expect("a closing quote")];
    href.trim_end_matches(".js").to_string()
}

/// What a viewer downloads, as served: the page compressed, the viewer bundle and the
/// stylesheet precompressed (brotli), each hashed file cached for a year; and a session that
/// may change things gets the control bundle and the control UI.
#[tokio::test]
async fn viewers_get_the_small_bundle_and_sessions_the_control_one() {
    const ADMIN: &str = "serve-test-admin-token-0123456789abcdef";
    let swarm = SingleNodeSwarm::acquire().await;
    let panel = Panel::start_with_env(
        "unix:///var/run/docker.sock",
        &[],
        &[("FLOTILLA_ADMIN_TOKEN", ADMIN)],
    );
    let hostname = swarm.hostname().await;
    support::wait_until(
        "the page to list the node",
        Duration::from_secs(30),
        || async {
            let (_, body) = support::http_get(&panel.addr, "/").await.ok()?;
            support::lists_node(&body, &hostname).then_some(())
        },
    )
    .await;

    let (status, headers, page) = fetch(&panel.addr, "/", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), "gzip", "{headers:?}");
    let page_bytes = page.len();
    let (_, _, plain) = fetch(&panel.addr, "/", &[]).await;
    let plain = String::from_utf8(plain).expect("a UTF-8 page");
    let bundle = bundle_of(&plain);
    assert!(
        bundle.starts_with("/pkg/flotilla-view."),
        "a viewer loads {bundle}"
    );
    for control_only in [
        r#"class="networks""#,
        r#"class="create-service""#,
        r#"class="stack-deploy""#,
        r#"class="audit""#,
    ] {
        assert!(
            !plain.contains(control_only),
            "a viewer's page has {control_only}"
        );
    }
    let css = plain
        .split(r#"rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet link")
        .to_string();

    let mut total = page_bytes;
    let mut sizes = vec![format!("page {page_bytes} B gzip")];
    for file in [format!("{bundle}_bg.wasm"), format!("{bundle}.js"), css] {
        let (status, headers, body) =
            fetch(&panel.addr, &file, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(status, 200, "{file}");
        assert_eq!(
            header(&headers, "content-encoding"),
            "br",
            "{file}: {headers:?}"
        );
        assert!(
            header(&headers, "cache-control").contains("immutable"),
            "{file}: {headers:?}"
        );
        total += body.len();
        sizes.push(format!("{file} {} B br", body.len()));
    }
    println!("a viewer downloads {total} B: {}", sizes.join(", "));
    assert!(
        total <= 250 * 1024,
        "over the 250 KB budget: {}",
        sizes.join(", ")
    );

    let (status, _, body) = fetch(&panel.addr, "/no/such/page", &[]).await;
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("No such page."));

    let admin = support::client::Client::login(&panel, ADMIN).await;
    let cookie = admin.cookie.as_str();
    let (status, _, page) = fetch(&panel.addr, "/", &[("cookie", cookie)]).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("a UTF-8 page");
    let bundle = bundle_of(&page);
    assert!(
        bundle.starts_with("/pkg/flotilla-control."),
        "an admin loads {bundle}"
    );
    assert!(
        page.contains(r#"class="networks""#),
        "no control UI for an admin"
    );
    // A wall screen is a viewer, whoever opens it.
    let (_, _, kiosk) = fetch(&panel.addr, "/?kiosk=1", &[("cookie", cookie)]).await;
    let kiosk = String::from_utf8(kiosk).expect("a UTF-8 page");
    assert!(bundle_of(&kiosk).starts_with("/pkg/flotilla-view."));
    drop(swarm);
}
