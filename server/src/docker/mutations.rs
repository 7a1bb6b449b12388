//! Changes to the swarm. Updates replace whole specs, so each one reads the current spec and
//! version, changes one thing, and retries a bounded number of times when another writer
//! got there first ("update out of sequence").

use super::timed::Endpoint;
use super::{Context, DockerError, Engine, Result};
use bollard::models::{
    NetworkCreateRequest, NodeSpec, NodeSpecAvailabilityEnum, NodeSpecRoleEnum, ServiceSpec,
};
use bollard::query_parameters::{UpdateNodeOptions, UpdateServiceOptions};
use flotilla_app::model::{Availability, Role};
use std::collections::HashMap;

/// Attempts at one update before a version conflict is reported to the user: enough for a
/// handful of operators clicking at once.
pub const CONFLICT_ATTEMPTS: u32 = 10;

/// A short, varying pause before re-reading, so racing writers spread out.
async fn pause_before_retry(attempt: u32) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = f64::from(nanos % 1000) / 1000.0;
    let delay = flotilla_app::backoff::Backoff {
        base: std::time::Duration::from_millis(20),
        cap: std::time::Duration::from_millis(500),
    }
    .delay(attempt, jitter);
    tokio::time::sleep(delay).await;
}

fn out_of_sequence(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { message, .. } if message.contains("out of sequence"))
}

/// How one read-modify-write attempt ended.
enum Step<E> {
    Refused(E),
    Docker(bollard::errors::Error),
}

impl<E> From<bollard::errors::Error> for Step<E> {
    fn from(e: bollard::errors::Error) -> Self {
        Step::Docker(e)
    }
}

/// Runs read-modify-write attempts until one lands, another writer's conflict exhausts
/// CONFLICT_ATTEMPTS, or anything else fails. Returns the attempts used.
async fn retry_on_conflict<E, F, Fut>(
    what: &str,
    attempt_once: F,
) -> std::result::Result<u32, ChangeError<E>>
where
    F: Fn() -> Fut,
    Fut: Future<Output = std::result::Result<(), Step<E>>>,
{
    let mut attempt = 1;
    loop {
        match attempt_once().await {
            Ok(()) => return Ok(attempt),
            Err(Step::Refused(why)) => return Err(ChangeError::Refused(why)),
            Err(Step::Docker(e)) if out_of_sequence(&e) && attempt < CONFLICT_ATTEMPTS => {
                pause_before_retry(attempt).await;
                attempt += 1;
            }
            Err(Step::Docker(e)) => {
                return Err(ChangeError::Docker(
                    Err::<(), _>(e).context(|| what.to_string()).unwrap_err(),
                ));
            }
        }
    }
}

/// One change to a node's spec, in Flotilla's own terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeChange {
    Availability(Availability),
    Role(Role),
    Labels {
        add: Vec<(String, String)>,
        remove: Vec<String>,
    },
}

/// Docker's availability for ours; one Docker does not know is an error, never dropped.
fn availability_enum(a: Availability) -> Result<NodeSpecAvailabilityEnum> {
    match a {
        Availability::Active => Ok(NodeSpecAvailabilityEnum::ACTIVE),
        Availability::Pause => Ok(NodeSpecAvailabilityEnum::PAUSE),
        Availability::Drain => Ok(NodeSpecAvailabilityEnum::DRAIN),
        Availability::Unknown => Err(DockerError::Other(
            "availability must be active, pause or drain".into(),
        )),
    }
}

/// Why a spec change was not made: the caller's own refusal of the spec it was shown (a
/// global service cannot be scaled, the policy forbids the result), or Docker's.
#[derive(Debug)]
pub enum ChangeError<E> {
    Refused(E),
    Docker(DockerError),
}

impl Engine {
    pub async fn create_service(&self, spec: ServiceSpec) -> Result<String> {
        let name = spec.name.clone().unwrap_or_default();
        let created = self
            .timed(
                Endpoint::ServiceCreate,
                self.docker.create_service(spec, None),
            )
            .await
            .context(|| format!("creating service {name}"))?;
        Ok(created.id.unwrap_or_default())
    }

    /// Reads the service, applies `change` to its spec and writes it back with the version
    /// read; on a version conflict reads again. Returns how many attempts it took.
    pub async fn change_service<E>(
        &self,
        id: &str,
        rollback: bool,
        change: impl Fn(&mut ServiceSpec) -> std::result::Result<(), E>,
    ) -> std::result::Result<u32, ChangeError<E>> {
        retry_on_conflict(&format!("updating service {id}"), || async {
            // As the engine wrote it: bollard's own read drops the health check, and the
            // update would then remove it (see docker/stack/raw.rs).
            let service = match self.service_as_written(id).await {
                Ok(Some(service)) => service,
                _ => {
                    self.timed(
                        Endpoint::ServiceInspect,
                        self.docker.inspect_service(id, None),
                    )
                    .await?
                }
            };
            let version = service.version.and_then(|v| v.index).unwrap_or(0);
            let mut spec = service.spec.unwrap_or_default();
            change(&mut spec).map_err(Step::Refused)?;
            let options = UpdateServiceOptions {
                version: i32::try_from(version).unwrap_or(i32::MAX),
                rollback: rollback.then(|| "previous".to_string()),
                ..Default::default()
            };
            let update = self.docker.update_service(id, spec, options, None);
            self.timed(Endpoint::ServiceUpdate, update).await?;
            Ok(())
        })
        .await
    }

