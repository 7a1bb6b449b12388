//! The panel's stack routes against a real panel process on the real single-node swarm:
//! preview and deploy an upload (compose file + the files it names + variables), redeploy it
//! unchanged (nothing sent, even with the secret's text left to the stored one), change one
//! field, remove; bad uploads refused with a field and nothing created; roles and origins;
//! and the audit log, which names files but never holds their contents.

mod support;

use bollard::Docker;
use bollard::query_parameters::{
    ListConfigsOptions, ListNetworksOptions, ListSecretsOptions, ListServicesOptions,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use support::client::Client;
use support::image::{TEST_IMAGE, ensure_test_image};
use support::panel::Panel;
use support::swarm::SingleNodeSwarm;
use support::wait_until;

const ADMIN: &str = "stack-panel-admin-token-0123456789-ab";
const OPERATOR: &str = "stack-panel-operator-token-012345678";
const NAMESPACE: &str = "com.docker.stack.namespace";
/// The panel process's own value of the variable the file interpolates: never to be used.
const ENV_REPLICAS: &str = "3";

/// A panel that may write bind mounts (so the socket refusal is the policy's own rule, not
/// the general switch), with a REPLICAS of its own in its environment.
fn start_panel() -> Panel {
    Panel::start_with_env(
        "unix:///var/run/docker.sock",
        &["--allow-bind-mounts"],
        &[
            ("FLOTILLA_ADMIN_TOKEN", ADMIN),
            ("FLOTILLA_OPERATOR_TOKEN", OPERATOR),
            ("REPLICAS", ENV_REPLICAS),
        ],
    )
}

/// A unique stack name of this test process.
fn stack_name(what: &str) -> String {
    format!("panel_{}_{what}", std::process::id())
}

fn label_filter(stack: &str) -> Option<HashMap<String, Vec<String>>> {
    Some(HashMap::from([(
        "label".to_string(),
        vec![format!("{NAMESPACE}={stack}")],
    )]))
}

/// Service name -> version, for the stack's services.
async fn service_versions(_docker: &Docker, stack: &str) -> BTreeMap<String, u64> {
    support::stacks::service_versions(stack)
        .await
        .expect("list services")
}

/// Every object of the stack on the swarm, as "kind name".
async fn leftovers(_docker: &Docker, stack: &str) -> Vec<String> {
    support::stacks::leftovers(&[stack.to_string()])
        .await
        .expect("list the stack's objects")
        .0
}

/// Removes every object labelled with the stacks when dropped, however the test ends (on a
/// runtime and client of its own: Drop cannot await).
struct StackCleanup(Vec<String>);

impl Drop for StackCleanup {
    fn drop(&mut self) {
        let stacks = std::mem::take(&mut self.0);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let docker = support::host_docker().await;
                for stack in &stacks {
                    let filters = label_filter(stack);
                    let services = docker
                        .list_services(Some(ListServicesOptions {
                            filters: filters.clone(),
                            ..Default::default()
                        }))
                        .await
                        .unwrap_or_default();
                    for s in services {
                        let _ = docker.delete_service(&s.id.unwrap_or_default()).await;
                    }
                    let secrets = docker
                        .list_secrets(Some(ListSecretsOptions {
                            filters: filters.clone(),
                        }))
                        .await
                        .unwrap_or_default();
                    for s in secrets {
                        let _ = docker.delete_secret(&s.id.unwrap_or_default()).await;
                    }
                    let configs = docker
                        .list_configs(Some(ListConfigsOptions {
                            filters: filters.clone(),
                        }))
                        .await
                        .unwrap_or_default();
                    for c in configs {
                        let _ = docker.delete_config(&c.id.unwrap_or_default()).await;
                    }
                    // A network is in use until the service's tasks are gone.
                    let deadline = Instant::now() + Duration::from_secs(30);
                    loop {
                        let networks = docker
                            .list_networks(Some(ListNetworksOptions {
                                filters: filters.clone(),
                            }))
                            .await
                            .unwrap_or_default();
                        let mut left = false;
                        for n in networks {
                            left |= docker
                                .remove_network(&n.id.unwrap_or_default())
                                .await
                                .is_err();
                        }
                        if !left || Instant::now() > deadline {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                }
            });
        })
        .join()
        .expect("cleanup thread");
    }
}

