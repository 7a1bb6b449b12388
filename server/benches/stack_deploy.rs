//! Deploy time of a 40-service stack (issue 9, "Tests and figures"): the docker CLI against
//! `flotilla stack deploy`, both with `--resolve-image never`, on the host engine's swarm, one
//! after the other (each stack removed, and gone, before the next deploy). Prints both wall
//! times and the ratio flotilla/cli (goal <= 1.0); asserts nothing about speed.
//!
//! Needs an engine in swarm mode on /var/run/docker.sock (`docker swarm init`); says so and
//! exits 0 without one. `cargo bench -p flotilla-server --bench stack_deploy`

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;
use support::stacks::{self, Tool};

const SERVICES: usize = 40;
const ROUNDS: usize = 3;

/// A stack of `SERVICES` services across 4 networks, with 2 secrets and 2 configs from files,
/// environment, labels, healthchecks, resources and update policies: what a real file holds.
fn stack_file(dir: &Path) -> String {
    std::fs::write(dir.join("secret.txt"), "bench secret\n").expect("write");
    std::fs::write(dir.join("config.txt"), "bench config\n").expect("write");
    let mut yaml = String::from("version: \"3.8\"\nservices:\n");
    for i in 0..SERVICES {
        let network = ["front", "back", "data", "ops"][i % 4];
        let _ = write!(
            yaml,
            r#"  svc{i:02}:
    image: flotilla-test/busybox:latest
    command: ["sleep", "{sleep}"]
    environment:
      SERVICE_INDEX: "{i}"
      LOG_LEVEL: info
    labels:
      com.example.bench: "svc{i:02}"
    networks: [{network}]
    secrets: [s{s}]
    configs:
      - source: c{c}
        target: /etc/bench.conf
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
    deploy:
      replicas: 0
      labels:
        com.example.index: "{i}"
      resources:
        limits: {{cpus: "0.1", memory: 32M}}
      update_config:
        parallelism: 2
        delay: 5s
      restart_policy:
        condition: on-failure
"#,
            sleep = 1000 + i,
            s = i % 2,
            c = i % 2,
        );
    }
    yaml.push_str("networks:\n  front:\n  back:\n  data:\n  ops:\n");
    yaml.push_str("secrets:\n  s0:\n    file: ./secret.txt\n  s1:\n    file: ./secret.txt\n");
    yaml.push_str("configs:\n  c0:\n    file: ./config.txt\n  c1:\n    file: ./config.txt\n");
    yaml
}

async fn deploy_once(tool: Tool, file: &Path, stack: &str) -> Duration {
    let run = stacks::deploy(tool, file, stack, &[], &[]).await;
    if !run.ok {
        eprintln!("{} stack deploy failed:\n{}", tool.label(), run.output);
        stacks::remove_stacks(&[stack.to_string()]).await;
        std::process::exit(1);
    }
    let services = stacks::service_versions(stack)
        .await
        .expect("read services")
        .len();
    assert_eq!(
        services,
        SERVICES,
        "{} deployed {services} services",
        tool.label()
    );
    stacks::remove_stacks(&[stack.to_string()]).await;
    run.took
}

/// The pure reading of the file (parse, merge keys, interpolation, checks, typed model), the
/// part of a deploy that is Flotilla's own work before any request.
fn read_time(file: &Path) {
    let text = std::fs::read_to_string(file).expect("read stack file");
    let sources = [compose::Source {
        name: "stack.yml".into(),
        text,
    }];
    let vars = compose::Vars::new();
    let reads = 50;
    let started = std::time::Instant::now();
    for _ in 0..reads {
        compose::load(&sources, &vars).expect("the bench's file reads");
    }
    println!(
        "reading the {SERVICES}-service file (compose::load): {:.2} ms each, {} bytes",
        started.elapsed().as_secs_f64() * 1000.0 / reads as f64,
        sources[0].text.len()
    );
}

#[tokio::main]
async fn main() {
    if let Err(why) = stacks::swarm_manager().await {
        println!(
            "stack_deploy bench skipped: {why}; start an engine in swarm mode (docker swarm init)"
        );
        return;
    }
    support::image::ensure_test_image(&support::host_docker().await).await;
    println!(
        "reference: docker CLI {}",
        stacks::docker_cli_identity().await
    );
    let dir = std::env::temp_dir().join(format!("flotilla-bench-stack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("stack.yml");
    std::fs::write(&file, stack_file(&dir)).expect("write stack file");
    read_time(&file);
    let stacks_names = ["benchcli".to_string(), "benchfl".to_string()];
    stacks::clear_stacks(&stacks_names).await;

    // FLOTILLA_BENCH_SECOND=docker: the CLI on both sides (checks the bench itself).
    let second = match std::env::var("FLOTILLA_BENCH_SECOND").as_deref() {
        Ok("docker") => Tool::DockerCli,
        _ => Tool::Flotilla,
    };
    let (mut cli, mut fl) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let a = deploy_once(Tool::DockerCli, &file, "benchcli").await;
        let b = deploy_once(second, &file, "benchfl").await;
        println!(
            "round {round}: {SERVICES} services: cli {:.3}s, {} {:.3}s",
            a.as_secs_f64(),
            second.label(),
            b.as_secs_f64()
        );
        cli.push(a);
        fl.push(b);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut cli), median(&mut fl));
    println!(
        "stack deploy, {SERVICES} services (median of {ROUNDS}): docker CLI {:.3}s, {} {:.3}s, ratio {}/cli {:.2} (goal <= 1.0)",
        a.as_secs_f64(),
        second.label(),
        b.as_secs_f64(),
        second.label(),
        b.as_secs_f64() / a.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
