//! `deploy:` -> the service's mode, restart policy, update/rollback config, placement and
//! endpoint (resources are in `resources`) (the CLI's service.go, function for function).

use super::{Result, docker_enum, invalid, non_blank, non_empty};
use bollard::models as m;
use compose::model::{Deploy, Order, Port, RestartPolicy, UpdateConfig};

/// replicated (default) / global / replicated-job / global-job. A replicated service without
/// `replicas` gets 1 (the CLI sends none and the engine makes it 1: the same spec, stated).
pub(super) fn mode(deploy: &Deploy) -> Result<m::ServiceSpecMode> {
    let replicas = deploy
        .replicas
        .map(|r| i64::try_from(r).map_err(|_| invalid("replicas: too large")))
        .transpose()?;
    let global_with_replicas =
        || invalid("replicas can only be used with replicated or replicated-job mode");
    Ok(match deploy.mode.as_deref().unwrap_or("") {
        "replicated" | "" => m::ServiceSpecMode {
            replicated: Some(m::ServiceSpecModeReplicated {
                replicas: Some(replicas.unwrap_or(1)),
            }),
            ..Default::default()
        },
        "global" if replicas.is_some() => return Err(global_with_replicas()),
        "global" => m::ServiceSpecMode {
            global: Some(Default::default()),
            ..Default::default()
        },
        "replicated-job" => m::ServiceSpecMode {
            replicated_job: Some(m::ServiceSpecModeReplicatedJob {
                max_concurrent: replicas,
                total_completions: replicas,
            }),
            ..Default::default()
        },
        "global-job" if replicas.is_some() => return Err(global_with_replicas()),
        "global-job" => m::ServiceSpecMode {
            global_job: Some(Default::default()),
            ..Default::default()
        },
        other => return Err(invalid(format!("unknown mode: {other}"))),
    })
}

