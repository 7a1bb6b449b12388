//! The world in Docker's own types: bollard's models serialize to the JSON the Engine API
//! sends, so what the simulator answers is what a client parses from a real manager. Pure.

use super::world::{ENGINE_VERSION, Network, Node, Service, Stamp, Task, TaskState, World};
use bollard::models as m;
use std::collections::HashMap;

const STACK_LABEL: &str = "com.docker.stack.namespace";

/// RFC 3339, as Docker writes times; Docker's "unset" time if out of range.
pub(super) fn time(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "0001-01-01T00:00:00Z".into())
}

fn object_version(stamp: &Stamp) -> Option<m::ObjectVersion> {
    Some(m::ObjectVersion {
        index: Some(stamp.version),
    })
}

pub fn node(n: &Node) -> m::Node {
    m::Node {
        id: Some(n.id.clone()),
        version: object_version(&n.stamp),
        created_at: Some(time(n.stamp.created)),
        updated_at: Some(time(n.stamp.updated)),
        spec: Some(m::NodeSpec {
            name: None,
            labels: Some(HashMap::from([("zone".into(), format!("zone-{}", n.zone))])),
            role: Some(match n.manager {
                true => m::NodeSpecRoleEnum::MANAGER,
                false => m::NodeSpecRoleEnum::WORKER,
            }),
            availability: Some(match n.drained {
                true => m::NodeSpecAvailabilityEnum::DRAIN,
                false => m::NodeSpecAvailabilityEnum::ACTIVE,
            }),
        }),
        description: Some(m::NodeDescription {
            hostname: Some(n.hostname.clone()),
            platform: Some(m::Platform {
                architecture: Some("x86_64".into()),
                os: Some("linux".into()),
            }),
            resources: Some(m::ResourceObject {
                nano_cpus: Some(n.nano_cpus),
                memory_bytes: Some(n.memory_bytes),
                generic_resources: None,
            }),
            engine: Some(m::EngineDescription {
                engine_version: Some(ENGINE_VERSION.into()),
                ..Default::default()
            }),
            tls_info: None,
        }),
        status: Some(m::NodeStatus {
            state: Some(match n.ready {
                true => m::NodeState::READY,
                false => m::NodeState::DOWN,
            }),
            message: None,
            addr: Some(n.addr.clone()),
        }),
        manager_status: n.manager.then(|| m::ManagerStatus {
            leader: Some(n.leader),
            reachability: Some(m::Reachability::REACHABLE),
            addr: Some(format!("{}:2377", n.addr)),
        }),
    }
}

/// Each service's (running, desired) task counts, as `GET /services?status=true` adds them.
pub fn service_counts(world: &World) -> Vec<(u64, u64)> {
    let eligible = world.nodes.iter().filter(|n| n.eligible()).count() as u64;
    let mut counts: Vec<(u64, u64)> = world
        .services
        .iter()
        .map(|s| (0, s.replicas.unwrap_or(eligible)))
        .collect();
    for t in &world.tasks {
        if t.live && t.state == TaskState::Running {
            counts[t.service].0 += 1;
        }
    }
    counts
}

pub fn service(world: &World, s: &Service, (running, desired): (u64, u64)) -> m::Service {
    let labels = s
        .stack
        .map(|k| HashMap::from([(STACK_LABEL.to_string(), world.stacks[k].clone())]));
    let network = s.stack.and_then(|k| world.stack_network(k));
    let ports: Vec<m::EndpointPortConfig> = s
        .port
        .map(|(published, target)| m::EndpointPortConfig {
            name: None,
            protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
            target_port: Some(target.into()),
            published_port: Some(published.into()),
            publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
        })
        .into_iter()
        .collect();
    let endpoint_spec = m::EndpointSpec {
        mode: Some(m::EndpointSpecModeEnum::VIP),
        ports: Some(ports.clone()),
    };
    m::Service {
        id: Some(s.id.clone()),
        version: object_version(&s.stamp),
        created_at: Some(time(s.stamp.created)),
        updated_at: Some(time(s.stamp.updated)),
        spec: Some(m::ServiceSpec {
            name: Some(s.name.clone()),
            labels: labels.clone(),
            task_template: Some(task_spec(s, network, labels)),
            mode: Some(match s.replicas {
                Some(replicas) => m::ServiceSpecMode {
                    replicated: Some(m::ServiceSpecModeReplicated {
                        replicas: Some(replicas as i64),
                    }),
                    ..Default::default()
                },
                None => m::ServiceSpecMode {
                    global: Some(HashMap::new()),
                    ..Default::default()
                },
            }),
            endpoint_spec: Some(endpoint_spec.clone()),
            ..Default::default()
        }),
        endpoint: Some(m::ServiceEndpoint {
            spec: Some(endpoint_spec),
            ports: Some(ports),
            virtual_ips: network.map(|n| {
                vec![m::ServiceEndpointVirtualIps {
                    network_id: Some(n.id.clone()),
                    addr: Some(format!("10.200.{}.2/24", n.stamp.version % 256)),
                }]
            }),
        }),
        update_status: None,
        service_status: Some(m::ServiceServiceStatus {
            running_tasks: Some(running),
            desired_tasks: Some(desired),
            completed_tasks: Some(0),
        }),
        job_status: None,
    }
}