/// Two services, a network, a secret from `secrets/token.txt`, a config; the web service's
/// replicas from `${REPLICAS:-1}` unless `replicas` is given.
fn compose(replicas: Option<u32>) -> String {
    let replicas = replicas.map_or("${REPLICAS:-1}".to_string(), |n| n.to_string());
    format!(
        r#"version: "3.8"
services:
  web:
    image: {TEST_IMAGE}
    deploy:
      replicas: {replicas}
    networks:
      - back
    secrets:
      - token
    configs:
      - source: app
        target: /etc/app.conf
  worker:
    image: {TEST_IMAGE}
    deploy:
      replicas: 0
    networks:
      - back
networks:
  back: {{}}
secrets:
  token:
    file: ./secrets/token.txt
configs:
  app:
    file: app.conf
"#
    )
}

fn upload(stack: &str, compose: &str, secret: &str, variables: &str) -> Value {
    json!({
        "stack": stack,
        "compose": [{ "name": "stack.yml", "text": compose }],
        "files": [
            { "name": "secrets/token.txt", "text": secret },
            { "name": "app.conf", "text": "listen 8080\n" },
        ],
        "variables": variables,
        "resolve_image": "never",
    })
}

/// (kind, name, action) of every plan item, in order.
fn items(plan: &Value) -> Vec<(String, String, String)> {
    plan["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a plan: {plan}"))
        .iter()
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (text("kind"), text("name"), text("action"))
        })
        .collect()
}

async fn replicas(docker: &Docker, service: &str) -> i64 {
    docker
        .inspect_service(service, None)
        .await
        .expect("inspect")
        .spec
        .and_then(|s| s.mode)
        .and_then(|m| m.replicated)
        .and_then(|r| r.replicas)
        .expect("replicas")
}

