//! Stack parity: deploying a compose file with the docker CLI or with flotilla, reading back
//! every object of a stack as the engine stores it, normalizing away what legitimately
//! differs between two deployments (IDs, versions, timestamps, the stack name, allocated
//! subnets), and diffing field by field. Shared by tests/stack_parity.rs and
//! benches/stack_deploy.rs.
//!
//! Objects are read with raw HTTP on the engine's socket, not through bollard's or the CLI's
//! types, so no client's model can hide a field that one tool sets and the other does not.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const SOCKET: &str = "/var/run/docker.sock";
/// The same engine for both tools: the CLI gets `--host`, flotilla `--docker`.
pub const DOCKER_URL: &str = "unix:///var/run/docker.sock";
pub const NAMESPACE_LABEL: &str = "com.docker.stack.namespace";
/// What the stack name becomes in normalized objects.
pub const PLACEHOLDER: &str = "<stack>";
/// What an engine-allocated value (subnet, VXLAN id) becomes.
pub const ALLOCATED: &str = "<allocated>";

/// One request on the engine's socket (HTTP/1.0: no chunking, the engine closes); returns
/// (status, body).
pub async fn engine(method: &str, path: &str) -> Result<(u16, String), String> {
    let mut stream = tokio::net::UnixStream::connect(SOCKET)
        .await
        .map_err(|e| format!("connect {SOCKET}: {e}"))?;
    let request = format!("{method} {path} HTTP/1.0\r\nHost: docker\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {path}: no HTTP header in {text:?}"))?;
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: no status in {head:?}"))?;
    Ok((status, body.to_string()))
}

pub async fn engine_json(path: &str) -> Result<Value, String> {
    let (status, body) = engine("GET", path).await?;
    if status != 200 {
        return Err(format!("GET {path}: {status} {}", body.trim()));
    }
    serde_json::from_str(&body).map_err(|e| format!("GET {path}: {e} in {body:?}"))
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn by_namespace(stack: &str) -> String {
    url_encode(&format!(r#"{{"label":["{NAMESPACE_LABEL}={stack}"]}}"#))
}

/// The kinds of object a stack deploy makes, with how the engine lists and names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Service,
    Network,
    Secret,
    Config,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Service, Kind::Network, Kind::Secret, Kind::Config];

    pub fn word(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Network => "network",
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }

    fn list_path(self) -> &'static str {
        match self {
            Kind::Service => "/services",
            Kind::Network => "/networks",
            Kind::Secret => "/secrets",
            Kind::Config => "/configs",
        }
    }

    fn id(self, object: &Value) -> String {
        let key = if self == Kind::Network { "Id" } else { "ID" };
        object[key].as_str().unwrap_or_default().to_string()
    }

    fn name(self, object: &Value) -> String {
        let name = if self == Kind::Network {
            &object["Name"]
        } else {
            &object["Spec"]["Name"]
        };
        name.as_str().unwrap_or_default().to_string()
    }

    /// What is live or bookkeeping, not what was asked for.
    fn dropped(self) -> &'static [&'static str] {
        match self {
            Kind::Service => &[
                "ID",
                "Version",
                "CreatedAt",
                "UpdatedAt",
                "PreviousSpec",
                "UpdateStatus",
                "Endpoint",
                "ServiceStatus",
                "JobStatus",
            ],
            Kind::Network => &["Id", "Created", "Containers", "Peers", "Services", "Status"],
            Kind::Secret | Kind::Config => &["ID", "Version", "CreatedAt", "UpdatedAt"],
        }
    }
}

/// The raw objects of a stack, by kind, as the engine lists them.
pub async fn list(kind: Kind, stack: &str) -> Result<Vec<Value>, String> {
    let path = format!("{}?filters={}", kind.list_path(), by_namespace(stack));
    match engine_json(&path).await? {
        Value::Array(items) => Ok(items),
        other => Err(format!("GET {path}: not a list: {other}")),
    }
}

/// Every object of a kind on the engine, ID -> name (to name the IDs specs refer to).
async fn names(kind: Kind) -> Result<BTreeMap<String, String>, String> {
    match engine_json(kind.list_path()).await? {
        Value::Array(items) => Ok(items.iter().map(|o| (kind.id(o), kind.name(o))).collect()),
        other => Err(format!("GET {}: not a list: {other}", kind.list_path())),
    }
}

