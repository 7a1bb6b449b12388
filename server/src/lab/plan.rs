//! The lab's shape as plain data: names, ports, container plans, swarm membership steps and
//! the `docker node ls` table. No I/O here, so every decision is unit-tested.

use crate::docker::{ContainerPlan, Privilege, SwarmState};
use flotilla_app::model::Node;
use std::collections::HashMap;

/// Label on everything a lab creates; its value is the lab's name.
pub const LAB_LABEL: &str = "io.flotilla.lab";
/// Port the registry listens on inside the lab network (`registry:5000/...`).
pub const REGISTRY_PORT_INSIDE: u16 = 5000;
/// Plain-TCP Docker API port of every node inside the lab network.
pub const NODE_API_PORT_INSIDE: u16 = 2375;
/// The demo image, as nodes pull it.
pub const ECHO_IMAGE_IN_LAB: &str = "registry:5000/example/echo:latest";
/// Port the panel, deployed on the lab's managers (`lab up --panel`), publishes in host mode
/// inside each manager; the manager's container publishes it on the host.
pub const PANEL_PORT_INSIDE: u16 = 8080;

/// A lab's identity and where it is reachable from the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabLayout {
    pub name: String,
    /// Host port of the manager's API; worker N is on `api_port + N`.
    pub api_port: u16,
    pub registry_port: u16,
    pub workers: u8,
    /// Managers in all, the first (`manager`) included; more make a swarm that survives
    /// losing one (Raft needs a majority).
    pub managers: u8,
    /// Host port of the panel on the first manager; manager N (from 0) is on `panel_port + N`.
    pub panel_port: u16,
}

/// A member's part in the swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwarmRole {
    /// The first manager: it initialises the swarm, the others join through it.
    Founder,
    Manager,
    Worker,
}

/// Which images the nodes and the registry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeImages {
    /// docker:dind and registry:2 from Docker Hub.
    Official,
    /// One image built from Debian packages holding both dockerd and docker-registry.
    Local(String),
}

/// One lab member: `manager`, `worker01`...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub hostname: String,
    pub container: String,
    pub host_port: u16,
    pub role: SwarmRole,
    /// Where this member's panel is reached from the host (managers only).
    pub panel_port: Option<u16>,
}

impl LabLayout {
    pub fn label(&self) -> String {
        format!("{LAB_LABEL}={}", self.name)
    }

    pub fn labels(&self, role: &str) -> HashMap<String, String> {
        HashMap::from([
            (LAB_LABEL.to_string(), self.name.clone()),
            (format!("{LAB_LABEL}.role"), role.to_string()),
        ])
    }

    pub fn network(&self) -> String {
        self.name.clone()
    }

    pub fn registry_container(&self) -> String {
        format!("{}-registry", self.name)
    }

    pub fn manager(&self) -> Member {
        self.member("manager".into(), 0, SwarmRole::Founder, Some(0))
    }

    /// Workers take the API ports right after the first manager's, so a lab's ports stay
    /// where they were when managers are added; the other managers come after them.
    pub fn workers(&self) -> Vec<Member> {
        (1..=self.workers)
            .map(|i| self.member(format!("worker{i:02}"), i, SwarmRole::Worker, None))
            .collect()
    }

    /// `manager02`, `manager03`...: the managers besides the first.
    pub fn other_managers(&self) -> Vec<Member> {
        (2..=self.managers)
            .map(|n| {
                let port_index = self.workers + n - 1;
                let role = SwarmRole::Manager;
                self.member(format!("manager{n:02}"), port_index, role, Some(n - 1))
            })
            .collect()
    }

    /// Every node, managers first: a worker joins a swarm whose managers are all in.
    pub fn members(&self) -> Vec<Member> {
        std::iter::once(self.manager())
            .chain(self.other_managers())
            .chain(self.workers())
            .collect()
    }

    pub fn managers(&self) -> Vec<Member> {
        std::iter::once(self.manager())
            .chain(self.other_managers())
            .collect()
    }

    fn member(&self, hostname: String, index: u8, role: SwarmRole, panel: Option<u8>) -> Member {
        Member {
            container: format!("{}-{hostname}", self.name),
            hostname,
            host_port: self.api_port + u16::from(index),
            role,
            panel_port: panel.map(|n| self.panel_port + u16::from(n)),
        }
    }