fn audit_entries(panel: &Panel) -> Vec<Value> {
    std::fs::read_to_string(&panel.audit_log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect()
}

/// Cases 1, 2, 3, 6 and 7: a stack from first preview to removal.
#[tokio::test(flavor = "multi_thread")]
async fn deploy_redeploy_change_and_remove_from_the_panel() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = swarm.docker.clone();
    ensure_test_image(&docker).await;
    let stack = stack_name("app");
    let _cleanup = StackCleanup(vec![stack.clone()]);
    let (web, worker) = (format!("{stack}_web"), format!("{stack}_worker"));
    let (network, secret_name, config_name) = (
        format!("{stack}_back"),
        format!("{stack}_token"),
        format!("{stack}_app"),
    );
    let secret = format!("panel-secret-{}-do-not-leak", std::process::id());
    let panel = start_panel();
    let admin = Client::login(&panel, ADMIN).await;

    // 1. Preview: creates, in the CLI's order.
    let first = upload(&stack, &compose(None), &secret, "REPLICAS=2");
    let (status, plan) = admin.post("/api/stacks/preview", first.clone()).await;
    assert_eq!(status, 200, "{plan}");
    let expected: Vec<(String, String, String)> = [
        ("network", &network),
        ("secret", &secret_name),
        ("config", &config_name),
        ("service", &web),
        ("service", &worker),
    ]
    .iter()
    .map(|(k, n)| (k.to_string(), n.to_string(), "create".to_string()))
    .collect();
    assert_eq!(items(&plan), expected, "{plan}");
    assert!(!plan.to_string().contains(&secret), "{plan}");
    assert!(
        leftovers(&docker, &stack).await.is_empty(),
        "a preview changed the swarm"
    );

    // Deploy: done with those items, nothing failed.
    let (status, report) = admin.post("/api/stacks", first.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert!(report["failed"].is_null(), "{report}");
    let done: Vec<(String, String, String)> = report["done"]
        .as_array()
        .expect("done")
        .iter()
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (text("kind"), text("name"), text("action"))
        })
        .collect();
    assert_eq!(done, expected, "{report}");
    assert!(!report.to_string().contains(&secret), "{report}");
    let mut left = leftovers(&docker, &stack).await;
    left.sort();
    let mut wanted = vec![
        format!("service {web}"),
        format!("service {worker}"),
        format!("network {network}"),
        format!("secret {secret_name}"),
        format!("config {config_name}"),
    ];
    wanted.sort();
    assert_eq!(left, wanted, "the objects with the namespace label");
    // The variable box's value, not the panel process's environment.
    assert_eq!(replicas(&docker, &web).await, 2);
    let versions = service_versions(&docker, &stack).await;

    // The stored upload, for the editor: compose and variables, no other file's text.
    let (status, stored) = admin.get(&format!("/api/stacks/{stack}/file")).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["compose"][0]["text"], compose(None), "{stored}");
    assert_eq!(stored["variables"], "REPLICAS=2", "{stored}");
    let names: Vec<&str> = stored["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            assert_eq!(f["text"], "", "a file's text reached the browser: {stored}");
            f["name"].as_str().unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["secrets/token.txt", "app.conf"]);
    assert!(!stored.to_string().contains(&secret), "{stored}");

    // 2. The same upload again: no change, and nothing sent.
    let (status, plan) = admin.post("/api/stacks/preview", first.clone()).await;
    assert_eq!(status, 200, "{plan}");
    assert!(
        items(&plan).iter().all(|(_, _, a)| a == "unchanged") && !items(&plan).is_empty(),
        "{plan}"
    );
    let (status, report) = admin.post("/api/stacks", first.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert!(report["failed"].is_null(), "{report}");
    assert_eq!(service_versions(&docker, &stack).await, versions);
    // With the secret's text left empty, the stored one is used: no change either.
    let redeploy = upload(&stack, &compose(None), "", "REPLICAS=2");
    let (status, plan) = admin.post("/api/stacks/preview", redeploy.clone()).await;
    assert_eq!(status, 200, "{plan}");
    assert!(
        items(&plan).iter().all(|(_, _, a)| a == "unchanged"),
        "{plan}"
    );
    let (status, report) = admin.post("/api/stacks", redeploy.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert!(report["failed"].is_null(), "{report}");
    assert_eq!(service_versions(&docker, &stack).await, versions);
    // The same file spelt `./secrets/token.txt`, as the compose file writes it: the same.
    let mut spelt = redeploy.clone();
    spelt["files"][0]["name"] = json!("./secrets/token.txt");
    let (status, plan) = admin.post("/api/stacks/preview", spelt.clone()).await;
    assert_eq!(status, 200, "{plan}");
    assert!(
        items(&plan).iter().all(|(_, _, a)| a == "unchanged"),
        "{plan}"
    );
    // ... and the store still holds the secret's text (a later redeploy can use it again).
    let (status, plan) = admin.post("/api/stacks/preview", redeploy.clone()).await;
    assert_eq!(status, 200, "{plan}");
    assert!(
        items(&plan).iter().all(|(_, _, a)| a == "unchanged"),
        "{plan}"
    );

    // 1 (env) and 3. The box without REPLICAS: the default, never the panel's environment.
    let unset = upload(&stack, &compose(None), &secret, "");
    let (status, plan) = admin.post("/api/stacks/preview", unset.clone()).await;
    assert_eq!(status, 200, "{plan}");
    let updates: Vec<&Value> = plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["action"] != "unchanged")
        .collect();
    assert_eq!(updates.len(), 1, "{plan}");
    assert_eq!(
        (&updates[0]["name"], &updates[0]["action"]),
        (&json!(web), &json!("update")),
        "{plan}"
    );
    let changes = updates[0]["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{plan}");
    assert!(
        changes[0]["path"]
            .as_str()
            .unwrap_or_default()
            .contains("Replicas"),
        "{plan}"
    );
    assert_eq!(
        (&changes[0]["old"], &changes[0]["new"]),
        (&json!("2"), &json!("1")),
        "the default, not the panel's REPLICAS={ENV_REPLICAS}: {plan}"
    );
    // A changed file: exactly that change, then applied.
    let edited = upload(&stack, &compose(Some(0)), &secret, "REPLICAS=2");
    let (status, plan) = admin.post("/api/stacks/preview", edited.clone()).await;
    assert_eq!(status, 200, "{plan}");
    let updates: Vec<&Value> = plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["action"] != "unchanged")
        .collect();
    assert_eq!(updates.len(), 1, "{plan}");
    assert_eq!(updates[0]["name"], json!(web), "{plan}");
    let changes = updates[0]["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{plan}");
    assert_eq!(changes[0]["path"], "Mode.Replicated.Replicas", "{plan}");
    assert_eq!(
        (&changes[0]["old"], &changes[0]["new"]),
        (&json!("2"), &json!("0")),
        "{plan}"
    );
    let (status, report) = admin.post("/api/stacks", edited.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert!(report["failed"].is_null(), "{report}");
    assert_eq!(replicas(&docker, &web).await, 0);
    let now = service_versions(&docker, &stack).await;
    assert_eq!(
        now[&worker], versions[&worker],
        "the worker was not touched"
    );
    assert!(now[&web] > versions[&web], "the web service was updated");

    // 7. The audit log: an attempt, then its outcome with the same op; names, no contents.
    let entries = audit_entries(&panel);
    let deploys: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "stack.deploy")
        .collect();
    assert_eq!(
        deploys.len(),
        8,
        "4 deploys, attempt + outcome each: {deploys:#?}"
    );
    for pair in deploys.chunks(2) {
        let (attempt, outcome) = (pair[0], pair[1]);
        assert_eq!(attempt["outcome"], "attempt", "{attempt}");
        assert_eq!(outcome["outcome"], "ok", "{outcome}");
        assert_eq!(attempt["op"], outcome["op"]);
        assert!(attempt["op"].as_str().is_some_and(|o| !o.is_empty()));
        assert_eq!(attempt["target"], json!(stack));
        assert_eq!(attempt["who"], "admin");
        let detail = attempt["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("stack.yml")
                && detail.contains("secrets/token.txt")
                && detail.contains("app.conf"),
            "{detail}"
        );
    }
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit log");
    support::client::assert_each_attempt_completed(&log);
    assert!(
        !log.contains(&secret),
        "the secret's text in the audit log:\n{log}"
    );
    assert!(
        !log.contains("listen 8080"),
        "a config's text in the audit log:\n{log}"
    );
    assert!(
        !log.contains("REPLICAS=2"),
        "a variable in the audit log:\n{log}"
    );

    // 6. Remove: Done, nothing left (networks may take a moment), the stored file gone.
    let (status, done) = admin
        .post(&format!("/api/stacks/{stack}/remove"), json!({}))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["id"], json!(stack), "{done}");
    wait_until(
        "every object of the stack to be gone",
        Duration::from_secs(60),
        || async { leftovers(&docker, &stack).await.is_empty().then_some(()) },
    )
    .await;
    let (status, body) = admin.get(&format!("/api/stacks/{stack}/file")).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = admin
        .post(&format!("/api/stacks/{stack}/remove"), json!({}))
        .await;
    assert_eq!(status, 404, "a stack that does not exist: {body}");
    let missing = stack_name("never");
    let (status, body) = admin
        .post(&format!("/api/stacks/{missing}/remove"), json!({}))
        .await;
    assert_eq!(status, 404, "{body}");

    // Nothing of the secret anywhere the panel writes.
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit log");
    assert!(!log.contains(&secret), "{log}");
    let output = std::fs::read_to_string(&panel.log).unwrap_or_default();
    assert!(
        !output.contains(&secret),
        "the secret in the panel's output"
    );
}