/// A stack's objects, normalized, keyed by "kind normalized-name".
#[derive(Debug, Default)]
pub struct Snapshot {
    pub objects: BTreeMap<String, Value>,
    /// Service name -> Version.Index, as read.
    pub versions: BTreeMap<String, u64>,
}

impl Snapshot {
    /// Whether a second stack of the same file could not live beside this one: a published
    /// port (ingress or host) or an object with a fixed `name:` (no stack prefix).
    pub fn conflicts(&self) -> Vec<String> {
        let prefix = format!("{PLACEHOLDER}_");
        let mut found = Vec::new();
        for (key, object) in &self.objects {
            let (kind, name) = key.split_once(' ').unwrap_or((key, ""));
            if !name.starts_with(&prefix) {
                found.push(format!("{kind} {name} has a fixed name"));
            }
            let ports = object.pointer("/Spec/EndpointSpec/Ports");
            if kind == "service"
                && ports
                    .and_then(Value::as_array)
                    .is_some_and(|p| !p.is_empty())
            {
                found.push(format!("{kind} {name} publishes ports"));
            }
        }
        found
    }
}

/// Reads every service, network, secret and config of `stack` and normalizes them.
/// `compose_text` is the file deployed: an IPAM subnet it does not spell out was allocated by
/// the engine and is normalized away.
pub async fn snapshot(stack: &str, compose_text: &str) -> Result<Snapshot, String> {
    allocated(stack).await;
    services_allocated(stack).await;
    let networks = names(Kind::Network).await?;
    let secrets = names(Kind::Secret).await?;
    let configs = names(Kind::Config).await?;
    let mut snapshot = Snapshot::default();
    for kind in Kind::ALL {
        for mut object in list(kind, stack).await? {
            let name = kind.name(&object);
            if kind == Kind::Service {
                let version = object.pointer("/Version/Index").and_then(Value::as_u64);
                snapshot.versions.insert(name.clone(), version.unwrap_or(0));
            }
            if let Value::Object(map) = &mut object {
                for key in kind.dropped() {
                    map.remove(*key);
                }
            }
            match kind {
                Kind::Service => {
                    name_references(&mut object, &networks, &secrets, &configs);
                }
                Kind::Network => allocated_network_fields(&mut object, compose_text),
                Kind::Secret | Kind::Config => {}
            }
            replace_stack(&mut object, stack);
            let key = format!("{} {}", kind.word(), replace_name(&name, stack));
            snapshot.objects.insert(key, object);
        }
    }
    Ok(snapshot)
}

/// Waits until the engine has allocated every network of the stack: right after a create, a
/// swarm network is listed without driver, IPAM or options for a moment.
pub async fn allocated(stack: &str) {
    super::wait_until(
        &format!("the networks of {stack} to be allocated"),
        Duration::from_secs(30),
        || async {
            let pending: Vec<String> = list(Kind::Network, stack)
                .await?
                .iter()
                .filter(|n| n["Driver"].as_str().unwrap_or("").is_empty())
                .map(|n| Kind::Network.name(n))
                .collect();
            if pending.is_empty() {
                Ok(())
            } else {
                Err(format!("not yet allocated: {}", pending.join(", ")))
            }
        },
    )
    .await;
}

/// Whether the engine's allocator is done with a service: right after a create it writes the
/// service once more (virtual IPs, published ports), which bumps its version; reading or
/// redeploying before that would see a change no tool made.
fn service_allocated(service: &Value) -> bool {
    let spec = &service["Spec"];
    let dnsrr = spec.pointer("/EndpointSpec/Mode").and_then(Value::as_str) == Some("dnsrr");
    let attached = spec
        .pointer("/TaskTemplate/Networks")
        .and_then(Value::as_array)
        .is_some_and(|n| !n.is_empty());
    let published = spec
        .pointer("/EndpointSpec/Ports")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let non_empty = |pointer: &str| {
        service
            .pointer(pointer)
            .and_then(Value::as_array)
            .is_some_and(|v| !v.is_empty())
    };
    (dnsrr || !attached || non_empty("/Endpoint/VirtualIPs"))
        && (!published || non_empty("/Endpoint/Ports"))
}

/// Waits until the engine has allocated every service of the stack (see [`service_allocated`]).
pub async fn services_allocated(stack: &str) {
    super::wait_until(
        &format!("the services of {stack} to be allocated"),
        Duration::from_secs(30),
        || async {
            let pending: Vec<String> = list(Kind::Service, stack)
                .await?
                .iter()
                .filter(|s| !service_allocated(s))
                .map(|s| Kind::Service.name(s))
                .collect();
            if pending.is_empty() {
                Ok(())
            } else {
                Err(format!("not yet allocated: {}", pending.join(", ")))
            }
        },
    )
    .await;
}