    pub fn manager_api(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.api_port)
    }

    /// The echo image as the host pushes it (`localhost:5000/example/echo:latest`).
    pub fn echo_image_on_host(&self) -> String {
        format!("localhost:{}/example/echo:latest", self.registry_port)
    }

    pub fn registry_plan(&self, images: &NodeImages) -> ContainerPlan {
        let volume = format!("{}-registry-data", self.name);
        let (image, cmd, data) = match images {
            NodeImages::Official => ("registry:2".to_string(), vec![], "/var/lib/registry"),
            NodeImages::Local(image) => (
                image.clone(),
                [
                    "docker-registry",
                    "serve",
                    "/etc/docker/registry/config.yml",
                ]
                .map(String::from)
                .to_vec(),
                "/var/lib/docker-registry",
            ),
        };
        ContainerPlan {
            name: self.registry_container(),
            hostname: "registry".into(),
            image,
            entrypoint: None,
            cmd,
            env: vec![],
            labels: self.labels("registry"),
            network: self.network(),
            aliases: vec!["registry".into()],
            ports: vec![(REGISTRY_PORT_INSIDE, self.registry_port)],
            volumes: vec![(volume, data.into())],
            privilege: Privilege::None,
        }
    }

    pub fn node_plan(
        &self,
        member: &Member,
        images: &NodeImages,
        privilege: Privilege,
    ) -> ContainerPlan {
        let cmd = [
            "dockerd",
            "--host=unix:///var/run/docker.sock",
            &format!("--host=tcp://0.0.0.0:{NODE_API_PORT_INSIDE}"),
            // Plain TCP inside a private lab network; newer dockerd refuses it unless asked.
            "--tls=false",
            // The socket root:root 660 whatever groups the image has, so a panel deployed
            // on the lab runs as a non-root user in group 0 (deploy/flotilla.yml).
            "--group=root",
            &format!("--insecure-registry=registry:{REGISTRY_PORT_INSIDE}"),
        ]
        .map(String::from)
        .to_vec();
        let (image, env) = match images {
            // The official image's entrypoint generates TLS certificates unless told not to.
            NodeImages::Official => (
                "docker:dind".to_string(),
                vec!["DOCKER_TLS_CERTDIR=".to_string()],
            ),
            NodeImages::Local(image) => (image.clone(), vec![]),
        };
        let role = match member.role {
            SwarmRole::Founder | SwarmRole::Manager => "manager",
            SwarmRole::Worker => "worker",
        };
        let mut ports = vec![(NODE_API_PORT_INSIDE, member.host_port)];
        ports.extend(member.panel_port.map(|port| (PANEL_PORT_INSIDE, port)));
        ContainerPlan {
            name: member.container.clone(),
            hostname: member.hostname.clone(),
            image,
            entrypoint: None,
            cmd,
            env,
            labels: self.labels(role),
            network: self.network(),
            aliases: vec![member.hostname.clone()],
            ports,
            volumes: vec![(
                format!("{}-docker", member.container),
                "/var/lib/docker".into(),
            )],
            privilege,
        }
    }
}

/// What to do about one engine's swarm membership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SwarmStep {
    Nothing,
    Init,
    /// Join with the token of this role (manager or worker).
    Join(SwarmRole),
    /// A state `lab up` cannot repair by itself; the text says what to do.
    Refuse(String),
}

/// Decides one member's step from its engine's swarm state.
pub fn swarm_step(hostname: &str, state: &SwarmState, role: SwarmRole) -> SwarmStep {
    let want_manager = role != SwarmRole::Worker;
    match (state, role) {
        (SwarmState::Inactive, SwarmRole::Founder) => SwarmStep::Init,
        (SwarmState::Inactive, role) => SwarmStep::Join(role),
        (SwarmState::Active { manager, .. }, _) if *manager == want_manager => SwarmStep::Nothing,
        (SwarmState::Active { .. }, _) if !want_manager => SwarmStep::Nothing, // promoted by hand: fine
        (SwarmState::Active { .. }, _) => SwarmStep::Refuse(format!(
            "{hostname} is a swarm worker but should be a manager; run `flotilla lab down` then `lab up`"
        )),
        (SwarmState::Unsettled(s), _) => SwarmStep::Refuse(format!(
            "{hostname} is in swarm state {s}; run `flotilla lab down` then `lab up`"
        )),
    }
}

/// `docker node ls`: ID HOSTNAME STATUS AVAILABILITY MANAGER STATUS ENGINE VERSION, with `*`
/// after the ID of the node that answered.
pub fn node_table(nodes: &[Node], self_id: &str) -> String {
    let header = [
        "ID",
        "HOSTNAME",
        "STATUS",
        "AVAILABILITY",
        "MANAGER STATUS",
        "ENGINE VERSION",
    ];
    let rows: Vec<[String; 6]> = nodes
        .iter()
        .map(|n| {
            let star = if n.id == self_id { " *" } else { "" };
            [
                format!("{}{star}", n.id),
                n.hostname.clone(),
                n.state.label().to_string(),
                n.availability.label().to_string(),
                n.manager_status
                    .map(|m| m.label().to_string())
                    .unwrap_or_default(),
                n.engine_version.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}   "));
            }
        }
        out.trim_end().to_string()
    };
    let mut table = line(&header);
    for row in &rows {
        table.push('\n');
        table.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    table
}

#[cfg(test)]
mod tests;
