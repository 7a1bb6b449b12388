//! Containers, networks and volumes the lab creates on the host engine, always found again
//! by label so that `lab down` removes exactly what `lab up` made.

use super::{Context, Engine, Result};
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, HostConfigCgroupnsModeEnum,
    NetworkCreateRequest, NetworkingConfig, PortBinding, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, ListContainersOptions, ListNetworksOptions, ListVolumesOptions,
    RemoveContainerOptions, RemoveVolumeOptions, StartContainerOptions,
};
use std::collections::HashMap;

/// How a Docker-in-Docker node gets the rights dockerd needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privilege {
    None,
    /// `--privileged`: the usual way on ordinary hosts.
    Privileged,
    /// Every capability but CAP_SYS_RESOURCE, no seccomp/apparmor, host cgroups: for hosts
    /// (such as sandboxes) where `--privileged` is refused with "unable to apply caps".
    AllCapsButSysResource,
}

/// One container as the lab wants it.
#[derive(Clone, Debug)]
pub struct ContainerPlan {
    pub name: String,
    pub hostname: String,
    pub image: String,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub labels: HashMap<String, String>,
    pub network: String,
    pub aliases: Vec<String>,
    /// (container port, host port), published on 127.0.0.1 only.
    pub ports: Vec<(u16, u16)>,
    /// (volume name, mount path)
    pub volumes: Vec<(String, String)>,
    pub privilege: Privilege,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerState {
    Missing,
    Running { id: String },
    Stopped { id: String },
}

/// What carries a label, for counting leftovers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabObjects {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
}

fn label_filter(label: &str) -> Option<HashMap<String, Vec<String>>> {
    Some(HashMap::from([(
        "label".to_string(),
        vec![label.to_string()],
    )]))
}

impl Engine {
    pub async fn container_state(&self, name: &str) -> Result<ContainerState> {
        match self.docker.inspect_container(name, None).await {
            Ok(c) => {
                let id = c.id.unwrap_or_default();
                let running = c.state.and_then(|s| s.running).unwrap_or(false);
                Ok(if running {
                    ContainerState::Running { id }
                } else {
                    ContainerState::Stopped { id }
                })
            }
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(ContainerState::Missing),
            Err(e) => Err(e).context(|| format!("inspecting container {name}")),
        }
    }

