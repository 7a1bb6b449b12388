//! Stacks on the engine, as `docker stack deploy|ls|services|ps|rm` does them: read a stack's
//! live objects (by the namespace label; external ones and secrets/configs by name), ask the
//! distribution endpoint for digests, apply a plan in the CLI's order, remove a stack.
//! What to do is decided in `stack::plan` (pure); this only talks to Docker.

mod apply;
mod raw;
mod remove;

pub use apply::Note;

use super::{Context, DockerError, Engine, Result};
use crate::stack::Desired;
use crate::stack::NAMESPACE_LABEL;
use crate::stack::plan::images::Resolved;
use crate::stack::plan::{Live, LiveNetwork, LiveObject, LiveService};
use crate::stack::plan::{PlanError, images, plan, preflight};
use bollard::models as m;
use bollard::query_parameters::{
    ListConfigsOptions, ListNetworksOptions, ListNodesOptions, ListSecretsOptions,
    ListServicesOptions, ListTasksOptions,
};
use flotilla_app::stacks::Plan;
use flotilla_app::stacks::ResolveImage;
use std::collections::{BTreeMap, HashMap};

/// `label=com.docker.stack.namespace=<stack>`, or any stack's with None.
fn stack_filter(namespace: Option<&str>) -> HashMap<String, Vec<String>> {
    let label = match namespace {
        Some(ns) => format!("{NAMESPACE_LABEL}={ns}"),
        None => NAMESPACE_LABEL.to_string(),
    };
    HashMap::from([("label".to_string(), vec![label])])
}

fn version(v: &Option<m::ObjectVersion>) -> u64 {
    v.as_ref().and_then(|v| v.index).unwrap_or(0)
}

/// A stack's tasks with what `stack ps` shows beside them.
pub struct StackTasks {
    pub tasks: Vec<m::Task>,
    /// Service ID -> name.
    pub services: HashMap<String, String>,
    /// Node ID -> hostname.
    pub nodes: HashMap<String, String>,
}

