//! A validated service request turned into Docker's ServiceSpec. Pure: the request has been
//! checked field by field already; this only maps it.

use bollard::models as m;
use flotilla_app::forms::service::{Mode, ServiceRequest};
use flotilla_app::policy::{MountKind, Subject};
use std::collections::HashMap;

/// What the spec policy reads of a live spec: its image, mounts and published ports. A local
/// volume whose driver options name a `device` is a bind mount in disguise, and is read as
/// one.
pub fn policy_subject(spec: &m::ServiceSpec) -> Subject {
    let container = spec
        .task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref());
    let mounts = container
        .and_then(|c| c.mounts.as_ref())
        .into_iter()
        .flatten()
        .map(|mount| {
            let source = mount.source.clone().unwrap_or_default();
            let device = mount
                .volume_options
                .as_ref()
                .and_then(|v| v.driver_config.as_ref())
                .and_then(|d| d.options.as_ref())
                .and_then(|o| o.get("device").cloned());
            match (mount.typ, device) {
                (Some(m::MountType::VOLUME), Some(device)) => (MountKind::Bind, device),
                (Some(m::MountType::VOLUME) | None, None) => (MountKind::Volume, source),
                (Some(m::MountType::BIND), _) => (MountKind::Bind, source),
                (Some(m::MountType::TMPFS), _) => (MountKind::Tmpfs, source),
                _ => (MountKind::Other, source),
            }
        })
        .collect();
    let ports = spec
        .endpoint_spec
        .as_ref()
        .and_then(|e| e.ports.as_ref())
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p.published_port.and_then(|n| u16::try_from(n).ok()),
                p.publish_mode == Some(m::EndpointPortConfigPublishModeEnum::HOST),
            )
        })
        .collect();
    Subject {
        image: image_of(spec).unwrap_or_default().to_string(),
        mounts,
        ports,
    }
}

/// The image a live spec runs.
pub fn image_of(spec: &m::ServiceSpec) -> Option<&str> {
    spec.task_template
        .as_ref()?
        .container_spec
        .as_ref()?
        .image
        .as_deref()
}

pub fn set_image(spec: &mut m::ServiceSpec, image: &str) {
    let task = spec.task_template.get_or_insert_default();
    task.container_spec.get_or_insert_default().image = Some(image.to_string());
}

/// Docker's enum for a value the form validated: one Docker does not know is an error, never
/// silently dropped from the spec.
fn docker_enum<T: std::str::FromStr>(field: &str, value: &str) -> super::Result<T> {
    value
        .parse()
        .map_err(|_| super::DockerError::Other(format!("{field}: Docker knows no {value:?}")))
}

