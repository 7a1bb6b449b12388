//! `flotilla stack deploy|ls|services|ps|rm` against the real single-node swarm: a stack like
//! the course's ch03-webapi (an external overlay network, two services) plus a network, a
//! config and a secret of its own; an unchanged redeploy sends nothing; one changed field
//! updates one service; a bad file changes nothing; `stack rm` leaves nothing.

mod support;

use bollard::Docker;
use bollard::models::NetworkCreateRequest;
use bollard::query_parameters::ListServicesOptions;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Output;
use std::time::Duration;
use support::image::{TEST_IMAGE, ensure_test_image};
use support::swarm::SingleNodeSwarm;
use support::{RemoveOnDrop, flotilla, wait_until};

const NAMESPACE: &str = "com.docker.stack.namespace";

fn stack_file(external: &str, proxy_replicas: u32) -> String {
    format!(
        r#"version: "3.8"
services:
  proxy:
    image: {TEST_IMAGE}
    deploy:
      replicas: {proxy_replicas}
    environment:
      BACKEND_HOST: api:8080
    depends_on:
      - api
    networks:
      - {external}
  api:
    image: flotilla-test/busybox
    networks:
      - {external}
      - back
    configs:
      - source: app
        target: /etc/app.conf
    secrets:
      - token
networks:
  {external}:
    external: true
  back: {{}}
configs:
  app:
    file: ./app.conf
secrets:
  token:
    file: ./token.txt
"#
    )
}

struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = flotilla()
        .args(args)
        .env("DOCKER_HOST", "unix:///var/run/docker.sock")
        .output()
        .expect("run flotilla");
    Run {
        ok: status.success(),
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn ok(args: &[&str]) -> Run {
    let r = run(args);
    assert!(
        r.ok,
        "flotilla {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    r
}

fn label_filter(stack: &str) -> Option<HashMap<String, Vec<String>>> {
    Some(HashMap::from([(
        "label".to_string(),
        vec![format!("{NAMESPACE}={stack}")],
    )]))
}

/// Service name -> (version, labels) for the stack.
async fn services(
    docker: &Docker,
    stack: &str,
) -> BTreeMap<String, (u64, HashMap<String, String>)> {
    let options = ListServicesOptions {
        filters: label_filter(stack),
        ..Default::default()
    };
    let listed = docker
        .list_services(Some(options))
        .await
        .expect("list services");
    listed
        .into_iter()
        .map(|s| {
            let spec = s.spec.unwrap_or_default();
            let version = s.version.and_then(|v| v.index).unwrap_or(0);
            (
                spec.name.unwrap_or_default(),
                (version, spec.labels.unwrap_or_default()),
            )
        })
        .collect()
}

/// Everything of the stack still on the swarm: services, networks, configs, secrets.
async fn leftovers(_docker: &Docker, stack: &str) -> Vec<String> {
    support::stacks::leftovers(&[stack.to_string()])
        .await
        .expect("list the stack's objects")
        .0
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_list_redeploy_and_remove_a_stack() {
    let swarm = SingleNodeSwarm::acquire().await;
    let docker = swarm.docker.clone();
    ensure_test_image(&docker).await;
    let id = std::process::id();
    let stack = format!("stk{id}");
    let external = format!("stkext{id}");
    let (api, proxy) = (format!("{stack}_api"), format!("{stack}_proxy"));
    let _cleanup = RemoveOnDrop {
        services: vec![api.clone(), proxy.clone()],
        networks: vec![format!("{stack}_back"), external.clone()],
    };
    let request = NetworkCreateRequest {
        name: external.clone(),
        driver: Some("overlay".into()),
        attachable: Some(true),
        ..Default::default()
    };
    docker
        .create_network(request)
        .await
        .expect("external network");

    let dir = std::env::temp_dir().join(format!("flotilla-stack-cli-{id}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    write(&dir, "app.conf", "listen 8080\n");
    write(&dir, "token.txt", "not-a-real-token\n");
    let file = write(&dir, "stack.yml", &stack_file(&external, 2));
    let deploy = |file: &str| {
        vec![
            "stack",
            "deploy",
            "-c",
            file,
            "--resolve-image",
            "never",
            &stack,
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let args = deploy(&file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // Deploy: the CLI's messages, in its order.
    let first = ok(&args);
    let expected = [
        format!("Creating network {stack}_back"),
        format!("Creating secret {stack}_token"),
        format!("Creating config {stack}_app"),
        format!("Creating service {api}"),
        format!("Creating service {proxy}"),
    ];
    assert_eq!(
        first.stdout.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("spec policy is not applied"),
        "{}",
        first.stderr
    );

    let deployed = services(&docker, &stack).await;
    assert_eq!(deployed.keys().collect::<Vec<_>>(), [&api, &proxy]);
    let (_, labels) = &deployed[&api];
    assert_eq!(labels.get(NAMESPACE), Some(&stack));
    assert_eq!(
        labels.get("com.docker.stack.image").map(String::as_str),
        Some("flotilla-test/busybox")
    );
    let back = docker
        .inspect_network(&format!("{stack}_back"), None)
        .await
        .expect("back network");
    assert_eq!(back.labels.unwrap_or_default().get(NAMESPACE), Some(&stack));
    assert_eq!(back.scope.as_deref(), Some("swarm"));

    // ls / services / ps, in the CLI's columns.
    let ls = ok(&["stack", "ls"]).stdout;
    assert!(ls.starts_with("NAME "), "{ls}");
    assert!(
        ls.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == [stack.as_str(), "2"]),
        "{ls}"
    );
    let listed = ok(&["stack", "services", &stack]).stdout;
    let header: Vec<_> = listed
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"],
        "{listed}"
    );
    let row = listed
        .lines()
        .find(|l| l.contains(&proxy))
        .expect("proxy row");
    assert!(
        row.contains("replicated") && row.contains(TEST_IMAGE),
        "{row}"
    );
    let ps = wait_until(
        "the stack's tasks running",
        Duration::from_secs(60),
        || async {
            let r = run(&["stack", "ps", &stack]);
            let running = |l: &&str| l.contains(&stack) && l.contains("Running ");
            let tasks = r.stdout.lines().filter(running).count();
            match r.ok && tasks >= 3 {
                true => Ok(r.stdout),
                false => Err(format!("{}{}", r.stdout, r.stderr)),
            }
        },
    )
    .await;
    assert!(ps.starts_with("ID "), "{ps}");
    for column in ["DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS", "NODE"] {
        assert!(
            ps.lines().next().unwrap_or_default().contains(column),
            "{ps}"
        );
    }
    assert!(
        ps.contains(&format!("{proxy}.1")) && ps.contains(&format!("{proxy}.2")),
        "{ps}"
    );

    // An unchanged redeploy sends no service update: versions stay. (Read once the tasks
    // run: the engine bumps a new service's version itself while it allocates endpoints.)
    let deployed = services(&docker, &stack).await;
    let again = ok(&args);
    assert_eq!(again.stdout, "", "nothing to say: nothing sent");
    assert_eq!(
        services(&docker, &stack).await,
        deployed,
        "versions unchanged"
    );

    // One changed field: that service alone is updated.
    let scaled = write(&dir, "scaled.yml", &stack_file(&external, 1));
    let scaled_args = deploy(&scaled);
    let scaled_args: Vec<&str> = scaled_args.iter().map(String::as_str).collect();
    let update = ok(&scaled_args);
    assert!(
        update
            .stdout
            .contains(&format!("Updating service {proxy} (id: ")),
        "{}",
        update.stdout
    );
    assert!(
        !update.stdout.contains(&format!("Updating service {api}")),
        "{}",
        update.stdout
    );
    let after = services(&docker, &stack).await;
    assert_eq!(after[&api].0, deployed[&api].0);
    assert!(after[&proxy].0 > deployed[&proxy].0);

    // A bad file changes nothing and says why.
    let bad = write(
        &dir,
        "bad.yml",
        "version: \"3.8\"\nservices:\n  api:\n    deploy:\n      replicas: 5\n  extra:\n    image: busybox\n",
    );
    let bad_args = deploy(&bad);
    let bad_args: Vec<&str> = bad_args.iter().map(String::as_str).collect();
    let refused = run(&bad_args);
    assert_eq!(
        refused.code,
        Some(1),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    assert!(refused.stderr.starts_with("error: "), "{}", refused.stderr);
    assert!(refused.stderr.contains("image"), "{}", refused.stderr);
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert_eq!(services(&docker, &stack).await, after, "nothing changed");

    // rm: services, secrets, configs, networks, with the CLI's messages; nothing left.
    let removed = ok(&["stack", "rm", &stack]);
    let lines: Vec<&str> = removed.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("Removing service {api}"),
            format!("Removing service {proxy}"),
            format!("Removing secret {stack}_token"),
            format!("Removing config {stack}_app"),
            format!("Removing network {stack}_back"),
        ],
        "{}",
        removed.stderr
    );
    wait_until(
        "nothing left of the stack",
        Duration::from_secs(30),
        || async {
            let left = leftovers(&docker, &stack).await;
            match left.is_empty() {
                true => Ok(()),
                false => Err(format!("{left:?}")),
            }
        },
    )
    .await;
    let again = run(&["stack", "rm", &stack]);
    assert!(
        again.ok
            && again
                .stderr
                .contains(&format!("Nothing found in stack: {stack}"))
    );
    // The external network is the user's: still there.
    docker
        .inspect_network(&external, None)
        .await
        .expect("external network kept");
    let _ = std::fs::remove_dir_all(&dir);
}
