//! `flotilla lab up | status | down`: the Swarm course's cluster on one host. A registry and
//! a manager plus workers, each a Docker-in-Docker container on one user network, made and
//! found again by label. Decisions live in `plan`; this module performs them.

mod images;
mod panel;
pub mod plan;
pub(crate) mod probe;
mod progress;

use crate::docker::{
    ContainerPlan, ContainerState, DockerError, Engine, ImageSource, Privilege, SwarmState,
};
use images::ImagesMode;
use plan::{LabLayout, Member, NodeImages, SwarmRole, SwarmStep};
use progress::Progress;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error("{0}")]
    Missing(String),
    #[error("building an image: {0}")]
    Build(String),
    #[error("{0}")]
    NotReady(String),
    #[error("deploying the panel's stack: {0}")]
    Panel(String),
    #[error("{0}")]
    Refused(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// Which lab, and where it is reachable from this host.
#[derive(clap::Args, Clone, Debug)]
pub struct LabOptions {
    /// Name prefix of every container, network and volume the lab makes.
    #[arg(long, env = "FLOTILLA_LAB_NAME", default_value = "flotilla-lab", value_parser = parse_lab_name)]
    pub name: String,
    /// Host port (on 127.0.0.1) of the manager's Docker API; workers take the next ports.
    #[arg(long, env = "FLOTILLA_LAB_API_PORT", default_value_t = 23750)]
    pub api_port: u16,
    /// Host port (on 127.0.0.1) of the lab registry: push to localhost:<port>/...
    #[arg(long, env = "FLOTILLA_LAB_REGISTRY_PORT", default_value_t = 5000)]
    pub registry_port: u16,
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=9))]
    pub workers: u8,
    /// Managers in all (3 or 5 survive losing one or two; the course's lab has 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=7))]
    pub managers: u8,
    /// Host port (on 127.0.0.1) of the panel deployed on the first manager (`lab up
    /// --panel`); the other managers' panels take the next ports.
    #[arg(long, env = "FLOTILLA_LAB_PANEL_PORT", default_value_t = 28080)]
    pub panel_port: u16,
    /// The host's Docker engine, which runs the lab's containers. Deliberately not read from
    /// DOCKER_HOST: that often points at the lab's own manager, and the lab must not nest.
    #[arg(
        long,
        env = "FLOTILLA_LAB_DOCKER",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub host_docker: String,
}