/// Network targets, secret and config IDs in a service spec -> the objects' names.
fn name_references(
    service: &mut Value,
    networks: &BTreeMap<String, String>,
    secrets: &BTreeMap<String, String>,
    configs: &BTreeMap<String, String>,
) {
    let lookup = |table: &BTreeMap<String, String>, id: &str| {
        table
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("<unknown id {id}>"))
    };
    for pointer in ["/Spec/TaskTemplate/Networks", "/Spec/Networks"] {
        if let Some(Value::Array(attachments)) = service.pointer_mut(pointer) {
            for attachment in attachments {
                if let Some(Value::String(target)) = attachment.get_mut("Target") {
                    *target = lookup(networks, target);
                }
            }
        }
    }
    for (pointer, key, table) in [
        (
            "/Spec/TaskTemplate/ContainerSpec/Secrets",
            "SecretID",
            secrets,
        ),
        (
            "/Spec/TaskTemplate/ContainerSpec/Configs",
            "ConfigID",
            configs,
        ),
    ] {
        if let Some(Value::Array(references)) = service.pointer_mut(pointer) {
            for reference in references {
                if let Some(Value::String(id)) = reference.get_mut(key) {
                    *id = lookup(table, id);
                }
            }
        }
    }
}

/// The VXLAN id and the subnets (with their gateways) the engine picked for a network.
fn allocated_network_fields(network: &mut Value, compose_text: &str) {
    if let Some(Value::Object(options)) = network.get_mut("Options")
        && let Some(vxlan) = options.get_mut("com.docker.network.driver.overlay.vxlanid_list")
    {
        *vxlan = Value::String(ALLOCATED.into());
    }
    if let Some(Value::Array(pools)) = network.pointer_mut("/IPAM/Config") {
        for pool in pools {
            let subnet = pool.get("Subnet").and_then(Value::as_str).unwrap_or("");
            if !subnet.is_empty() && !compose_text.contains(subnet) {
                for key in ["Subnet", "Gateway"] {
                    if let Some(value) = pool.get_mut(key) {
                        *value = Value::String(ALLOCATED.into());
                    }
                }
            }
        }
    }
}

fn replace_name(s: &str, stack: &str) -> String {
    if s == stack {
        PLACEHOLDER.to_string()
    } else if let Some(rest) = s.strip_prefix(stack).and_then(|r| r.strip_prefix('_')) {
        format!("{PLACEHOLDER}_{rest}")
    } else {
        s.to_string()
    }
}

/// Every string (and map key) equal to the stack name or starting with `<stack>_`.
pub fn replace_stack(value: &mut Value, stack: &str) {
    match value {
        Value::String(s) => *s = replace_name(s, stack),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_stack(v, stack)),
        Value::Object(map) => {
            let old = std::mem::take(map);
            *map = old
                .into_iter()
                .map(|(k, mut v)| {
                    replace_stack(&mut v, stack);
                    (replace_name(&k, stack), v)
                })
                .collect::<Map<String, Value>>();
        }
        _ => {}
    }
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".into(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 300 {
                format!("{}...", text.chars().take(300).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// Every path where `a` (the CLI's) and `b` (flotilla's) differ, with both values. Lists are
/// compared by position; a list holding the same elements in another order is one line.
pub fn diff(
    path: &str,
    a: Option<&Value>,
    b: Option<&Value>,
    labels: (&str, &str),
    out: &mut Vec<String>,
) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                diff(
                    &format!("{path}.{key}"),
                    x.get(key),
                    y.get(key),
                    labels,
                    out,
                );
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x != y => {
            let sorted = |v: &Vec<Value>| {
                let mut s: Vec<String> = v.iter().map(Value::to_string).collect();
                s.sort();
                s
            };
            if x.len() == y.len() && sorted(x) == sorted(y) {
                out.push(format!(
                    "{path}: same elements, another order: {}={} {}={}",
                    labels.0,
                    show(a),
                    labels.1,
                    show(b)
                ));
                return;
            }
            for i in 0..x.len().max(y.len()) {
                diff(&format!("{path}[{i}]"), x.get(i), y.get(i), labels, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{path}: {}={} {}={}",
            labels.0,
            show(a),
            labels.1,
            show(b)
        )),
    }
}