fn task_spec(
    s: &Service,
    network: Option<&Network>,
    labels: Option<HashMap<String, String>>,
) -> m::TaskSpec {
    m::TaskSpec {
        container_spec: Some(m::TaskSpecContainerSpec {
            image: Some(s.image.clone()),
            labels,
            ..Default::default()
        }),
        force_update: Some(0),
        runtime: Some("container".into()),
        networks: network.map(|n| {
            vec![m::NetworkAttachmentConfig {
                target: Some(n.id.clone()),
                aliases: Some(vec![s.name.clone()]),
                driver_opts: None,
            }]
        }),
        ..Default::default()
    }
}

pub fn task(world: &World, t: &Task) -> m::Task {
    let service = &world.services[t.service];
    let network = service.stack.and_then(|k| world.stack_network(k));
    let started = t.state >= TaskState::Running;
    // A task keeps the image it was made with, whatever its service says since.
    let mut spec = task_spec(service, network, None);
    if let Some(container) = spec.container_spec.as_mut() {
        container.image = Some(t.image.clone());
    }
    m::Task {
        id: Some(t.id.clone()),
        version: object_version(&t.stamp),
        created_at: Some(time(t.stamp.created)),
        updated_at: Some(time(t.stamp.updated)),
        labels: Some(HashMap::new()),
        spec: Some(spec),
        service_id: Some(service.id.clone()),
        slot: t.slot.map(|s| s as i64),
        node_id: Some(world.nodes[t.node].id.clone()),
        status: Some(m::TaskStatus {
            timestamp: Some(time(t.since)),
            state: Some(task_state(t.state)),
            message: Some(t.message.into()),
            err: t.error.map(String::from),
            container_status: started.then(|| m::ContainerStatus {
                container_id: Some(t.container.clone()),
                pid: Some(if t.state == TaskState::Running {
                    4242
                } else {
                    0
                }),
                exit_code: Some(if t.state == TaskState::Failed { 137 } else { 0 }),
            }),
            port_status: None,
        }),
        desired_state: Some(match t.live {
            true => m::TaskState::RUNNING,
            false => m::TaskState::SHUTDOWN,
        }),
        ..Default::default()
    }
}

fn task_state(state: TaskState) -> m::TaskState {
    match state {
        TaskState::Assigned => m::TaskState::ASSIGNED,
        TaskState::Preparing => m::TaskState::PREPARING,
        TaskState::Starting => m::TaskState::STARTING,
        TaskState::Running => m::TaskState::RUNNING,
        TaskState::Failed => m::TaskState::FAILED,
        TaskState::Shutdown => m::TaskState::SHUTDOWN,
    }
}

pub fn network(world: &World, n: &Network) -> m::Network {
    m::Network {
        name: Some(n.name.clone()),
        id: Some(n.id.clone()),
        created: Some(time(n.stamp.created)),
        scope: Some(if n.swarm { "swarm" } else { "local" }.into()),
        driver: Some(n.driver.into()),
        enable_ipv4: Some(true),
        enable_ipv6: Some(false),
        internal: Some(false),
        attachable: Some(false),
        ingress: Some(n.ingress),
        options: Some(HashMap::new()),
        labels: Some(
            n.stack
                .map(|k| HashMap::from([(STACK_LABEL.to_string(), world.stacks[k].clone())]))
                .unwrap_or_default(),
        ),
        ..Default::default()
    }
}

/// `GET /networks/{id}` answers with its own type, holding the same fields.
pub fn network_inspect(world: &World, n: &Network) -> m::NetworkInspect {
    let listed = network(world, n);
    m::NetworkInspect {
        name: listed.name,
        id: listed.id,
        created: listed.created,
        scope: listed.scope,
        driver: listed.driver,
        enable_ipv4: listed.enable_ipv4,
        enable_ipv6: listed.enable_ipv6,
        internal: listed.internal,
        attachable: listed.attachable,
        ingress: listed.ingress,
        options: listed.options,
        labels: listed.labels,
        ..Default::default()
    }
}