/// The spec for a validated request; Err only if the request holds a value Docker's API has
/// no name for (the validators and this mapping disagree).
pub fn service_spec(r: &ServiceRequest) -> super::Result<m::ServiceSpec> {
    let mounts = r
        .mounts
        .iter()
        .map(|mount| {
            Ok(m::Mount {
                target: Some(mount.target.clone()),
                source: (!mount.source.is_empty()).then(|| mount.source.clone()),
                typ: Some(docker_enum("mounts.kind", &mount.kind)?),
                read_only: Some(mount.read_only),
                ..Default::default()
            })
        })
        .collect::<super::Result<Vec<_>>>()?;
    let container = m::TaskSpecContainerSpec {
        image: Some(r.image.clone()),
        command: (!r.command.is_empty()).then(|| r.command.clone()),
        args: (!r.args.is_empty()).then(|| r.args.clone()),
        env: (!r.env.is_empty()).then(|| r.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
        mounts: (!mounts.is_empty()).then_some(mounts),
        ..Default::default()
    };
    let resources = &r.resources;
    let limits =
        (resources.limit_nano_cpus.is_some() || resources.limit_memory.is_some()).then(|| {
            m::Limit {
                nano_cpus: resources.limit_nano_cpus,
                memory_bytes: resources.limit_memory,
                ..Default::default()
            }
        });
    let reservations = (resources.reserve_nano_cpus.is_some()
        || resources.reserve_memory.is_some())
    .then(|| m::ResourceObject {
        nano_cpus: resources.reserve_nano_cpus,
        memory_bytes: resources.reserve_memory,
        ..Default::default()
    });
    let restart = &r.restart;
    let condition = restart
        .condition
        .as_deref()
        .map(|c| docker_enum("restart_condition", c))
        .transpose()?;
    let restart_policy = (restart.condition.is_some()
        || restart.delay_ns.is_some()
        || restart.max_attempts.is_some())
    .then(|| m::TaskSpecRestartPolicy {
        condition,
        delay: restart.delay_ns,
        max_attempts: restart.max_attempts.map(|n| n as i64),
        ..Default::default()
    });
    let placement =
        (!r.constraints.is_empty() || !r.spread.is_empty()).then(|| m::TaskSpecPlacement {
            constraints: Some(r.constraints.clone()),
            preferences: Some(
                r.spread
                    .iter()
                    .map(|d| m::TaskSpecPlacementPreferences {
                        spread: Some(m::TaskSpecPlacementSpread {
                            spread_descriptor: Some(d.clone()),
                        }),
                    })
                    .collect(),
            ),
            ..Default::default()
        });
    let update = &r.update;
    let order = update
        .order
        .as_deref()
        .map(|o| docker_enum("update_order", o))
        .transpose()?;
    let failure_action = update
        .failure_action
        .as_deref()
        .map(|a| docker_enum("update_failure_action", a))
        .transpose()?;
    let update_config = (update.parallelism.is_some()
        || update.delay_ns.is_some()
        || update.order.is_some()
        || update.failure_action.is_some())
    .then(|| m::ServiceSpecUpdateConfig {
        parallelism: update.parallelism.map(|n| n as i64),
        delay: update.delay_ns,
        order,
        failure_action,
        ..Default::default()
    });
    let ports: Vec<m::EndpointPortConfig> = r
        .ports
        .iter()
        .map(|p| {
            Ok(m::EndpointPortConfig {
                target_port: Some(i64::from(p.target)),
                published_port: p.published.map(i64::from),
                protocol: Some(docker_enum("ports.protocol", &p.protocol)?),
                publish_mode: Some(if p.host_mode {
                    m::EndpointPortConfigPublishModeEnum::HOST
                } else {
                    m::EndpointPortConfigPublishModeEnum::INGRESS
                }),
                ..Default::default()
            })
        })
        .collect::<super::Result<_>>()?;
    Ok(m::ServiceSpec {
        name: Some(r.name.clone()),
        labels: (!r.labels.is_empty()).then(|| r.labels.iter().cloned().collect::<HashMap<_, _>>()),
        task_template: Some(m::TaskSpec {
            container_spec: Some(container),
            resources: (limits.is_some() || reservations.is_some()).then(|| m::TaskSpecResources {
                limits,
                reservations,
                ..Default::default()
            }),
            restart_policy,
            placement,
            networks: (!r.networks.is_empty()).then(|| {
                r.networks
                    .iter()
                    .map(|n| m::NetworkAttachmentConfig {
                        target: Some(n.clone()),
                        ..Default::default()
                    })
                    .collect()
            }),
            ..Default::default()
        }),
        mode: Some(match r.mode {
            Mode::Replicated(n) => m::ServiceSpecMode {
                replicated: Some(m::ServiceSpecModeReplicated {
                    replicas: Some(n as i64),
                }),
                ..Default::default()
            },
            Mode::Global => m::ServiceSpecMode {
                global: Some(HashMap::new()),
                ..Default::default()
            },
        }),
        update_config,
        endpoint_spec: (!ports.is_empty()).then(|| m::EndpointSpec {
            ports: Some(ports),
            ..Default::default()
        }),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flotilla_app::forms::service::{MountForm, PortForm, ServiceForm, validate_service};

    #[test]
    fn the_form_reaches_the_spec() {
        let form = ServiceForm {
            name: "web".into(),
            image: "registry:5000/example/echo:latest".into(),
            replicas: "3".into(),
            env: "A=1".into(),
            ports: vec![PortForm {
                target: "8080".into(),
                published: "8000".into(),
                protocol: "udp".into(),
                mode: "host".into(),
            }],
            mounts: vec![MountForm {
                kind: "tmpfs".into(),
                source: "".into(),
                target: "/tmp".into(),
                read_only: false,
            }],
            constraints: "node.role != manager".into(),
            spread: "node.labels.zone".into(),
            restart_condition: "on-failure".into(),
            update_order: "start-first".into(),
            update_failure_action: "rollback".into(),
            limit_memory: "64M".into(),
            ..Default::default()
        };
        let spec = service_spec(&validate_service(&form).expect("valid")).expect("a spec");
        let task = spec.task_template.expect("task template");
        let container = task.container_spec.expect("container");
        assert_eq!(container.env, Some(vec!["A=1".to_string()]));
        assert_eq!(
            container.mounts.expect("mounts")[0].typ,
            Some(m::MountType::TMPFS)
        );
        assert_eq!(
            task.restart_policy.expect("restart").condition,
            Some(m::TaskSpecRestartPolicyConditionEnum::ON_FAILURE)
        );
        assert_eq!(
            task.resources
                .expect("resources")
                .limits
                .expect("limits")
                .memory_bytes,
            Some(64 << 20)
        );
        let placement = task.placement.expect("placement");
        assert_eq!(
            placement.constraints,
            Some(vec!["node.role != manager".to_string()])
        );
        let update = spec.update_config.expect("update config");
        assert_eq!(
            update.order,
            Some(m::ServiceSpecUpdateConfigOrderEnum::START_FIRST)
        );
        assert_eq!(
            update.failure_action,
            Some(m::ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK)
        );
        let port = &spec.endpoint_spec.expect("endpoint").ports.expect("ports")[0];
        assert_eq!(port.protocol, Some(m::EndpointPortConfigProtocolEnum::UDP));
        assert_eq!(
            port.publish_mode,
            Some(m::EndpointPortConfigPublishModeEnum::HOST)
        );
        assert_eq!(
            spec.mode
                .expect("mode")
                .replicated
                .expect("replicated")
                .replicas,
            Some(3)
        );
    }
}