#[derive(clap::Args, Clone, Debug)]
pub struct UpOptions {
    #[command(flatten)]
    pub lab: LabOptions,
    /// How nodes get the rights dockerd needs: --privileged, or every capability but
    /// CAP_SYS_RESOURCE where --privileged is refused; auto tries the first, then the second.
    #[arg(long, value_enum, default_value = "auto")]
    pub node_privilege: PrivilegeMode,
    #[arg(long, value_enum, default_value = "auto")]
    pub images: ImagesMode,
    #[command(flatten)]
    pub panel: panel::PanelOptions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PrivilegeMode {
    Auto,
    Privileged,
    Caps,
}

fn parse_lab_name(name: &str) -> Result<String, String> {
    let ok = (1..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(name.to_string())
    } else {
        Err("use 1-32 characters: lowercase letters, digits and '-', starting with a letter or digit".into())
    }
}

impl LabOptions {
    pub fn layout(&self) -> LabLayout {
        LabLayout {
            name: self.name.clone(),
            api_port: self.api_port,
            registry_port: self.registry_port,
            workers: self.workers,
            managers: self.managers,
            panel_port: self.panel_port,
        }
    }
}

/// "unable to apply caps" is how runc says the host refuses --privileged.
pub fn privileged_refused(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.contains("apply caps") || (e.contains("operation not permitted") && e.contains("cap"))
}

const NODE_BOOT_LIMIT: Duration = Duration::from_secs(90);
const READY_LIMIT: Duration = Duration::from_secs(120);

pub async fn up(options: &UpOptions) -> Result<(), LabError> {
    let layout = options.lab.layout();
    let mut p = Progress::new(if options.panel.panel { 8 } else { 7 });

    p.step("host Docker engine");
    let host = Engine::connect(&options.lab.host_docker).await?;
    p.done(
        &format!(
            "{} answers, Docker {}",
            host.host(),
            host.server_version().await?
        ),
        false,
    );

    p.step("images");
    let (images, node_source) = images::ensure_node_images(&host, options.images, &mut p).await?;
    let echo_source = images::ensure_echo_image(&host).await?;
    let described = match &images {
        NodeImages::Official => "docker:dind + registry:2".to_string(),
        NodeImages::Local(image) => image.clone(),
    };
    p.done(
        &format!(
            "nodes: {described} ({node_source:?}); echo: {} ({echo_source:?})",
            images::ECHO_IMAGE_LOCAL
        ),
        node_source != ImageSource::Cached || echo_source != ImageSource::Cached,
    );

    p.step(&format!("network {}", layout.network()));
    let created = !host.network_exists(&layout.network()).await?;
    if created {
        host.create_bridge_network(&layout.network(), layout.labels("network"))
            .await?;
    }
    p.done(if created { "created" } else { "exists" }, created);

    p.step(&format!(
        "registry (localhost:{} on this host, registry:5000 in the lab)",
        layout.registry_port
    ));
    let changed = ensure_container(&host, &layout.registry_plan(&images)).await?;
    let registry = format!("127.0.0.1:{}", layout.registry_port);
    wait_for("the registry to answer", READY_LIMIT, || async {
        probe::registry_answers(&registry).await
    })
    .await?;
    p.done(if changed { "started" } else { "running" }, changed);

    p.step(&format!(
        "nodes: {} + {} workers",
        match layout.managers {
            1 => "manager".to_string(),
            n => format!("{n} managers"),
        },
        layout.workers
    ));
    let (nodes, changed) =
        ensure_nodes(&host, &layout, &images, options.node_privilege, &p).await?;
    p.done(if changed { "started" } else { "all running" }, changed);

    p.step("swarm");
    let changed = ensure_swarm(&layout, &nodes, &p).await?;
    p.done(if changed { "formed" } else { "already formed" }, changed);

    p.step(&format!("demo image {}", plan::ECHO_IMAGE_IN_LAB));
    let pushed = !probe::holds_tag(&registry, "example/echo", "latest").await;
    if pushed {
        host.tag(images::ECHO_IMAGE_LOCAL, &layout.echo_image_on_host())
            .await?;
        host.push(&layout.echo_image_on_host()).await?;
    }
    p.done(
        if pushed {
            "pushed"
        } else {
            "already in the registry"
        },
        pushed,
    );

    let manager = &nodes[0];
    let panel_urls = match options.panel.panel {
        false => vec![],
        true => {
            p.step(&format!("panel: stack {} on the managers", panel::STACK));
            let urls = panel::deploy(&host, manager, &layout, &options.panel).await?;
            p.done(
                &format!("deployed; answering at {}", urls.join(", ")),
                false,
            );
            urls
        }
    };
    let members = manager.list_nodes().await?;
    println!();
    if p.changes == 0 {
        println!(
            "lab {} was already up: nothing changed ({:.1}s)",
            layout.name,
            p.total_secs()
        );
    } else {
        println!("lab {} is up ({:.1}s)", layout.name, p.total_secs());
    }
    let self_id = match manager.swarm_state().await? {
        SwarmState::Active { node_id, .. } => node_id,
        _ => String::new(),
    };
    println!("{}\n", plan::node_table(&members, &self_id));
    println!("  manager API   {}", layout.manager_api());
    println!(
        "  use it        DOCKER_HOST={} docker node ls",
        layout.manager_api()
    );
    match panel_urls.as_slice() {
        [] => println!(
            "  panel         flotilla serve --docker {}",
            layout.manager_api()
        ),
        urls => {
            println!(
                "  panel         {} (served from inside the swarm)",
                urls.join("  ")
            );
            println!(
                "  admin token   {}",
                options.panel.panel_secrets.join("admin-token").display()
            );
        }
    }
    println!(
        "  registry      push to {}; nodes pull {}",
        layout.echo_image_on_host(),
        plan::ECHO_IMAGE_IN_LAB
    );
    println!(
        "  try           docker service create --replicas 6 --name echo {}",
        plan::ECHO_IMAGE_IN_LAB
    );
    Ok(())
}

/// Makes sure the container runs; returns whether anything had to be done.
async fn ensure_container(host: &Engine, plan: &ContainerPlan) -> Result<bool, LabError> {
    match host.container_state(&plan.name).await? {
        ContainerState::Running { .. } => Ok(false),
        ContainerState::Stopped { .. } => {
            host.start_container(&plan.name).await?;
            Ok(true)
        }
        ContainerState::Missing => {
            for (volume, _) in &plan.volumes {
                host.create_volume(volume, plan.labels.clone()).await?;
            }
            host.create_container(plan).await?;
            if let Err(e) = host.start_container(&plan.name).await {
                host.remove_container(&plan.name).await.ok();
                return Err(e.into());
            }
            Ok(true)
        }
    }
}

/// Starts every node container and returns a connected engine for each, manager first.
async fn ensure_nodes(
    host: &Engine,
    layout: &LabLayout,
    images: &NodeImages,
    mode: PrivilegeMode,
    p: &Progress,
) -> Result<(Vec<Engine>, bool), LabError> {
    let mut privilege = match mode {
        PrivilegeMode::Caps => Privilege::AllCapsButSysResource,
        _ => Privilege::Privileged,
    };
    let mut changed = false;
    for member in layout.members() {
        let attempt = ensure_container(host, &layout.node_plan(&member, images, privilege)).await;
        changed |= match attempt {
            Ok(c) => c,
            Err(LabError::Docker(e))
                if mode == PrivilegeMode::Auto
                    && privilege == Privilege::Privileged
                    && privileged_refused(&e.to_string()) =>
            {
                p.note("this host refuses --privileged; nodes get every capability but CAP_SYS_RESOURCE instead");
                privilege = Privilege::AllCapsButSysResource;
                ensure_container(host, &layout.node_plan(&member, images, privilege)).await?
            }
            Err(e) => return Err(e),
        };
    }
    let mut engines = Vec::new();
    for Member {
        hostname,
        host_port,
        ..
    } in layout.members()
    {
        let address = format!("tcp://127.0.0.1:{host_port}");
        let engine = Engine::connect_within(&address, NODE_BOOT_LIMIT).await.map_err(|e| {
            LabError::NotReady(format!(
                "{hostname}'s dockerd did not answer at {address} within {NODE_BOOT_LIMIT:?}: {e}\n  \
                 see its log: docker logs {}-{hostname}",
                layout.name
            ))
        })?;
        engines.push(engine);
    }
    Ok((engines, changed))
}

/// `swarm init` on the manager, `swarm join` on each worker that is not in yet, then waits
/// until every node reports Ready.
async fn ensure_swarm(
    layout: &LabLayout,
    nodes: &[Engine],
    p: &Progress,
) -> Result<bool, LabError> {
    let members = layout.members();
    let mut changed = false;
    for (member, engine) in members.iter().zip(nodes) {
        let state = engine.swarm_state().await?;
        match plan::swarm_step(&member.hostname, &state, member.role) {
            SwarmStep::Nothing => {}
            SwarmStep::Init => {
                engine.init_swarm("eth0").await?;
                p.note("manager: swarm init");
                changed = true;
            }
            SwarmStep::Join(role) => {
                let manager = role != SwarmRole::Worker;
                let token = nodes[0].join_token(manager).await?;
                engine.join_swarm("manager:2377", &token).await?;
                let role = if manager { "manager" } else { "worker" };
                p.note(&format!("{}: joined as {role}", member.hostname));
                changed = true;
            }
            SwarmStep::Refuse(why) => return Err(LabError::Refused(why)),
        }
    }
    let expected = members.len();
    let manager = &nodes[0];
    wait_for(
        &format!("{expected} nodes to be Ready"),
        READY_LIMIT,
        || async {
            manager.list_nodes().await.is_ok_and(|nodes| {
                nodes
                    .iter()
                    .filter(|n| n.state == flotilla_app::model::NodeState::Ready)
                    .count()
                    == expected
            })
        },
    )
    .await?;
    Ok(changed)
}

/// Polls `check` until it holds or `limit` passes.
async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F) -> Result<(), LabError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + limit;
    while !check().await {
        if tokio::time::Instant::now() >= until {
            return Err(LabError::NotReady(format!(
                "gave up waiting for {what} after {limit:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(())
}

pub async fn status(options: &LabOptions) -> Result<(), LabError> {
    let layout = options.layout();
    let host = Engine::connect(&options.host_docker).await?;
    let mut containers = vec![(
        format!("registry (localhost:{})", layout.registry_port),
        layout.registry_container(),
    )];
    containers.extend(layout.members().into_iter().map(|m| {
        (
            format!("{} (127.0.0.1:{})", m.hostname, m.host_port),
            m.container,
        )
    }));
    let mut manager_running = false;
    for (what, name) in &containers {
        let state = host.container_state(name).await?;
        manager_running |=
            name.ends_with("-manager") && matches!(state, ContainerState::Running { .. });
        let shown = match state {
            ContainerState::Missing => "missing",
            ContainerState::Stopped { .. } => "stopped",
            ContainerState::Running { .. } => "running",
        };
        println!("{what:<32} {name:<28} {shown}");
    }
    if !manager_running {
        println!("\nlab {} is not up: run `flotilla lab up`", layout.name);
        return Ok(());
    }
    let manager = Engine::connect(&layout.manager_api()).await?;
    let self_id = match manager.swarm_state().await? {
        SwarmState::Active {
            node_id,
            manager: true,
        } => node_id,
        other => {
            println!("\nthe manager is not a swarm manager ({other:?}): run `flotilla lab up`");
            return Ok(());
        }
    };
    println!(
        "\n{}",
        plan::node_table(&manager.list_nodes().await?, &self_id)
    );
    Ok(())
}

pub async fn down(options: &LabOptions) -> Result<(), LabError> {
    let layout = options.layout();
    let host = Engine::connect(&options.host_docker).await?;
    let objects = host.objects_labelled(&layout.label()).await?;
    if objects == Default::default() {
        println!(
            "no lab named {} on {}: nothing to remove",
            layout.name,
            host.host()
        );
        return Ok(());
    }
    let started = std::time::Instant::now();
    let removals = objects.containers.iter().map(|c| host.remove_container(c));
    for result in futures_util::future::join_all(removals).await {
        result?;
    }
    for network in &objects.networks {
        host.remove_network(network).await?;
    }
    for volume in &objects.volumes {
        host.remove_volume(volume).await?;
    }
    println!(
        "lab {} removed in {:.1}s: containers {}; networks {}; volumes {} (images kept as a cache)",
        layout.name,
        started.elapsed().as_secs_f64(),
        objects.containers.join(", "),
        objects.networks.join(", "),
        objects.volumes.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{parse_lab_name, privileged_refused};

    #[test]
    fn lab_names() {
        for good in ["flotilla-lab", "lab1", "9x"] {
            assert!(parse_lab_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-lab", "Lab", "lab_1", "lab/../x", &"a".repeat(33)] {
            assert!(parse_lab_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recognises_refused_privilege() {
        let refused = "Error response from daemon: failed to create shim: OCI runtime create failed: \
                       runc create failed: unable to start container process: unable to apply caps: operation not permitted";
        assert!(privileged_refused(refused));
        assert!(!privileged_refused(
            "Error response from daemon: port is already allocated"
        ));
    }
}