/// Field-by-field differences between two snapshots, objects present on one side only included.
pub fn compare(a: &Snapshot, b: &Snapshot, labels: (&str, &str)) -> Vec<String> {
    let mut out = Vec::new();
    let keys: BTreeSet<&String> = a.objects.keys().chain(b.objects.keys()).collect();
    for key in keys {
        match (a.objects.get(key), b.objects.get(key)) {
            (Some(x), Some(y)) => diff(key, Some(x), Some(y), labels, &mut out),
            (Some(_), None) => out.push(format!("{key}: only in {}'s stack", labels.0)),
            (None, Some(_)) => out.push(format!("{key}: only in {}'s stack", labels.1)),
            (None, None) => {}
        }
    }
    out
}

/// Service name -> Version.Index for a stack.
pub async fn service_versions(stack: &str) -> Result<BTreeMap<String, u64>, String> {
    Ok(list(Kind::Service, stack)
        .await?
        .iter()
        .map(|s| {
            let version = s.pointer("/Version/Index").and_then(Value::as_u64);
            (Kind::Service.name(s), version.unwrap_or(0))
        })
        .collect())
}

/// What is left of the stacks: "kind name" per object, with the (ID, name) of leftover networks.
pub async fn leftovers(stacks: &[String]) -> Result<(Vec<String>, Vec<(String, String)>), String> {
    let mut left = Vec::new();
    let mut networks = Vec::new();
    for stack in stacks {
        for kind in Kind::ALL {
            for object in list(kind, stack).await? {
                left.push(format!("{} {}", kind.word(), kind.name(&object)));
                if kind == Kind::Network {
                    networks.push((kind.id(&object), kind.name(&object)));
                }
            }
        }
    }
    Ok((left, networks))
}

/// `docker stack rm` the stacks, then waits (with a deadline) until none of their objects is
/// left. Each poll also does what the CLI leaves to time:
/// - the containers of the stacks' tasks go once their services are gone (20.10 keeps the
///   containers of job tasks, which keep their networks in use), with their anonymous
///   volumes, and must stay gone; then the stacks' named volumes (the test's own leftovers);
/// - a network the CLI could not remove ("in use by task") is deleted again; one the swarm no
///   longer knows ("not found") is only the engine's local copy: gone.
pub async fn remove_stacks(stacks: &[String]) {
    if stacks.is_empty() {
        return;
    }
    let _ = docker_cli()
        .args(["stack", "rm"])
        .args(stacks)
        .output()
        .await;
    super::wait_until(
        &format!("stacks {stacks:?} to be gone"),
        Duration::from_secs(180),
        || async {
            let (mut left, networks) = leftovers(stacks).await?;
            if !left.iter().any(|l| l.starts_with("service ")) {
                left.extend(sweep_local(stacks).await?);
            }
            for (id, name) in networks {
                let (status, body) = engine("DELETE", &format!("/networks/{id}")).await?;
                // 20.10 answers a network the swarm no longer has, but whose load-balancer
                // endpoint lingers in the engine, with 500 "network ... not found".
                if status == 204 || status == 404 || body.contains("not found") {
                    left.retain(|l| *l != format!("network {name}"));
                }
            }
            if left.is_empty() {
                Ok(())
            } else {
                Err(left.join(", "))
            }
        },
    )
    .await;
}

/// Force-removes the containers (and their anonymous volumes) labelled with the stacks'
/// namespace, prunes their unused networks (20.10 can keep a local copy of a swarm network
/// that a late container held, which `network rm` no longer finds but which would shadow the
/// name on the next deploy), then removes their volumes. Returns the containers still there.
async fn sweep_local(stacks: &[String]) -> Result<Vec<String>, String> {
    let mut still = Vec::new();
    for stack in stacks {
        let filter = by_namespace(stack);
        let containers = format!("/containers/json?all=1&filters={filter}");
        if let Value::Array(list) = engine_json(&containers).await? {
            for container in list {
                let id = container["Id"].as_str().unwrap_or_default();
                engine("DELETE", &format!("/containers/{id}?force=1&v=1")).await?;
            }
        }
        if let Value::Array(list) = engine_json(&containers).await? {
            still.extend(
                list.iter()
                    .map(|c| format!("container {}", c["Names"][0].as_str().unwrap_or("?"))),
            );
        }
        engine("POST", &format!("/networks/prune?filters={filter}")).await?;
        let volumes = engine_json(&format!("/volumes?filters={filter}")).await?;
        if let Some(Value::Array(volumes)) = volumes.get("Volumes") {
            for volume in volumes {
                let name = volume["Name"].as_str().unwrap_or_default();
                engine("DELETE", &format!("/volumes/{}", url_encode(name))).await?;
            }
        }
    }
    Ok(still)
}

