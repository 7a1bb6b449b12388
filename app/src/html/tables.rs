//! The services table and the nodes table, as a viewer sees them (no node controls).

use crate::html::screen::Screen;
use crate::html::{Esc, class_if, count};
use crate::model::{Node, Role, Service};
use crate::state::ClusterState;
use crate::view::{Filters, ServiceColours};
use crate::view::{cpus_label, memory_label, mode_label, ports_label, update_label};
use std::fmt::Write;

/// The services by name.
pub fn services_by_name(state: &ClusterState) -> Vec<&Service> {
    let mut list: Vec<&Service> = state.services.values().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

/// One row per service. The name is a link, so the table works without scripts and a
/// highlight can be opened in a new tab; with scripts a plain click on the row highlights
/// the service in place (a second click clears it).
pub fn write_services(
    state: &ClusterState,
    filters: &Filters,
    colours: &ServiceColours,
    out: &mut String,
) {
    out.push_str("<section class=\"services\"><h1>Services</h1>");
    let services = services_by_name(state);
    if services.is_empty() {
        out.push_str("<p class=\"summary\">No services.</p></section>");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Name</th><th>Stack</th><th>Mode</th><th>Replicas</th>\
         <th>Image</th><th>Update</th><th>Ports</th></tr></thead><tbody>",
    );
    for s in services {
        let selected = filters.highlight.as_deref() == Some(s.name.as_str());
        let href = filters.toggle_highlight(&s.name).href();
        let _ = write!(
            out,
            "<tr class=\"service{}\" data-service=\"{}\"><td class=\"name\">\
             <span class=\"swatch\" style=\"{}\"></span><a href=\"{}\"{}>{}</a></td>",
            class_if(selected, " selected"),
            Esc(&s.name),
            colours.style(&s.name),
            Esc(&href),
            if selected {
                " aria-current=\"true\""
            } else {
                ""
            },
            Esc(&s.name),
        );
        let update = s.update.as_ref();
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td class=\"replicas{}\">{}/{}</td><td class=\"image\">{}</td>\
             <td class=\"update\" title=\"{}\">{}</td><td class=\"ports\">{}</td></tr>",
            Esc(s.stack.as_deref().unwrap_or_default()),
            Esc(&mode_label(s)),
            class_if(s.running != s.desired, " behind"),
            s.running,
            s.desired,
            Esc(&s.image),
            Esc(update.map(|u| u.message.as_str()).unwrap_or_default()),
            update.map(|u| update_label(u.state)).unwrap_or_default(),
            Esc(&ports_label(s)),
        );
    }
    out.push_str("</tbody></table></section>");
}

/// The nodes as `docker node ls` lists them: managers first, then by hostname.
pub fn nodes_in_order<'a>(screen: &Screen<'a>) -> Vec<&'a Node> {
    let mut list: Vec<&Node> = screen.snapshot.state.nodes.values().collect();
    list.sort_by(|a, b| {
        (a.role != Role::Manager, &a.hostname).cmp(&(b.role != Role::Manager, &b.hostname))
    });
    list
}

pub fn write_nodes(screen: &Screen, out: &mut String) {
    let nodes = nodes_in_order(screen);
    let _ = write!(
        out,
        "<section class=\"nodes\"><h1>Nodes</h1><p class=\"summary\">{}</p>\
         <table class=\"node-table\"><thead><tr><th>Hostname</th><th>Role</th><th>Status</th>\
         <th>Availability</th><th>Manager status</th><th>Engine</th><th>CPUs</th><th>Memory</th>\
         <th>Address</th><th>Labels</th></tr></thead><tbody>",
        count(nodes.len(), "node")
    );
    for n in nodes {
        let state = n.state.label();
        let _ = write!(
            out,
            "<tr class=\"node\" data-node-id=\"{}\" data-node=\"{host}\"><td class=\"hostname\">{host}</td>\
             <td>{}</td><td class=\"state state-{}\">{state}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td class=\"labels\">",
            Esc(&n.id),
            n.role.label(),
            state.to_ascii_lowercase(),
            n.availability.label(),
            n.manager_status.map(|m| m.label()).unwrap_or(""),
            Esc(&n.engine_version),
            cpus_label(n.nano_cpus),
            memory_label(n.memory_bytes),
            Esc(&n.addr),
            host = Esc(&n.hostname),
        );
        for (key, value) in &n.labels {
            let _ = write!(
                out,
                "<span class=\"label\" data-label=\"{}\">{}={}</span>",
                Esc(key),
                Esc(key),
                Esc(value)
            );
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></section>");
}
