//! Docker's API objects reduced to Flotilla's model. Pure functions: what a viewer may see is
//! decided here, and env, labels of services, secrets and configs are never copied.

use bollard::models as m;
use flotilla_app::model::{
    Network, PublishMode, PublishedPort, Service, ServiceMode, Task, TaskState, UpdateState,
    UpdateStatus, image_without_digest,
};

pub const STACK_LABEL: &str = "com.docker.stack.namespace";

pub fn service(s: m::Service) -> Service {
    let spec = s.spec.unwrap_or_default();
    let mode = spec.mode.unwrap_or_default();
    let mode = if let Some(r) = mode.replicated {
        ServiceMode::Replicated {
            replicas: r.replicas.unwrap_or(1).max(0) as u64,
        }
    } else if mode.global.is_some() {
        ServiceMode::Global
    } else if mode.replicated_job.is_some() {
        ServiceMode::ReplicatedJob
    } else if mode.global_job.is_some() {
        ServiceMode::GlobalJob
    } else {
        ServiceMode::Replicated { replicas: 1 }
    };
    let template = spec.task_template.unwrap_or_default();
    let networks = template
        .networks
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| n.target)
        .collect();
    let image = template
        .container_spec
        .and_then(|c| c.image)
        .unwrap_or_default();
    let counts = s.service_status.unwrap_or_default();
    let update = s.update_status.and_then(|u| {
        let state = match u.state? {
            m::ServiceUpdateStatusStateEnum::UPDATING => UpdateState::Updating,
            m::ServiceUpdateStatusStateEnum::PAUSED => UpdateState::Paused,
            m::ServiceUpdateStatusStateEnum::COMPLETED => UpdateState::Completed,
            m::ServiceUpdateStatusStateEnum::ROLLBACK_STARTED => UpdateState::RollbackStarted,
            m::ServiceUpdateStatusStateEnum::ROLLBACK_PAUSED => UpdateState::RollbackPaused,
            m::ServiceUpdateStatusStateEnum::ROLLBACK_COMPLETED => UpdateState::RollbackCompleted,
            m::ServiceUpdateStatusStateEnum::EMPTY => return None,
        };
        Some(UpdateStatus {
            state,
            message: u.message.unwrap_or_default(),
        })
    });
    let ports = s
        .endpoint
        .and_then(|e| e.ports)
        .unwrap_or_default()
        .into_iter()
        .map(|p| PublishedPort {
            target: p.target_port.unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
            published: p
                .published_port
                .filter(|&n| n > 0)
                .map(|n| n.min(u32::MAX as i64) as u32),
            protocol: p
                .protocol
                .map(|p| p.to_string())
                .unwrap_or_else(|| "tcp".into()),
            mode: match p.publish_mode {
                Some(m::EndpointPortConfigPublishModeEnum::HOST) => PublishMode::Host,
                _ => PublishMode::Ingress,
            },
        })
        .collect();
    Service {
        id: s.id.unwrap_or_default(),
        name: spec.name.unwrap_or_default(),
        stack: spec.labels.and_then(|mut l| l.remove(STACK_LABEL)),
        mode,
        image: without_digest(image),
        running: counts.running_tasks.unwrap_or(0),
        desired: counts.desired_tasks.unwrap_or(0),
        update,
        ports,
        networks,
    }
}

pub fn task(mut t: m::Task) -> Task {
    take_task(&mut t)
}

/// Every task of a list, each converted where it lies with its kept fields moved out, and
/// the list freed in one go after: Docker's task model is 1.8 KB, and passing each by value
/// copied the whole list (37 MB at 20,000 tasks) once more.
pub fn tasks(mut list: Vec<m::Task>) -> Vec<Task> {
    list.iter_mut().map(take_task).collect()
}

/// `task`, taking what it keeps out of the model (left behind to be dropped).
fn take_task(t: &mut m::Task) -> Task {
    let status = t.status.take().unwrap_or_default();
    let image = (t.spec.as_mut())
        .and_then(|s| s.container_spec.as_mut())
        .and_then(|c| c.image.take())
        .unwrap_or_default();
    Task {
        id: t.id.take().unwrap_or_default(),
        service_id: t.service_id.take().unwrap_or_default(),
        slot: t.slot.filter(|&s| s > 0).map(|s| s as u64),
        node_id: t.node_id.take().filter(|n| !n.is_empty()),
        image: without_digest(image),
        state: status.state.map(task_state).unwrap_or(TaskState::Unknown),
        desired_state: t
            .desired_state
            .map(task_state)
            .unwrap_or(TaskState::Unknown),
        message: status.message.unwrap_or_default(),
        error: status.err.filter(|e| !e.is_empty()),
        since: status
            .timestamp
            .as_deref()
            .and_then(unix_seconds)
            .unwrap_or(0),
    }
}

/// `image_without_digest` on the String itself: the tag kept in place, no second copy (one
/// allocation fewer a task, 20,000 a list at scale).
pub fn without_digest(mut image: String) -> String {
    let kept = image_without_digest(&image).len();
    image.truncate(kept);
    image
}

fn task_state(s: m::TaskState) -> TaskState {
    use m::TaskState as D;
    match s {
        D::NEW => TaskState::New,
        D::ALLOCATED => TaskState::Allocated,
        D::PENDING => TaskState::Pending,
        D::ASSIGNED => TaskState::Assigned,
        D::ACCEPTED => TaskState::Accepted,
        D::PREPARING => TaskState::Preparing,
        D::READY => TaskState::Ready,
        D::STARTING => TaskState::Starting,
        D::RUNNING => TaskState::Running,
        D::COMPLETE => TaskState::Complete,
        D::SHUTDOWN => TaskState::Shutdown,
        D::FAILED => TaskState::Failed,
        D::REJECTED => TaskState::Rejected,
        D::REMOVE => TaskState::Remove,
        D::ORPHANED => TaskState::Orphaned,
        #[allow(unreachable_patterns)]
        _ => TaskState::Unknown,
    }
}

pub fn network(n: m::Network) -> Network {
    network_parts(
        n.id,
        n.name,
        n.driver,
        n.scope,
        n.attachable,
        n.ingress,
        n.labels,
    )
}

/// `GET /networks/{id}` answers with its own type holding the same fields.
pub fn inspected_network(n: m::NetworkInspect) -> Network {
    network_parts(
        n.id,
        n.name,
        n.driver,
        n.scope,
        n.attachable,
        n.ingress,
        n.labels,
    )
}

fn network_parts(
    id: Option<String>,
    name: Option<String>,
    driver: Option<String>,
    scope: Option<String>,
    attachable: Option<bool>,
    ingress: Option<bool>,
    labels: Option<std::collections::HashMap<String, String>>,
) -> Network {
    Network {
        id: id.unwrap_or_default(),
        name: name.unwrap_or_default(),
        driver: driver.unwrap_or_default(),
        scope: scope.unwrap_or_default(),
        attachable: attachable.unwrap_or(false),
        ingress: ingress.unwrap_or(false),
        stack: labels.and_then(|mut l| l.remove(STACK_LABEL)),
    }
}

/// RFC 3339 timestamp as Docker writes it ("2026-11-26T18:02:02.123456789Z", or with an
/// offset) to Unix seconds, fractions dropped. None for anything else. Docker's "unset"
/// time, 0001-01-01T00:00:00Z, comes out as its true (very negative) value.
pub fn unix_seconds(ts: &str) -> Option<i64> {
    ts.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

#[cfg(test)]
mod tests;