/// The 9-level alias bomb ("billion laughs") in an `x-` block: 9^9 nodes if expanded.
fn alias_bomb() -> String {
    let mut text = String::from(
        "version: \"3.8\"\nx-bomb:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("  {}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    text.push_str(&format!("services:\n  web:\n    image: {TEST_IMAGE}\n"));
    text
}

/// One request whose body may be refused before it is all sent: written while the answer is
/// read, a write cut short by the panel is not a failure. Returns the status (0: none read).
async fn post_large(addr: &str, cookie: &str, body: String) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /api/stacks HTTP/1.0\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let _ = write.write_all(body.as_bytes()).await;
        write
    });
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match read.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    }
    drop(writer.await);
    let text = String::from_utf8_lossy(&raw);
    text.lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// (what, stack, compose, variables, the field, words the message has)
type BadUpload = (
    &'static str,
    String,
    String,
    &'static str,
    &'static str,
    Vec<&'static str>,
);

/// Case 4: every bad upload is refused with a field and a message, and nothing is created.
#[tokio::test(flavor = "multi_thread")]
async fn bad_uploads_are_refused_and_change_nothing() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = swarm.docker.clone();
    ensure_test_image(&docker).await;
    let stack = stack_name("bad");
    let _cleanup = StackCleanup(vec![stack.clone()]);
    let panel = start_panel();
    let admin = Client::login(&panel, ADMIN).await;
    let service = |extra: &str| {
        format!("version: \"3.8\"\nservices:\n  web:\n    image: {TEST_IMAGE}\n{extra}")
    };
    let with_secret = |path: &str| {
        format!(
            "{}secrets:\n  token:\n    file: {path}\n",
            service("    secrets: [token]\n")
        )
    };
    let big = format!("{}# {}\n", service(""), "x".repeat(1024 * 1024));
    let bomb = alias_bomb();
    let cases: Vec<BadUpload> = vec![
        (
            "the docker socket bound",
            stack.clone(),
            service("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"),
            "",
            "compose",
            vec!["policy", "docker.sock"],
        ),
        (
            "a file: path leaving the upload",
            stack.clone(),
            with_secret("../../etc/passwd"),
            "",
            "files",
            vec!["../../etc/passwd", "inside the upload"],
        ),
        (
            "a file: not uploaded",
            stack.clone(),
            with_secret("./missing.txt"),
            "",
            "files",
            vec!["missing.txt", "not uploaded"],
        ),
        (
            "invalid YAML",
            stack.clone(),
            format!("version: \"3.8\"\nservices:\n  web:\n    image: {TEST_IMAGE}\n   bad: [\n"),
            "",
            "compose",
            vec!["stack.yml:"],
        ),
        (
            "a service without image",
            stack.clone(),
            "version: \"3.8\"\nservices:\n  web:\n    command: sleep 1\n".into(),
            "",
            "compose",
            vec!["web", "image"],
        ),
        (
            "${X?must be set} unset",
            stack.clone(),
            service("    environment:\n      A: ${PANEL_X?must be set}\n"),
            "",
            "compose",
            vec!["must be set"],
        ),
        (
            "replicas \"many\"",
            stack.clone(),
            service("    deploy:\n      replicas: many\n"),
            "",
            "compose",
            vec!["replicas"],
        ),
        (
            "an invalid stack name",
            "Bad Name!".into(),
            service(""),
            "",
            "stack",
            vec!["invalid stack name"],
        ),
        (
            "a compose file over 1 MiB",
            stack.clone(),
            big,
            "",
            "compose",
            vec!["stack.yml", "1 MiB"],
        ),
        (
            "an empty secret file, with no stored text to keep",
            stack.clone(),
            with_secret("empty.txt"),
            "",
            "files",
            vec!["secret", "empty"],
        ),
        (
            "an env file's bad line",
            stack.clone(),
            service("    env_file: [app.env]\n"),
            "",
            "compose",
            vec!["app.env"],
        ),
        (
            "a variable's value where a number goes",
            stack.clone(),
            service("    deploy:\n      replicas: ${PANEL_N}\n"),
            "PANEL_N=leaked-variable-value",
            "compose",
            vec!["replicas"],
        ),
        (
            "an alias bomb",
            stack.clone(),
            bomb,
            "",
            "compose",
            vec!["stack.yml"],
        ),
    ];
    for (what, name, text, variables, field, words) in cases {
        let body = json!({
            "stack": name,
            "compose": [{ "name": "stack.yml", "text": text }],
            "files": [
                { "name": "secrets/token.txt", "text": "t" },
                { "name": "empty.txt", "text": "" },
                { "name": "app.env", "text": "=leaked-env-file-line\n" },
            ],
            "variables": variables,
            "resolve_image": "never",
        });
        for path in ["/api/stacks/preview", "/api/stacks"] {
            let started = Instant::now();
            let (status, answer) = admin.post(path, body.clone()).await;
            let took = started.elapsed();
            assert_eq!(status, 422, "{what} ({path}): {answer}");
            let first = &answer["fields"][0];
            assert_eq!(first["field"], field, "{what} ({path}): {answer}");
            let message = first["message"].as_str().unwrap_or_default();
            for word in &words {
                assert!(
                    message.contains(word),
                    "{what} ({path}): {word:?} not in {message:?}"
                );
            }
            if what == "invalid YAML" {
                // file:line:column
                let at = message.split(": ").next().unwrap_or_default();
                let parts: Vec<&str> = at.split(':').collect();
                assert!(
                    parts.len() == 3 && parts[1..].iter().all(|p| p.parse::<u32>().is_ok()),
                    "no line:column in {message:?}"
                );
            }
            if what == "an alias bomb" {
                println!("alias bomb refused in {took:?} ({path})");
                assert!(took < Duration::from_secs(2), "{what}: took {took:?}");
            }
            assert!(
                leftovers(&docker, &stack).await.is_empty(),
                "{what} ({path}) created something"
            );
        }
    }
    // No stack of that name was kept, nor made.
    let (status, body) = admin.get(&format!("/api/stacks/{stack}/file")).await;
    assert_eq!(status, 404, "{body}");

    // A body over the stacks' 8 MiB route limit: refused, whatever the status says.
    let huge = json!({
        "stack": stack,
        "compose": [{ "name": "stack.yml", "text": format!("{}# {}\n", service(""), "x".repeat(9 * 1024 * 1024)) }],
        "resolve_image": "never",
    })
    .to_string();
    let status = post_large(&panel.addr, &admin.cookie, huge).await;
    println!("a 9 MiB body: {status}");
    assert!(status == 413 || status == 422, "a 9 MiB body: {status}");
    assert!(leftovers(&docker, &stack).await.is_empty());
    // And the panel still answers.
    let (status, _) = admin.get("/api/me").await;
    assert_eq!(status, 200);
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit log");
    support::client::assert_each_attempt_completed(&log);
    // Refusals are audited, in words that quote no upload's contents nor variable.
    assert!(log.contains("invalid: stack invalid stack name"), "{log}");
    assert!(log.contains("app.env"), "{log}");
    for hidden in ["leaked-env-file-line", "leaked-variable-value"] {
        assert!(!log.contains(hidden), "{hidden} in the audit log:\n{log}");
    }
}