/// Removes the stacks if something of them is there (a run that crashed earlier), and
/// sweeps what the engine may have kept of them locally (see [`sweep`]).
pub async fn clear_stacks(stacks: &[String]) {
    let left = leftovers(stacks).await.map(|(l, _)| l).unwrap_or_default();
    if !left.is_empty() {
        println!(
            "  clearing leftovers of an earlier run: {}",
            left.join(", ")
        );
        remove_stacks(stacks).await;
    }
    sweep(stacks).await;
}

/// Waits until no container, unused network copy or volume of the stacks is left on the
/// engine: 20.10 may create the container of a job task just after its service is removed.
pub async fn sweep(stacks: &[String]) {
    super::wait_until(
        "the stacks' containers to be removed",
        Duration::from_secs(60),
        || async {
            let still = sweep_local(stacks).await?;
            if still.is_empty() {
                Ok(())
            } else {
                Err(still.join(", "))
            }
        },
    )
    .await;
}

/// The docker CLI first on PATH, pointed at the tests' engine.
pub fn docker_cli() -> tokio::process::Command {
    let mut command = tokio::process::Command::new("docker");
    command.args(["--host", DOCKER_URL]);
    command
}

/// Where PATH finds `docker`, and its client version: the reference this run compares with.
pub async fn docker_cli_identity() -> String {
    let path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("docker"))
                .find(|f| f.is_file())
                .map(|f| f.display().to_string())
                .unwrap_or_else(|| "(not found on PATH)".into())
        })
        .unwrap_or_default();
    let version = docker_cli()
        .args([
            "version",
            "--format",
            "client {{.Client.Version}}, engine {{.Server.Version}}, API {{.Server.APIVersion}}",
        ])
        .output()
        .await
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("docker version failed: {e}"));
    format!("{path}: {version}")
}

/// Who deploys: the reference or the tool under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    DockerCli,
    Flotilla,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::DockerCli => "cli",
            Tool::Flotilla => "flotilla",
        }
    }
}

/// How one deploy went.
pub struct Deploy {
    pub ok: bool,
    pub took: Duration,
    /// stdout and stderr, for messages.
    pub output: String,
}

/// `<tool> stack deploy --resolve-image never -c FILE STACK`, in the file's directory, with
/// `vars` set and `unset` removed from its environment.
pub async fn deploy(
    tool: Tool,
    file: &Path,
    stack: &str,
    vars: &[(&str, &str)],
    unset: &[&str],
) -> Deploy {
    let mut command = match tool {
        Tool::DockerCli => docker_cli(),
        Tool::Flotilla => {
            let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_flotilla"));
            c.args(["stack", "deploy", "--docker", DOCKER_URL]);
            c
        }
    };
    if tool == Tool::DockerCli {
        command.args(["stack", "deploy"]);
    }
    command
        .args(["--resolve-image", "never", "-c"])
        .arg(file)
        .arg(stack)
        .envs(vars.iter().copied());
    for name in unset {
        command.env_remove(name);
    }
    if let Some(dir) = file.parent() {
        command.current_dir(dir);
    }
    let start = Instant::now();
    let result = command.output().await;
    let took = start.elapsed();
    match result {
        Ok(out) => Deploy {
            ok: out.status.success(),
            took,
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
            .trim()
            .to_string(),
        },
        Err(e) => Deploy {
            ok: false,
            took,
            output: format!("could not run {tool:?}: {e}"),
        },
    }
}

/// Whether the engine answers and is a swarm manager.
pub async fn swarm_manager() -> Result<(), String> {
    let info = engine_json("/info").await?;
    let state = info
        .pointer("/Swarm/LocalNodeState")
        .and_then(Value::as_str);
    let manager = info
        .pointer("/Swarm/ControlAvailable")
        .and_then(Value::as_bool);
    match (state, manager) {
        (Some("active"), Some(true)) => Ok(()),
        _ => Err(format!(
            "the engine is not a swarm manager (LocalNodeState {state:?}, ControlAvailable {manager:?})"
        )),
    }
}
