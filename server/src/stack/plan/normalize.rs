//! A service spec as the engine stores it. The engine fills defaults the CLI leaves out
//! (checked against specs deployed by `docker stack deploy` on dockerd 20.10): no `Mode`
//! becomes `Replicated{Replicas: 1}`, the endpoint mode `vip`, a port's protocol `tcp` and
//! mode `ingress`, update/rollback failure action `pause` and order `stop-first`, a restart
//! condition `any`, the runtime `container`, the isolation `default`; network targets
//! become IDs. Zero values and absent ones are the same to Go's JSON (see `diff`).

use bollard::models as m;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Sets the IDs of the secrets and configs a spec refers to by name, as the CLI looks them
/// up before sending a service (the engine wants IDs).
pub fn fill_refs(
    spec: &mut m::ServiceSpec,
    secret_id: impl Fn(&str) -> String,
    config_id: impl Fn(&str) -> String,
) {
    let Some(container) = spec
        .task_template
        .as_mut()
        .and_then(|t| t.container_spec.as_mut())
    else {
        return;
    };
    for secret in container.secrets.iter_mut().flatten() {
        if let Some(name) = &secret.secret_name {
            secret.secret_id = Some(secret_id(name));
        }
    }
    for config in container.configs.iter_mut().flatten() {
        if let Some(name) = &config.config_name {
            config.config_id = Some(config_id(name));
        }
    }
}

/// `spec` as JSON in the engine's stored form; `network_names` maps live network IDs back to
/// the names the stack file uses.
pub fn engine_form(spec: &m::ServiceSpec, network_names: &HashMap<&str, &str>) -> Value {
    let mut value = serde_json::to_value(spec).unwrap_or(Value::Null);
    let Some(root) = value.as_object_mut() else {
        return value;
    };
    ensure_object(root, "Mode");
    if let Some(Value::Object(mode)) = root.get_mut("Mode") {
        mode_defaults(mode);
    }
    ensure_object(root, "EndpointSpec");
    if let Some(Value::Object(endpoint)) = root.get_mut("EndpointSpec") {
        default_str(endpoint, "Mode", "vip");
        if let Some(Value::Array(ports)) = endpoint.get_mut("Ports") {
            for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                default_str(port, "Protocol", "tcp");
                default_str(port, "PublishMode", "ingress");
            }
        }
    }
    for key in ["UpdateConfig", "RollbackConfig"] {
        if let Some(Value::Object(config)) = root.get_mut(key) {
            default_str(config, "FailureAction", "pause");
            default_str(config, "Order", "stop-first");
        }
    }
    if let Some(Value::Object(task)) = root.get_mut("TaskTemplate") {
        task_template(task, network_names);
    }
    value
}

fn task_template(task: &mut Map<String, Value>, network_names: &HashMap<&str, &str>) {
    // The CLI sends the live counter back: a stack deploy never forces a restart.
    task.remove("ForceUpdate");
    remove_if(task, "Runtime", "container");
    if let Some(Value::Object(policy)) = task.get_mut("RestartPolicy") {
        default_str(policy, "Condition", "any");
    }
    if let Some(Value::Array(networks)) = task.get_mut("Networks") {
        for network in networks.iter_mut().filter_map(Value::as_object_mut) {
            let name = network
                .get("Target")
                .and_then(Value::as_str)
                .and_then(|id| network_names.get(id));
            if let Some(name) = name {
                network.insert("Target".into(), json!(name));
            }
        }
    }
    if let Some(Value::Object(container)) = task.get_mut("ContainerSpec") {
        remove_if(container, "Isolation", "default");
        if let Some(Value::Array(mounts)) = container.get_mut("Mounts") {
            for mount in mounts.iter_mut().filter_map(Value::as_object_mut) {
                remove_if(mount, "Consistency", "default");
            }
        }
    }
}

/// Replicated with no count is one replica; a replicated job runs one at a time, as many
/// times as it runs at once, unless told otherwise.
fn mode_defaults(mode: &mut Map<String, Value>) {
    let kinds = ["Replicated", "Global", "ReplicatedJob", "GlobalJob"];
    if !kinds
        .iter()
        .any(|k| mode.get(*k).is_some_and(|v| !v.is_null()))
    {
        mode.insert("Replicated".into(), json!({}));
    }
    if let Some(Value::Object(replicated)) = mode.get_mut("Replicated")
        && replicated.get("Replicas").is_none_or(Value::is_null)
    {
        replicated.insert("Replicas".into(), json!(1));
    }
    if let Some(Value::Object(job)) = mode.get_mut("ReplicatedJob") {
        let at_once = job
            .get("MaxConcurrent")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        job.insert("MaxConcurrent".into(), json!(at_once));
        if job.get("TotalCompletions").is_none_or(Value::is_null) {
            job.insert("TotalCompletions".into(), json!(at_once));
        }
    }
}

/// Makes `parent[key]` an object when it is missing or not one.
fn ensure_object(parent: &mut Map<String, Value>, key: &str) {
    if !matches!(parent.get(key), Some(Value::Object(_))) {
        parent.insert(key.to_string(), Value::Object(Map::new()));
    }
}

fn default_str(map: &mut Map<String, Value>, key: &str, default: &str) {
    let missing = match map.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    };
    if missing {
        map.insert(key.to_string(), json!(default));
    }
}

fn remove_if(map: &mut Map<String, Value>, key: &str, value: &str) {
    if map.get(key).and_then(Value::as_str) == Some(value) {
        map.remove(key);
    }
}