    pub async fn create_container(&self, plan: &ContainerPlan) -> Result<String> {
        let mut host = HostConfig {
            binds: Some(
                plan.volumes
                    .iter()
                    .map(|(v, path)| format!("{v}:{path}"))
                    .collect(),
            ),
            port_bindings: Some(
                plan.ports
                    .iter()
                    .map(|(inner, outer)| {
                        let binding = PortBinding {
                            host_ip: Some("127.0.0.1".into()),
                            host_port: Some(outer.to_string()),
                        };
                        (format!("{inner}/tcp"), Some(vec![binding]))
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        match plan.privilege {
            Privilege::None => {}
            Privilege::Privileged => host.privileged = Some(true),
            Privilege::AllCapsButSysResource => {
                host.cap_add = Some(vec!["ALL".into()]);
                host.cap_drop = Some(vec!["SYS_RESOURCE".into()]);
                host.security_opt = Some(vec![
                    "seccomp=unconfined".into(),
                    "apparmor=unconfined".into(),
                ]);
                // The CLI's `--security-opt systempaths=unconfined`: no masked or read-only
                // /proc and /sys paths.
                host.masked_paths = Some(vec![]);
                host.readonly_paths = Some(vec![]);
                host.device_cgroup_rules = Some(vec!["a *:* rwm".into()]);
                host.cgroupns_mode = Some(HostConfigCgroupnsModeEnum::HOST);
                host.binds
                    .get_or_insert_default()
                    .push("/sys/fs/cgroup:/sys/fs/cgroup:rw".into());
                host.tmpfs = Some(HashMap::from([
                    ("/run".to_string(), String::new()),
                    ("/var/run".to_string(), String::new()),
                ]));
            }
        }
        let endpoint = EndpointSettings {
            aliases: Some(plan.aliases.clone()),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            hostname: Some(plan.hostname.clone()),
            image: Some(plan.image.clone()),
            entrypoint: plan.entrypoint.clone(),
            cmd: Some(plan.cmd.clone()),
            env: Some(plan.env.clone()),
            labels: Some(plan.labels.clone()),
            exposed_ports: Some(plan.ports.iter().map(|(p, _)| format!("{p}/tcp")).collect()),
            host_config: Some(host),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(plan.network.clone(), endpoint)])),
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(plan.name.clone()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .context(|| format!("creating container {}", plan.name))?;
        Ok(created.id)
    }

    pub async fn start_container(&self, name: &str) -> Result<()> {
        self.docker
            .start_container(name, None::<StartContainerOptions>)
            .await
            .context(|| format!("starting container {name}"))
    }

    /// Removes a container with its anonymous volumes, running or not.
    pub async fn remove_container(&self, name: &str) -> Result<()> {
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        self.docker
            .remove_container(name, Some(options))
            .await
            .context(|| format!("removing container {name}"))
    }

    pub async fn network_exists(&self, name: &str) -> Result<bool> {
        let filters = Some(HashMap::from([(
            "name".to_string(),
            vec![name.to_string()],
        )]));
        let nets = self
            .docker
            .list_networks(Some(ListNetworksOptions { filters }))
            .await
            .context(|| "listing networks".into())?;
        // The name filter matches substrings: compare exactly.
        Ok(nets.iter().any(|n| n.name.as_deref() == Some(name)))
    }

    pub async fn create_bridge_network(
        &self,
        name: &str,
        labels: HashMap<String, String>,
    ) -> Result<()> {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("bridge".into()),
            labels: Some(labels),
            ..Default::default()
        };
        self.docker
            .create_network(request)
            .await
            .context(|| format!("creating network {name}"))?;
        Ok(())
    }

    pub async fn create_volume(&self, name: &str, labels: HashMap<String, String>) -> Result<()> {
        let request = VolumeCreateRequest {
            name: Some(name.to_string()),
            labels: Some(labels),
            ..Default::default()
        };
        self.docker
            .create_volume(request)
            .await
            .context(|| format!("creating volume {name}"))?;
        Ok(())
    }

    /// Names of every container (running or not), network and volume carrying `label`
    /// (`key` or `key=value`).
    pub async fn objects_labelled(&self, label: &str) -> Result<LabObjects> {
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: label_filter(label),
                ..Default::default()
            }))
            .await
            .context(|| "listing containers".into())?;
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptions {
                filters: label_filter(label),
            }))
            .await
            .context(|| "listing networks".into())?;
        let volumes = self
            .docker
            .list_volumes(Some(ListVolumesOptions {
                filters: label_filter(label),
            }))
            .await
            .context(|| "listing volumes".into())?;
        let mut objects = LabObjects {
            containers: containers
                .into_iter()
                .filter_map(|c| c.names.and_then(|n| n.into_iter().next()))
                .map(|n| n.trim_start_matches('/').to_string())
                .collect(),
            networks: networks.into_iter().filter_map(|n| n.name).collect(),
            volumes: volumes
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.name)
                .collect(),
        };
        objects.containers.sort();
        objects.networks.sort();
        objects.volumes.sort();
        Ok(objects)
    }

    pub async fn remove_network(&self, name: &str) -> Result<()> {
        self.docker
            .remove_network(name)
            .await
            .context(|| format!("removing network {name}"))
    }

    pub async fn remove_volume(&self, name: &str) -> Result<()> {
        let options = RemoveVolumeOptions { force: true };
        self.docker
            .remove_volume(name, Some(options))
            .await
            .context(|| format!("removing volume {name}"))
    }
}
