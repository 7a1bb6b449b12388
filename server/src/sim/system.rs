//! The engine's own answers, in Docker's types: `/info` (an active manager, the leader),
//! `/version`, and the event messages of `/events`. Pure.

use super::api::time;
use super::churn::{Event, EventKind};
use super::world::{ENGINE_VERSION, Node, World};
use bollard::models as m;
use std::collections::HashMap;

/// The API version the simulator speaks (Docker 27's); bollard steps down to it.
pub const API_VERSION: &str = "1.47";

/// `GET /info` of the leader: an active swarm manager.
pub fn info(world: &World) -> m::SystemInfo {
    let leader = &world.nodes[0];
    let managers: Vec<&Node> = world.nodes.iter().filter(|n| n.manager).collect();
    m::SystemInfo {
        id: Some(leader.id.clone()),
        name: Some(leader.hostname.clone()),
        server_version: Some(ENGINE_VERSION.into()),
        operating_system: Some("flotilla sim (a synthetic swarm, not a real engine)".into()),
        os_type: Some("linux".into()),
        architecture: Some("x86_64".into()),
        ncpu: Some(leader.nano_cpus / 1_000_000_000),
        mem_total: Some(leader.memory_bytes),
        swarm: Some(m::SwarmInfo {
            node_id: Some(leader.id.clone()),
            node_addr: Some(leader.addr.clone()),
            local_node_state: Some(m::LocalNodeState::ACTIVE),
            control_available: Some(true),
            error: Some(String::new()),
            remote_managers: Some(
                managers
                    .iter()
                    .map(|n| m::PeerNode {
                        node_id: Some(n.id.clone()),
                        addr: Some(format!("{}:2377", n.addr)),
                    })
                    .collect(),
            ),
            nodes: Some(world.nodes.len() as i64),
            managers: Some(managers.len() as i64),
            cluster: Some(m::ClusterInfo {
                id: Some(world.cluster_id.clone()),
                version: Some(m::ObjectVersion {
                    index: Some(world.index),
                }),
                created_at: Some(time(leader.stamp.created)),
                updated_at: Some(time(leader.stamp.created)),
                spec: Some(m::SwarmSpec {
                    name: Some("default".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        }),
        ..Default::default()
    }
}

pub fn version() -> m::SystemVersion {
    m::SystemVersion {
        version: Some(ENGINE_VERSION.into()),
        api_version: Some(API_VERSION.into()),
        min_api_version: Some("1.24".into()),
        os: Some("linux".into()),
        arch: Some("amd64".into()),
        experimental: Some(false),
        ..Default::default()
    }
}

pub fn event(e: &Event, now_nanos: i64) -> m::EventMessage {
    m::EventMessage {
        typ: Some(match e.kind {
            EventKind::Node => m::EventMessageTypeEnum::NODE,
            EventKind::Service => m::EventMessageTypeEnum::SERVICE,
        }),
        action: Some(e.action.into()),
        actor: Some(m::EventActor {
            id: Some(e.id.clone()),
            attributes: Some(HashMap::from([("name".into(), e.name.clone())])),
        }),
        scope: Some(m::EventMessageScopeEnum::SWARM),
        time: Some(now_nanos / 1_000_000_000),
        time_nano: Some(now_nanos),
    }
}
