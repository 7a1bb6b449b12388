//! A plan applied in the CLI's order: prune, networks, secrets, configs, services. The first
//! refusal stops it; what was done stays done (the CLI rolls nothing back either) and the
//! report says what was done, what failed and why, and what was not attempted.

use super::super::timed::Endpoint;
use super::super::{Context, DockerError, Engine, Result};
use crate::stack::plan::{Live, fill_refs};
use crate::stack::{Desired, NetworkWant};
use bollard::models as m;
use bollard::query_parameters::{UpdateConfigOptions, UpdateSecretOptions};
use flotilla_app::stacks::{ApplyReport, Plan, PlanAction, PlanItem, StackObject};
use std::collections::HashMap;

/// What an apply says as it goes: the CLI's progress lines (stdout) and warnings (stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Step(String),
    Warning(String),
}

/// IDs of secrets and configs by name: the live ones, then those created on the way.
struct Ids {
    secrets: HashMap<String, String>,
    configs: HashMap<String, String>,
}

impl Engine {
    /// Applies `plan` (made by `stack::plan::plan` from `desired` and `live`, images already
    /// pinned). The caller has checked the engine is a manager and the policy, if any.
    pub async fn apply_stack(
        &self,
        desired: &Desired,
        live: &Live,
        plan: &Plan,
        note: &mut (dyn FnMut(Note) + Send),
    ) -> ApplyReport {
        let mut report = ApplyReport {
            stack: plan.stack.clone(),
            ..Default::default()
        };
        let mut ids = Ids {
            secrets: live
                .secrets
                .iter()
                .map(|(n, s)| (n.clone(), s.id.clone()))
                .collect(),
            configs: live
                .configs
                .iter()
                .map(|(n, c)| (n.clone(), c.id.clone()))
                .collect(),
        };
        let mut items = plan.items.iter();
        for item in items.by_ref() {
            match self.apply_item(item, desired, live, &mut ids, note).await {
                Ok(true) => report.done.push(item.clone()),
                Ok(false) => {}
                Err(e) => {
                    report.failed = Some((item.clone(), e.to_string()));
                    break;
                }
            }
        }
        report.not_done = items
            .filter(|i| i.action != PlanAction::Unchanged)
            .cloned()
            .collect();
        report
    }