/// A deploy ready to apply: the specs as they will be sent (images pinned), what is live,
/// and the plan (its warnings include the images that could not be pinned).
pub struct Prepared {
    pub desired: Desired,
    pub live: Live,
    pub plan: Plan,
    /// The digest warnings alone, as the CLI prints them.
    pub image_warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl Engine {
    /// Everything before the first change: the manager check, the live objects, the checks
    /// against them, the digests (`resolve`), the plan. Reads only; the preview is `plan`,
    /// and [`Engine::apply_stack`] takes the rest. Run it again right before an apply: the
    /// swarm may have changed since a preview.
    pub async fn prepare_deploy(
        &self,
        mut desired: Desired,
        resolve: ResolveImage,
        prune: bool,
    ) -> std::result::Result<Prepared, PrepareError> {
        self.check_swarm_manager().await?;
        let live = self.read_stack(&desired).await?;
        preflight(&desired, &live)?;
        let asked = images::queries(&desired, &live, resolve);
        let answers = self.resolve_images(&asked).await;
        let image_warnings = images::pin(&mut desired, &live, resolve, &answers);
        let mut plan = plan(&desired, &live, prune)?;
        plan.warnings.extend(image_warnings.iter().cloned());
        Ok(Prepared {
            desired,
            live,
            plan,
            image_warnings,
        })
    }

    /// The CLI's first step: networks of swarm scope can only be made on a manager, and the
    /// network API does not say so clearly.
    pub async fn check_swarm_manager(&self) -> Result<()> {
        let info = self
            .docker
            .info()
            .await
            .context(|| "reading the engine's info".into())?;
        match info.swarm.and_then(|s| s.control_available) {
            Some(true) => Ok(()),
            _ => Err(DockerError::Other(
                "this node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again".into(),
            )),
        }
    }

    async fn stack_services(
        &self,
        namespace: Option<&str>,
        status: bool,
    ) -> Result<Vec<m::Service>> {
        let options = ListServicesOptions {
            filters: Some(stack_filter(namespace)),
            status: Some(status),
        };
        self.docker
            .list_services(Some(options))
            .await
            .context(|| "listing the stack's services".into())
    }

    async fn stack_networks(&self, namespace: &str) -> Result<Vec<m::Network>> {
        let options = ListNetworksOptions {
            filters: Some(stack_filter(Some(namespace))),
        };
        self.docker
            .list_networks(Some(options))
            .await
            .context(|| "listing the stack's networks".into())
    }

    async fn secrets(&self, namespace: Option<&str>) -> Result<Vec<m::Secret>> {
        let options = ListSecretsOptions {
            filters: namespace.map(|ns| stack_filter(Some(ns))),
        };
        self.docker
            .list_secrets(Some(options))
            .await
            .context(|| "listing secrets".into())
    }

    async fn configs(&self, namespace: Option<&str>) -> Result<Vec<m::Config>> {
        let options = ListConfigsOptions {
            filters: namespace.map(|ns| stack_filter(Some(ns))),
        };
        self.docker
            .list_configs(Some(options))
            .await
            .context(|| "listing configs".into())
    }

    /// What `desired`'s objects look like now: the stack's services and networks by label,
    /// the external networks it names by name (absent when not found), and every secret and
    /// config by name (the CLI looks them up by name, labelled or not).
    pub async fn read_stack(&self, desired: &Desired) -> Result<Live> {
        let mut live = Live::default();
        let filters = stack_filter(Some(&desired.namespace));
        for service in self.services_with_health(filters).await? {
            let spec = service.spec.unwrap_or_default();
            let name = spec.name.clone().unwrap_or_default();
            let id = service.id.unwrap_or_default();
            let version = version(&service.version);
            live.services
                .insert(name, LiveService { id, version, spec });
        }
        for network in self.stack_networks(&desired.namespace).await? {
            let name = network.name.unwrap_or_default();
            let id = network.id.unwrap_or_default();
            let scope = network.scope.unwrap_or_default();
            live.networks.insert(name, LiveNetwork { id, scope });
        }
        for name in &desired.external_networks {
            match self.docker.inspect_network(name, None).await {
                Ok(n) => {
                    let found = LiveNetwork {
                        id: n.id.unwrap_or_default(),
                        scope: n.scope.unwrap_or_default(),
                    };
                    live.external_networks.insert(name.clone(), found);
                }
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(e).context(|| format!("inspecting network {name}")),
            }
        }
        for secret in self.secrets(None).await? {
            let spec = secret.spec.unwrap_or_default();
            let object = LiveObject {
                id: secret.id.unwrap_or_default(),
                version: version(&secret.version),
                spec: spec.clone(),
            };
            live.secrets.insert(spec.name.unwrap_or_default(), object);
        }
        for config in self.configs(None).await? {
            let spec = config.spec.unwrap_or_default();
            let object = LiveObject {
                id: config.id.unwrap_or_default(),
                version: version(&config.version),
                spec: spec.clone(),
            };
            live.configs.insert(spec.name.unwrap_or_default(), object);
        }
        Ok(live)
    }

    /// Asks the engine's distribution endpoint (the engine asks the registry, with its own
    /// credentials) about each image; None where it could not tell, as the CLI then warns.
    pub async fn resolve_images(&self, images: &[String]) -> BTreeMap<String, Option<Resolved>> {
        let mut answers = BTreeMap::new();
        for image in images {
            let answer = match self.docker.inspect_registry_image(image, None).await {
                Ok(found) => found.descriptor.digest.map(|digest| Resolved {
                    digest,
                    platforms: found
                        .platforms
                        .into_iter()
                        .map(|p| (p.os.unwrap_or_default(), p.architecture.unwrap_or_default()))
                        .collect(),
                }),
                Err(e) => {
                    tracing::debug!("distribution inspect of {image}: {e}");
                    None
                }
            };
            answers.insert(image.clone(), answer);
        }
        answers
    }

    /// `docker stack ls`: (stack, number of services), from the namespace label.
    pub async fn list_stacks(&self) -> Result<Vec<(String, usize)>> {
        let mut stacks: Vec<(String, usize)> = Vec::new();
        for service in self.stack_services(None, false).await? {
            let labels = service.spec.and_then(|s| s.labels).unwrap_or_default();
            let Some(name) = labels.get(NAMESPACE_LABEL) else {
                continue;
            };
            match stacks.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => stacks.push((name.clone(), 1)),
            }
        }
        Ok(stacks)
    }

    /// `docker stack services`: the stack's services with their task counts.
    pub async fn list_stack_services(&self, namespace: &str) -> Result<Vec<m::Service>> {
        self.stack_services(Some(namespace), true).await
    }

    /// `docker stack ps`: the stack's tasks, with service and node names to show.
    pub async fn list_stack_tasks(&self, namespace: &str) -> Result<StackTasks> {
        let options = ListTasksOptions {
            filters: Some(stack_filter(Some(namespace))),
        };
        let tasks = self
            .docker
            .list_tasks(Some(options))
            .await
            .context(|| "listing the stack's tasks".into())?;
        let services = self
            .stack_services(Some(namespace), false)
            .await?
            .into_iter()
            .filter_map(|s| Some((s.id?, s.spec?.name?)))
            .collect();
        let nodes = self
            .docker
            .list_nodes(None::<ListNodesOptions>)
            .await
            .context(|| "listing nodes".into())?
            .into_iter()
            .filter_map(|n| Some((n.id?, n.description?.hostname?)))
            .collect();
        Ok(StackTasks {
            tasks,
            services,
            nodes,
        })
    }
}

fn not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}
