//! `stack ls`, `stack services` and `stack ps` rows, from what the engine returned.

use super::format::{
    human_duration, image_shown, mode, natural, pretty, replicas, service_ports, short_id, table,
    task_error,
};
use crate::docker::StackTasks;
use bollard::models as m;

pub fn stacks_table(mut stacks: Vec<(String, usize)>) -> String {
    stacks.sort_by(|a, b| natural(&a.0, &b.0));
    let rows: Vec<Vec<String>> = stacks
        .into_iter()
        .map(|(name, count)| vec![name, count.to_string()])
        .collect();
    table(&["NAME", "SERVICES"], &rows)
}

pub fn services_table(mut services: Vec<m::Service>) -> String {
    let name = |s: &m::Service| {
        s.spec
            .as_ref()
            .and_then(|s| s.name.clone())
            .unwrap_or_default()
    };
    services.sort_by(|a, b| natural(&name(a), &name(b)));
    let rows: Vec<Vec<String>> = services
        .iter()
        .map(|s| {
            let spec = s.spec.clone().unwrap_or_default();
            let image = spec
                .task_template
                .as_ref()
                .and_then(|t| t.container_spec.as_ref())
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            vec![
                short_id(s.id.as_deref().unwrap_or_default()),
                name(s),
                mode(&spec).to_string(),
                replicas(s),
                image_shown(&image),
                service_ports(s),
            ]
        })
        .collect();
    table(&["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"], &rows)
}

fn seconds(ts: Option<&str>) -> Option<i64> {
    ts?.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// `stack ps`: tasks named `<service>.<slot>` (or `.<node id>` for global ones), sorted by
/// name then newest first, older tasks of a slot indented ` \_ `.
pub fn tasks_table(found: StackTasks, now: i64) -> String {
    let mut tasks: Vec<(String, m::Task)> = found
        .tasks
        .into_iter()
        .map(|t| {
            let service_id = t.service_id.clone().unwrap_or_default();
            let service = found
                .services
                .get(&service_id)
                .cloned()
                .unwrap_or(service_id);
            let name = match t.slot.unwrap_or(0) {
                0 => format!("{service}.{}", t.node_id.clone().unwrap_or_default()),
                slot => format!("{service}.{slot}"),
            };
            (name, t)
        })
        .collect();
    tasks.sort_by(|(a, x), (b, y)| {
        natural(a, b)
            .then_with(|| seconds(y.created_at.as_deref()).cmp(&seconds(x.created_at.as_deref())))
    });
    let mut previous = String::new();
    let mut rows = Vec::new();
    for (name, task) in &tasks {
        let shown = match *name == previous {
            true => format!(" \\_ {name}"),
            false => name.clone(),
        };
        previous = name.clone();
        let status = task.status.clone().unwrap_or_default();
        let image = task
            .spec
            .as_ref()
            .and_then(|s| s.container_spec.as_ref())
            .and_then(|c| c.image.clone())
            .unwrap_or_default();
        let node_id = task.node_id.clone().unwrap_or_default();
        let node = found.nodes.get(&node_id).cloned().unwrap_or(node_id);
        let state = status.state.map(|s| s.to_string()).unwrap_or_default();
        let since = seconds(status.timestamp.as_deref()).map_or(0, |t| now - t);
        let ports: Vec<String> = status
            .port_status
            .and_then(|p| p.ports)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let protocol = p.protocol.map(|x| x.to_string()).unwrap_or_default();
                let published = p.published_port.unwrap_or(0);
                format!("*:{published}->{}/{protocol}", p.target_port.unwrap_or(0))
            })
            .collect();
        rows.push(vec![
            short_id(task.id.as_deref().unwrap_or_default()),
            shown,
            image_shown(&image),
            node,
            pretty(
                &task
                    .desired_state
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ),
            format!("{} {} ago", pretty(&state), human_duration(since)),
            task_error(status.err.as_deref().unwrap_or_default()),
            ports.join(","),
        ]);
    }
    let header = [
        "ID",
        "NAME",
        "IMAGE",
        "NODE",
        "DESIRED STATE",
        "CURRENT STATE",
        "ERROR",
        "PORTS",
    ];
    table(&header, &rows)
}
