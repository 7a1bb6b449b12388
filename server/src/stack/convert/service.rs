//! One compose service -> its `ServiceSpec` (the CLI's `convert.Service`): names, labels,
//! the container spec, and the task template around it.

use super::{
    Namespace, Result, deploy, docker_enum, invalid, mounts, non_blank, non_empty, refs, resources,
};
use crate::stack::{Files, IMAGE_LABEL};
use bollard::models as m;
use compose::model::{Config, Healthcheck, Service};
use std::collections::BTreeSet;

pub(super) fn spec(
    ns: Namespace,
    key: &str,
    svc: &Service,
    config: &Config,
    files: &Files,
    warnings: &mut Vec<String>,
) -> Result<m::ServiceSpec> {
    let image = non_blank(&svc.image)
        .ok_or_else(|| invalid("invalid image reference: no image specified"))?;
    let dep = svc.deploy.clone().unwrap_or_default();
    let mut labels = ns.labels(&dep.labels);
    labels.insert(IMAGE_LABEL.to_string(), image.clone());
    if !svc.tmpfs.is_empty() {
        // The CLI's converter never reads `tmpfs:` for services; say so rather than drop it
        // without a word.
        warnings.push(format!(
            "service {key}: tmpfs is not applied to swarm services (use a tmpfs volume)"
        ));
    }
    let log_driver = svc.logging.as_ref().map(|l| m::TaskSpecLogDriver {
        name: l.driver.clone(),
        options: (!l.options.is_empty()).then(|| l.options.clone().into_iter().collect()),
    });
    Ok(m::ServiceSpec {
        name: Some(ns.scope(key)),
        labels: Some(labels),
        task_template: Some(m::TaskSpec {
            container_spec: Some(container(ns, svc, config, files, tagged(&image))?),
            resources: Some(resources::resources(&dep.resources)?),
            restart_policy: deploy::restart(&svc.restart, &dep.restart_policy)?,
            placement: Some(deploy::placement(&dep)),
            networks: Some(refs::networks(ns, key, svc, config)?),
            log_driver,
            ..Default::default()
        }),
        mode: Some(deploy::mode(&dep)?),
        update_config: deploy::update_config(&dep.update_config)?,
        rollback_config: deploy::rollback_config(&dep.rollback_config)?,
        endpoint_spec: Some(deploy::endpoint(&dep.endpoint_mode, &svc.ports)?),
        networks: None,
    })
}

fn container(
    ns: Namespace,
    svc: &Service,
    config: &Config,
    files: &Files,
    image: String,
) -> Result<m::TaskSpecContainerSpec> {
    let (cap_add, cap_drop) = capabilities(&svc.cap_add, &svc.cap_drop);
    let isolation = match non_blank(&svc.isolation) {
        Some(i) => Some(docker_enum("isolation", &i)?),
        None => None,
    };
    let dns_config = (!svc.dns.is_empty() || !svc.dns_search.is_empty()).then(|| {
        m::TaskSpecContainerSpecDnsConfig {
            // The newer CLI keeps only nameservers that parse as IP addresses.
            nameservers: non_empty(
                svc.dns
                    .iter()
                    .filter(|d| d.parse::<std::net::IpAddr>().is_ok())
                    .cloned()
                    .collect(),
            ),
            search: non_empty(svc.dns_search.clone()),
            options: None,
        }
    });
    let ulimits: Vec<m::ResourcesUlimits> = svc
        .ulimits
        .iter()
        .map(|(name, u)| {
            let (soft, hard) = u.soft_hard();
            m::ResourcesUlimits {
                name: Some(name.clone()),
                soft: Some(soft),
                hard: Some(hard),
            }
        })
        .collect();
    let hosts: Vec<String> = svc
        .extra_hosts
        .iter()
        .filter_map(|h| h.split_once(':').map(|(host, ip)| format!("{ip} {host}")))
        .collect();
    Ok(m::TaskSpecContainerSpec {
        image: Some(image),
        labels: Some(ns.labels(&svc.labels)),
        command: svc.entrypoint.clone().and_then(non_empty),
        args: svc.command.clone().and_then(non_empty),
        hostname: non_blank(&svc.hostname),
        env: non_empty(refs::environment(svc, config, files)?),
        dir: non_blank(&svc.working_dir),
        user: non_blank(&svc.user),
        privileges: Some(privileges(svc)),
        tty: svc.tty.then_some(true),
        open_stdin: svc.stdin_open.then_some(true),
        read_only: svc.read_only.then_some(true),
        mounts: non_empty(mounts::mounts(ns, &svc.volumes, config)?),
        stop_signal: non_blank(&svc.stop_signal),
        stop_grace_period: svc.stop_grace_period.map(|d| d.0),
        health_check: healthcheck(&svc.healthcheck)?,
        hosts: non_empty(hosts),
        dns_config,
        secrets: non_empty(refs::secrets(ns, svc, config)?),
        configs: non_empty(refs::configs(ns, svc, config)?),
        oom_score_adj: svc.oom_score_adj.filter(|n| *n != 0),
        isolation,
        init: svc.init,
        sysctls: (!svc.sysctls.is_empty()).then(|| svc.sysctls.clone().into_iter().collect()),
        capability_add: non_empty(cap_add),
        capability_drop: non_empty(cap_drop),
        ulimits: non_empty(ulimits),
        groups: None,
    })
}