/// Ports sorted as the CLI sorts them (published, target, protocol, mode, as written), then
/// the engine's defaults made explicit (tcp, ingress), which the engine would store anyway.
pub(super) fn endpoint(endpoint_mode: &Option<String>, ports: &[Port]) -> Result<m::EndpointSpec> {
    let mut sorted: Vec<&Port> = ports.iter().collect();
    sorted.sort_by(|a, b| {
        let key = |p: &Port| {
            (
                p.published.unwrap_or(0),
                p.target,
                p.protocol.clone().unwrap_or_default(),
                p.mode.clone().unwrap_or_default(),
            )
        };
        key(a).cmp(&key(b))
    });
    let ports = sorted
        .into_iter()
        .map(|p| {
            Ok(m::EndpointPortConfig {
                protocol: Some(docker_enum(
                    "ports.protocol",
                    &non_blank(&p.protocol).unwrap_or_else(|| "tcp".into()),
                )?),
                target_port: Some(i64::from(p.target)),
                published_port: p.published.filter(|p| *p != 0).map(i64::from),
                publish_mode: Some(docker_enum(
                    "ports.mode",
                    &non_blank(&p.mode).unwrap_or_else(|| "ingress".into()),
                )?),
                name: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mode = match non_blank(endpoint_mode) {
        Some(mode) => Some(docker_enum("endpoint_mode", &mode.to_lowercase())?),
        None => None,
    };
    Ok(m::EndpointSpec {
        mode,
        ports: non_empty(ports),
    })
}

/// `deploy.restart_policy`, else the legacy `restart:` (no / always / unless-stopped /
/// on-failure[:N]), as the newer CLI reads it.
pub(super) fn restart(
    restart: &Option<String>,
    policy: &Option<RestartPolicy>,
) -> Result<Option<m::TaskSpecRestartPolicy>> {
    if let Some(p) = policy {
        let condition = match non_blank(&p.condition) {
            Some(c) => Some(docker_enum("restart_policy.condition", &c)?),
            None => None,
        };
        return Ok(Some(m::TaskSpecRestartPolicy {
            condition,
            delay: p.delay.map(|d| d.0),
            max_attempts: p.max_attempts.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            window: p.window.map(|d| d.0),
        }));
    }
    let Some(restart) = non_blank(restart) else {
        return Ok(None);
    };
    let (name, count) = restart.split_once(':').unwrap_or((&restart, ""));
    if name.is_empty() {
        return Err(invalid(
            "invalid restart policy format: no policy provided before colon",
        ));
    }
    let count: i64 = if count.is_empty() {
        0
    } else {
        count.parse().map_err(|_| {
            invalid("invalid restart policy format: maximum retry count must be an integer")
        })?
    };
    if count < 0 {
        return Err(invalid(
            "invalid restart policy: maximum retry count cannot be negative",
        ));
    }
    let condition = match name {
        "no" => return Ok(None),
        "always" | "unless-stopped" => m::TaskSpecRestartPolicyConditionEnum::ANY,
        "on-failure" => m::TaskSpecRestartPolicyConditionEnum::ON_FAILURE,
        other => {
            return Err(invalid(format!(
                "invalid restart policy: unknown policy '{other}' (must be one of 'no', 'always', 'on-failure', or 'unless-stopped')"
            )));
        }
    };
    Ok(Some(m::TaskSpecRestartPolicy {
        condition: Some(condition),
        max_attempts: non_zero(count),
        ..Default::default()
    }))
}

/// The fields of an update or rollback config, as the CLI sets them: parallelism 1 unless
/// given, the ratio as the engine's float32 keeps it.
struct Update {
    parallelism: i64,
    delay: Option<i64>,
    failure_action: Option<String>,
    monitor: Option<i64>,
    max_failure_ratio: f64,
    order: Option<&'static str>,
}

fn update_fields(u: &UpdateConfig) -> Update {
    let ratio = u.max_failure_ratio.unwrap_or(0.0) as f32;
    Update {
        parallelism: u
            .parallelism
            .map_or(1, |p| i64::try_from(p).unwrap_or(i64::MAX)),
        delay: u.delay.map(|d| d.0).and_then(non_zero),
        failure_action: non_blank(&u.failure_action),
        monitor: u.monitor.map(|d| d.0).and_then(non_zero),
        // The shortest text of the float32, read back: what the engine reports after storing it.
        max_failure_ratio: ratio.to_string().parse().unwrap_or(f64::from(ratio)),
        order: u.order.map(|o| match o {
            Order::StartFirst => "start-first",
            Order::StopFirst => "stop-first",
        }),
    }
}

pub(super) fn update_config(
    u: &Option<UpdateConfig>,
) -> Result<Option<m::ServiceSpecUpdateConfig>> {
    let Some(u) = u else { return Ok(None) };
    let f = update_fields(u);
    Ok(Some(m::ServiceSpecUpdateConfig {
        parallelism: Some(f.parallelism),
        delay: f.delay,
        failure_action: f
            .failure_action
            .map(|a| docker_enum("update_config.failure_action", &a))
            .transpose()?,
        monitor: f.monitor,
        max_failure_ratio: Some(f.max_failure_ratio),
        order: f
            .order
            .map(|o| docker_enum("update_config.order", o))
            .transpose()?,
    }))
}

pub(super) fn rollback_config(
    u: &Option<UpdateConfig>,
) -> Result<Option<m::ServiceSpecRollbackConfig>> {
    let Some(u) = u else { return Ok(None) };
    let f = update_fields(u);
    Ok(Some(m::ServiceSpecRollbackConfig {
        parallelism: Some(f.parallelism),
        delay: f.delay,
        failure_action: f
            .failure_action
            .map(|a| docker_enum("rollback_config.failure_action", &a))
            .transpose()?,
        monitor: f.monitor,
        max_failure_ratio: Some(f.max_failure_ratio),
        order: f
            .order
            .map(|o| docker_enum("rollback_config.order", o))
            .transpose()?,
    }))
}

/// Always present (the CLI sends `Placement: {}` when none is set).
pub(super) fn placement(deploy: &Deploy) -> m::TaskSpecPlacement {
    let Some(p) = &deploy.placement else {
        return Default::default();
    };
    let preferences = p
        .preferences
        .iter()
        .map(|pref| m::TaskSpecPlacementPreferences {
            spread: Some(m::TaskSpecPlacementSpread {
                spread_descriptor: non_blank(&pref.spread),
            }),
        })
        .collect();
    m::TaskSpecPlacement {
        constraints: non_empty(p.constraints.clone()),
        preferences: non_empty(preferences),
        max_replicas: p
            .max_replicas_per_node
            .filter(|n| *n != 0)
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
        platforms: None,
    }
}

fn non_zero(n: i64) -> Option<i64> {
    (n != 0).then_some(n)
}