/// Case 5: operators, anonymous callers and foreign origins may not preview, deploy or
/// remove; each refusal is audited, and nothing is created.
#[tokio::test(flavor = "multi_thread")]
async fn only_admins_deploy_stacks() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = swarm.docker.clone();
    ensure_test_image(&docker).await;
    let stack = stack_name("roles");
    let _cleanup = StackCleanup(vec![stack.clone()]);
    let panel = start_panel();
    let body = upload(&stack, &compose(None), "s", "");
    let remove = format!("/api/stacks/{stack}/remove");
    let routes = [
        ("/api/stacks/preview", "stack.preview", body.clone()),
        ("/api/stacks", "stack.deploy", body.clone()),
        (remove.as_str(), "stack.remove", json!({})),
    ];

    let operator = Client::login(&panel, OPERATOR).await;
    for (path, _, body) in &routes {
        let (status, answer) = operator.post(path, body.clone()).await;
        assert_eq!(status, 403, "operator {path}: {answer}");
    }
    let (status, _) = operator.get(&format!("/api/stacks/{stack}/file")).await;
    assert_eq!(status, 403, "operator reading a stored file");
    let anonymous = Client::anonymous(&panel);
    for (path, _, body) in &routes {
        let (status, answer) = anonymous.post(path, body.clone()).await;
        assert_eq!(status, 401, "anonymous {path}: {answer}");
    }
    let (status, _) = anonymous.get(&format!("/api/stacks/{stack}/file")).await;
    assert_eq!(status, 401, "anonymous reading a stored file");
    // An admin's session, from a page of another origin.
    let admin = Client::login(&panel, ADMIN).await;
    for (path, _, body) in &routes {
        let (status, answer) = admin
            .request(
                "POST",
                path,
                &[("Origin", "http://evil.example")],
                &body.to_string(),
            )
            .await;
        assert_eq!(status, 403, "foreign origin {path}: {answer}");
    }
    assert!(leftovers(&docker, &stack).await.is_empty());

    let entries = audit_entries(&panel);
    for (path, action, _) in &routes {
        for (who, outcome) in [("operator", "denied"), ("anonymous", "denied")] {
            assert!(
                entries.iter().any(|e| e["action"] == *action
                    && e["who"] == who
                    && e["target"] == *path
                    && e["outcome"]
                        .as_str()
                        .is_some_and(|o| o.starts_with(outcome))),
                "no {who} {action} refusal audited: {entries:#?}"
            );
        }
    }
    let log = std::fs::read_to_string(&panel.audit_log).expect("audit log");
    println!(
        "foreign-origin refusals in the audit log: {}",
        log.lines().filter(|l| l.contains("origin")).count()
    );
}