    pub async fn remove_service(&self, id: &str) -> Result<()> {
        self.timed(Endpoint::ServiceDelete, self.docker.delete_service(id))
            .await
            .context(|| format!("removing service {id}"))
    }

    /// Like `change_service`, for a node's spec: availability, role or labels.
    pub async fn change_node(&self, id: &str, change: &NodeChange) -> Result<u32> {
        let change = change.clone();
        self.change_node_spec(id, move |spec| {
            match &change {
                NodeChange::Availability(a) => spec.availability = Some(availability_enum(*a)?),
                NodeChange::Role(r) => {
                    spec.role = Some(match r {
                        Role::Manager => NodeSpecRoleEnum::MANAGER,
                        Role::Worker => NodeSpecRoleEnum::WORKER,
                    })
                }
                NodeChange::Labels { add, remove } => {
                    let labels = spec.labels.get_or_insert_default();
                    for key in remove {
                        labels.remove(key);
                    }
                    labels.extend(add.iter().cloned());
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| match e {
            ChangeError::Refused(e) | ChangeError::Docker(e) => e,
        })
    }

    async fn change_node_spec<E>(
        &self,
        id: &str,
        change: impl Fn(&mut NodeSpec) -> std::result::Result<(), E>,
    ) -> std::result::Result<u32, ChangeError<E>> {
        retry_on_conflict(&format!("updating node {id}"), || async {
            let node = self
                .timed(Endpoint::NodeInspect, self.docker.inspect_node(id))
                .await?;
            let version = node.version.and_then(|v| v.index).unwrap_or(0) as i64;
            let mut spec = node.spec.unwrap_or_default();
            change(&mut spec).map_err(Step::Refused)?;
            let update = self
                .docker
                .update_node(id, spec, UpdateNodeOptions { version });
            self.timed(Endpoint::NodeUpdate, update).await?;
            Ok(())
        })
        .await
    }

    /// `docker network create --driver overlay [--attachable] <name>`.
    pub async fn create_overlay_network(&self, name: &str, attachable: bool) -> Result<String> {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("overlay".into()),
            attachable: Some(attachable),
            labels: Some(HashMap::new()),
            ..Default::default()
        };
        let created = self
            .timed(Endpoint::NetworkCreate, self.docker.create_network(request))
            .await
            .context(|| format!("creating network {name}"))?;
        Ok(created.id)
    }
}

impl DockerError {
    /// What kind of refusal Docker answered with, by its status and swarmkit's gRPC code;
    /// None when there was no answer (the link, not the request, failed).
    pub fn refusal(&self) -> Option<Refusal> {
        let DockerError::Api {
            source:
                bollard::errors::Error::DockerResponseServerError {
                    status_code,
                    message,
                },
            ..
        } = self
        else {
            return None;
        };
        let code = message
            .trim()
            .strip_prefix("rpc error: code = ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or("");
        let plain = plain_message(message);
        Some(match (status_code, code) {
            (404, _) | (_, "NotFound") => Refusal::NotFound(plain),
            (409, _) | (_, "AlreadyExists" | "FailedPrecondition" | "Aborted") => {
                Refusal::Conflict(plain)
            }
            (400, _) | (_, "InvalidArgument" | "OutOfRange") => Refusal::BadRequest(plain),
            _ if plain.contains("out of sequence") => Refusal::Conflict(plain),
            _ => Refusal::Other(plain),
        })
    }
}

/// Docker's refusal of a request, by cause, in its own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound(String),
    Conflict(String),
    BadRequest(String),
    Other(String),
}

/// Docker's message without swarmkit's gRPC wrapping ("rpc error: code = AlreadyExists desc =
/// ..."), which says nothing to a person that the rest does not.
fn plain_message(message: &str) -> String {
    let message = message.trim();
    match message.strip_prefix("rpc error: code = ") {
        Some(rest) => rest
            .split_once(" desc = ")
            .map(|(_, desc)| desc.trim())
            .unwrap_or(message)
            .to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn grpc_wrapping_is_dropped() {
        let cases = [
            (
                "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service dup already exists",
                "name conflicts with an existing object: service dup already exists",
            ),
            (
                "rpc error: code = InvalidArgument desc = port '8000' is already in use",
                "port '8000' is already in use",
            ),
            ("network ch03 not found\n", "network ch03 not found"),
            ("rpc error: code = Unknown", "rpc error: code = Unknown"),
        ];
        for (docker, plain) in cases {
            assert_eq!(super::plain_message(docker), plain);
        }
    }
}
