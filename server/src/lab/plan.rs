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

/// A lab's identity and where it is reachable from the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabLayout {
    pub name: String,
    /// Host port of the manager's API; worker N is on `api_port + N`.
    pub api_port: u16,
    pub registry_port: u16,
    pub workers: u8,
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
        self.member("manager".into(), 0)
    }

    pub fn workers(&self) -> Vec<Member> {
        (1..=self.workers)
            .map(|i| self.member(format!("worker{i:02}"), i))
            .collect()
    }

    pub fn members(&self) -> Vec<Member> {
        std::iter::once(self.manager())
            .chain(self.workers())
            .collect()
    }

    fn member(&self, hostname: String, index: u8) -> Member {
        Member {
            container: format!("{}-{hostname}", self.name),
            hostname,
            host_port: self.api_port + u16::from(index),
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
        let role = if member.hostname == "manager" {
            "manager"
        } else {
            "worker"
        };
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
            ports: vec![(NODE_API_PORT_INSIDE, member.host_port)],
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
    Join,
    /// A state `lab up` cannot repair by itself; the text says what to do.
    Refuse(String),
}

/// Decides the manager's step (`want_manager`) or a worker's.
pub fn swarm_step(hostname: &str, state: &SwarmState, want_manager: bool) -> SwarmStep {
    match (state, want_manager) {
        (SwarmState::Inactive, true) => SwarmStep::Init,
        (SwarmState::Inactive, false) => SwarmStep::Join,
        (SwarmState::Active { manager, .. }, _) if *manager == want_manager => SwarmStep::Nothing,
        (SwarmState::Active { .. }, _) if !want_manager => SwarmStep::Nothing, // promoted by hand: fine
        (SwarmState::Active { .. }, _) => SwarmStep::Refuse(format!(
            "{hostname} is a swarm worker but should be the manager; run `flotilla lab down` then `lab up`"
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
