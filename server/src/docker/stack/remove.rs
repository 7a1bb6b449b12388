//! `docker stack rm`: the stack's services, secrets, configs and networks, in that order, by
//! the namespace label; volumes never. A failure is said and the rest still removed.

use super::super::timed::Endpoint;
use super::super::{Context, Engine, Result};
use super::{Note, stack_filter};
use bollard::query_parameters::ListNetworksOptions;
use std::time::Duration;

/// How long a network still used by a removed service's tasks is retried: the engine lets
/// go of them a moment after the service is gone, and the CLI's immediate removal can fail
/// on that race ("network ... is in use by task ...").
const NETWORK_RELEASE: Duration = Duration::from_secs(20);

/// What a removal did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// (kind, name) removed, in order.
    pub removed: Vec<(&'static str, String)>,
    /// Nothing carried the stack's label.
    pub nothing_found: bool,
    /// Some object could not be removed (each said through a warning).
    pub failed: bool,
}

impl Engine {
    pub async fn remove_stack(
        &self,
        namespace: &str,
        note: &mut (dyn FnMut(Note) + Send),
    ) -> Result<Removed> {
        let mut services = self.stack_services(Some(namespace), false).await?;
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptions {
                filters: Some(stack_filter(Some(namespace))),
            }))
            .await
            .context(|| "listing the stack's networks".into())?;
        let secrets = self.secrets(Some(namespace)).await?;
        let configs = self.configs(Some(namespace)).await?;
        let mut done = Removed::default();
        if services.len() + networks.len() + secrets.len() + configs.len() == 0 {
            note(Note::Warning(format!(
                "Nothing found in stack: {namespace}"
            )));
            done.nothing_found = true;
            return Ok(done);
        }
        let name_of = |s: &bollard::models::Service| {
            s.spec
                .as_ref()
                .and_then(|s| s.name.clone())
                .unwrap_or_default()
        };
        services.sort_by_key(name_of);
        let mut steps: Vec<(&'static str, String, String)> = Vec::new();
        for s in &services {
            steps.push(("service", s.id.clone().unwrap_or_default(), name_of(s)));
        }
        for s in &secrets {
            let name = s.spec.as_ref().and_then(|s| s.name.clone());
            steps.push((
                "secret",
                s.id.clone().unwrap_or_default(),
                name.unwrap_or_default(),
            ));
        }
        for c in &configs {
            let name = c.spec.as_ref().and_then(|s| s.name.clone());
            steps.push((
                "config",
                c.id.clone().unwrap_or_default(),
                name.unwrap_or_default(),
            ));
        }
        for n in &networks {
            let name = n.name.clone().unwrap_or_default();
            steps.push(("network", n.id.clone().unwrap_or_default(), name));
        }
        for (kind, id, name) in steps {
            // Said before the call, as the CLI prints before it removes.
            note(Note::Step(format!("Removing {kind} {name}")));
            // Already gone (a removal racing ours, or the node's list lagging behind the
            // swarm's) is what was asked.
            let result = self
                .remove_one(kind, &id)
                .await
                .or_else(|e| match gone(&e) {
                    true => Ok(()),
                    false => Err(e),
                });
            match result {
                Ok(()) => done.removed.push((kind, name)),
                Err(e) => {
                    done.failed = true;
                    note(Note::Warning(format!("Failed to remove {kind} {id}: {e}")));
                }
            }
        }
        Ok(done)
    }

    async fn remove_one(&self, kind: &str, id: &str) -> Result<()> {
        match kind {
            "service" => self.remove_service(id).await,
            "secret" => self
                .timed(Endpoint::SecretDelete, self.docker.delete_secret(id))
                .await
                .context(|| format!("removing secret {id}")),
            "config" => self
                .timed(Endpoint::ConfigDelete, self.docker.delete_config(id))
                .await
                .context(|| format!("removing config {id}")),
            _ => self.remove_network_when_released(id).await,
        }
    }

    async fn remove_network_when_released(&self, id: &str) -> Result<()> {
        let until = tokio::time::Instant::now() + NETWORK_RELEASE;
        loop {
            let result = self
                .timed(Endpoint::NetworkDelete, self.docker.remove_network(id))
                .await;
            match result {
                Err(bollard::errors::Error::DockerResponseServerError { ref message, .. })
                    if message.contains("in use") && tokio::time::Instant::now() < until =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                other => return other.context(|| format!("removing network {id}")),
            }
        }
    }
}

fn gone(e: &super::super::DockerError) -> bool {
    match e {
        super::super::DockerError::Api {
            source:
                bollard::errors::Error::DockerResponseServerError {
                    status_code,
                    message,
                },
            ..
        } => *status_code == 404 || message.trim_end().ends_with("not found"),
        _ => false,
    }
}