    /// One step; Ok(true) when it changed something.
    async fn apply_item(
        &self,
        item: &PlanItem,
        desired: &Desired,
        live: &Live,
        ids: &mut Ids,
        note: &mut (dyn FnMut(Note) + Send),
    ) -> Result<bool> {
        let name = item.name.as_str();
        match (item.kind, item.action) {
            (StackObject::Service, PlanAction::Remove) => {
                let Some(current) = live.services.get(name) else {
                    return Ok(false);
                };
                note(Note::Step(format!("Removing service {name}")));
                // As the CLI's prune: a failed removal is said and the deploy goes on.
                match self.remove_service(&current.id).await {
                    Ok(()) => Ok(true),
                    Err(e) => {
                        note(Note::Warning(format!(
                            "Failed to remove service {}: {e}",
                            current.id
                        )));
                        Ok(false)
                    }
                }
            }
            (StackObject::Network, PlanAction::Create) => {
                let Some(want) = desired.networks.iter().find(|n| n.name == name) else {
                    return Ok(false);
                };
                note(Note::Step(format!("Creating network {name}")));
                self.create_stack_network(want).await.map(|_| true)
            }
            (StackObject::Secret, action) => {
                let Some(spec) = desired
                    .secrets
                    .iter()
                    .find(|s| s.name.as_deref() == Some(name))
                else {
                    return Ok(false); // external: used as it is
                };
                self.put_secret(spec, live, ids, note).await?;
                Ok(action != PlanAction::Unchanged)
            }
            (StackObject::Config, action) => {
                let Some(spec) = desired
                    .configs
                    .iter()
                    .find(|c| c.name.as_deref() == Some(name))
                else {
                    return Ok(false);
                };
                self.put_config(spec, live, ids, note).await?;
                Ok(action != PlanAction::Unchanged)
            }
            (StackObject::Service, action @ (PlanAction::Create | PlanAction::Update)) => {
                let Some(spec) = desired
                    .services
                    .iter()
                    .find(|s| s.name.as_deref() == Some(name))
                else {
                    return Ok(false);
                };
                let mut spec = spec.clone();
                let unknown = |what: &str, n: &str| format!("({what} {n} not found)");
                fill_refs(
                    &mut spec,
                    |n| {
                        ids.secrets
                            .get(n)
                            .cloned()
                            .unwrap_or_else(|| unknown("secret", n))
                    },
                    |n| {
                        ids.configs
                            .get(n)
                            .cloned()
                            .unwrap_or_else(|| unknown("config", n))
                    },
                );
                match (action, live.services.get(name)) {
                    (PlanAction::Update, Some(current)) => {
                        note(Note::Step(format!(
                            "Updating service {name} (id: {})",
                            current.id
                        )));
                        self.replace_service(&current.id, name, spec).await?;
                    }
                    _ => {
                        note(Note::Step(format!("Creating service {name}")));
                        self.create_service(spec).await?;
                    }
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn create_stack_network(&self, want: &NetworkWant) -> Result<String> {
        let mut request = want.create.clone();
        request.name = want.name.clone();
        if request.driver.as_deref().unwrap_or_default().is_empty() {
            request.driver = Some("overlay".into());
        }
        let created = self
            .timed(Endpoint::NetworkCreate, self.docker.create_network(request))
            .await
            .context(|| format!("failed to create network {}", want.name))?;
        Ok(created.id)
    }

    /// The CLI's createSecrets: an existing secret (by name) gets the new spec with its
    /// version (the engine refuses any change but labels), a missing one is created.
    async fn put_secret(
        &self,
        spec: &m::SecretSpec,
        live: &Live,
        ids: &mut Ids,
        note: &mut (dyn FnMut(Note) + Send),
    ) -> Result<()> {
        let name = spec.name.clone().unwrap_or_default();
        if let Some(current) = live.secrets.get(&name) {
            let options = UpdateSecretOptions {
                version: i64::try_from(current.version).unwrap_or(i64::MAX),
            };
            let update = self
                .docker
                .update_secret(&current.id, spec.clone(), options);
            return self
                .timed(Endpoint::SecretUpdate, update)
                .await
                .context(|| format!("failed to update secret {name}"));
        }
        note(Note::Step(format!("Creating secret {name}")));
        let created = self
            .timed(
                Endpoint::SecretCreate,
                self.docker.create_secret(spec.clone()),
            )
            .await
            .context(|| format!("failed to create secret {name}"))?;
        ids.secrets.insert(name, created.id);
        Ok(())
    }

    /// The CLI's createConfigs, as for secrets.
    async fn put_config(
        &self,
        spec: &m::ConfigSpec,
        live: &Live,
        ids: &mut Ids,
        note: &mut (dyn FnMut(Note) + Send),
    ) -> Result<()> {
        let name = spec.name.clone().unwrap_or_default();
        if let Some(current) = live.configs.get(&name) {
            let options = UpdateConfigOptions {
                version: i64::try_from(current.version).unwrap_or(i64::MAX),
            };
            let update = self
                .docker
                .update_config(&current.id, spec.clone(), options);
            return self
                .timed(Endpoint::ConfigUpdate, update)
                .await
                .context(|| format!("failed to update config {name}"));
        }
        note(Note::Step(format!("Creating config {name}")));
        let created = self
            .timed(
                Endpoint::ConfigCreate,
                self.docker.create_config(spec.clone()),
            )
            .await
            .context(|| format!("failed to create config {name}"))?;
        ids.configs.insert(name, created.id);
        Ok(())
    }

    /// The whole new spec over the live one, keeping the live ForceUpdate counter (a stack
    /// deploy never forces a restart); re-read and retried on "update out of sequence".
    async fn replace_service(&self, id: &str, name: &str, spec: m::ServiceSpec) -> Result<()> {
        self.change_service(id, false, |current| {
            let force = current.task_template.as_ref().and_then(|t| t.force_update);
            *current = spec.clone();
            current.task_template.get_or_insert_default().force_update = force;
            Ok::<(), std::convert::Infallible>(())
        })
        .await
        .map(|_| ())
        .map_err(|e| match e {
            super::super::ChangeError::Docker(e) => {
                DockerError::Other(format!("failed to update service {name}: {e}"))
            }
            super::super::ChangeError::Refused(never) => match never {},
        })
    }
}
