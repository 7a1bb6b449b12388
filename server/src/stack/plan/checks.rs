//! What is checked before anything is sent: the stack's name, the service names the engine
//! would refuse, the external objects the file names, configs whose content changed, and
//! (for panel users) the spec policy.

use super::{Live, PlanError, service_name};
use crate::docker::spec::policy_subject;
use crate::stack::Desired;
use flotilla_app::policy::Policy;

/// The docker CLI's check (`validateStackName`: not empty once quotes and white space are
/// trimmed; its message), and then what the engine would refuse half-way through a deploy:
/// `<stack>_<service>` must be a DNS name component, so the stack name may hold only
/// letters, digits, `-` and `_`, and must start with a letter or digit.
pub fn valid_stack_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if trimmed.is_empty() {
        return Err(format!("invalid stack name: {name:?}"));
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let fine = name.chars().all(|c| alnum(c) || c == '-' || c == '_') && name.starts_with(alnum);
    if !fine {
        return Err(format!(
            "invalid stack name: {name:?}: use letters, digits, '-' and '_', starting with a letter or digit (its services' names must be valid as DNS name components)"
        ));
    }
    Ok(())
}

/// swarmkit's rule for service names: `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`, at most 63.
fn dns_component(name: &str) -> bool {
    let bytes = name.as_bytes();
    let alnum = |b: &u8| b.is_ascii_alphanumeric();
    !bytes.is_empty()
        && bytes.iter().all(|b| alnum(b) || *b == b'-' || *b == b'_')
        && bytes.first().is_some_and(alnum)
        && bytes.last().is_some_and(alnum)
}

/// Everything about `desired` that `live` makes impossible, first found first; reads only.
pub fn preflight(desired: &Desired, live: &Live) -> Result<(), PlanError> {
    for spec in &desired.services {
        let name = service_name(spec);
        if !dns_component(name) {
            return Err(PlanError::ServiceName(name.to_string()));
        }
        if name.len() > 63 {
            return Err(PlanError::ServiceNameLength(name.to_string()));
        }
    }
    for name in &desired.external_networks {
        // Networks every node has (host, bridge, ...) are not looked up, as the CLI does.
        if predefined_network(name) {
            continue;
        }
        match live.external_networks.get(name) {
            None => return Err(PlanError::ExternalNetworkMissing(name.clone())),
            Some(n) if n.scope != "swarm" => {
                return Err(PlanError::ExternalNetworkScope {
                    name: name.clone(),
                    scope: n.scope.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for name in &desired.external_secrets {
        if !live.secrets.contains_key(name) {
            return Err(PlanError::SecretNotFound(name.clone()));
        }
    }
    for name in &desired.external_configs {
        if !live.configs.contains_key(name) {
            return Err(PlanError::ConfigNotFound(name.clone()));
        }
    }
    // The engine keeps a config's content readable (not a secret's): a change it would
    // refuse half-way is refused here, before anything is sent.
    for spec in &desired.configs {
        let name = spec.name.as_deref().unwrap_or_default();
        let live_data = live.configs.get(name).and_then(|c| c.spec.data.as_deref());
        if let Some(data) = live_data
            && !same_base64(data, spec.data.as_deref().unwrap_or_default())
        {
            return Err(PlanError::ConfigChanged(name.to_string()));
        }
    }
    Ok(())
}

/// `container.NetworkMode(name).IsUserDefined()` is false for these.
fn predefined_network(name: &str) -> bool {
    matches!(name, "default" | "bridge" | "host" | "none") || name.starts_with("container:")
}

/// Base64 texts compared by what they encode where the spelling may differ (padding, the
/// URL-safe alphabet); the decoding is lenient since both came from an engine or from us.
fn same_base64(a: &str, b: &str) -> bool {
    let canon = |s: &str| {
        s.trim_end_matches('=')
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    canon(a) == canon(b)
}

/// The panel's spec policy over every service of the stack, before anything is sent: each
/// refusal names the service, the field and the rule. The local CLI does not call this (it
/// acts with the caller's own Docker rights, and says so).
pub fn check_policy(desired: &Desired, policy: &Policy) -> Result<(), Vec<String>> {
    let refusals: Vec<String> = desired
        .services
        .iter()
        .flat_map(|spec| {
            let name = service_name(spec).to_string();
            policy
                .check(&policy_subject(spec))
                .into_iter()
                .map(move |v| format!("service {name}: {}: {}", v.field, v.explained()))
        })
        .collect();
    match refusals.is_empty() {
        true => Ok(()),
        false => Err(refusals),
    }
}