/// The image as the docker client library sends it (`imageWithTagString`): familiar form
/// (`docker.io/library/` dropped) with `:latest` when neither tag nor digest is given. The
/// stack's image label keeps the image as written. A reference that does not parse is left
/// for the engine to refuse.
pub(super) fn tagged(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let (name, tag) = match name.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t)),
        _ => (name, None),
    };
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_ascii_uppercase() || c.is_whitespace())
    {
        return image.to_string();
    }
    let (domain, path) = match name.split_once('/') {
        Some((d, rest))
            if d.contains(['.', ':'])
                || d == "localhost"
                || d.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(d), rest)
        }
        _ => (None, name),
    };
    let familiar = match domain {
        None | Some("docker.io" | "index.docker.io") => path
            .strip_prefix("library/")
            .filter(|rest| !rest.contains('/'))
            .unwrap_or(path)
            .to_string(),
        Some(d) => format!("{d}/{path}"),
    };
    let mut out = familiar;
    match (tag, digest) {
        (None, None) => out.push_str(":latest"),
        (Some(t), _) => out = format!("{out}:{t}"),
        (None, Some(_)) => {}
    }
    if let Some(d) = digest {
        out = format!("{out}@{d}");
    }
    out
}

/// Always present, as the CLI sends it; a credential spec when one is given. A `config:`
/// credential spec names the config here; apply puts its ID in, as the CLI does.
fn privileges(svc: &Service) -> m::TaskSpecContainerSpecPrivileges {
    let credential_spec = svc.credential_spec.as_ref().and_then(|c| {
        let spec = m::TaskSpecContainerSpecPrivilegesCredentialSpec {
            config: non_blank(&c.config),
            file: non_blank(&c.file),
            registry: non_blank(&c.registry),
        };
        (spec.config.is_some() || spec.file.is_some() || spec.registry.is_some()).then_some(spec)
    });
    m::TaskSpecContainerSpecPrivileges {
        credential_spec,
        ..Default::default()
    }
}

/// A string test is `["CMD-SHELL", s]` already (the model reads it so); `disable` is `NONE`.
fn healthcheck(h: &Option<Healthcheck>) -> Result<Option<m::HealthConfig>> {
    let Some(h) = h else { return Ok(None) };
    if h.disable {
        if h.test.as_ref().is_some_and(|t| !t.is_empty()) {
            return Err(invalid("test and disable can't be set at the same time"));
        }
        return Ok(Some(m::HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        }));
    }
    let nanos = |d: Option<compose::model::Duration>| d.map(|d| d.0).filter(|n| *n != 0);
    Ok(Some(m::HealthConfig {
        test: h.test.clone().and_then(non_empty),
        interval: nanos(h.interval),
        timeout: nanos(h.timeout),
        retries: h
            .retries
            .filter(|r| *r != 0)
            .map(|r| i64::try_from(r).unwrap_or(i64::MAX)),
        start_period: nanos(h.start_period),
        start_interval: nanos(h.start_interval),
    }))
}

/// The CLI's `EffectiveCapAddCapDrop`: names upper-cased with `CAP_`, `ALL` alone, a cap both
/// added and dropped only added, `RESET` dropped, each list sorted.
fn capabilities(add: &[String], drop: &[String]) -> (Vec<String>, Vec<String>) {
    let normalize = |caps: &[String]| -> BTreeSet<String> {
        let set: BTreeSet<String> = caps
            .iter()
            .map(|c| {
                let c = c.trim().to_uppercase();
                if c == "ALL" || c == "RESET" || c.starts_with("CAP_") {
                    c
                } else {
                    format!("CAP_{c}")
                }
            })
            .collect();
        if set.contains("ALL") {
            BTreeSet::from(["ALL".to_string()])
        } else {
            set
        }
    };
    let (add, drop) = (normalize(add), normalize(drop));
    let cap_drop = drop
        .iter()
        .filter(|c| !add.contains(*c) && *c != "RESET")
        .cloned()
        .collect();
    let cap_add = add.into_iter().filter(|c| c != "RESET").collect();
    (cap_add, cap_drop)
}

#[cfg(test)]
pub(super) fn capabilities_for_tests(add: &[&str], drop: &[&str]) -> (Vec<String>, Vec<String>) {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    capabilities(&own(add), &own(drop))
}
