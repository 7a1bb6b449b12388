//! The CLI's compose examples beside the repository (../shared/compose).

use super::tests::{container, desired, only_service};
use bollard::models as m;

/// The docker CLI's course examples (../shared/compose), converted without error and with
/// the shape the CLI gives them.
#[test]
fn shared_examples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/compose");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no {} here: skipped", dir.display());
        return;
    };
    let mut seen = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let d = desired(&text);
        assert!(!d.services.is_empty(), "{}", path.display());
        seen += 1;
        match path.file_name().and_then(|n| n.to_str()) {
            Some("ch03-webapi.yml") => {
                assert_eq!(d.external_networks, ["ch03"]);
                assert!(d.networks.is_empty());
                let nginx = d
                    .services
                    .iter()
                    .find(|s| s.name.as_deref() == Some("st_nginx"))
                    .expect("nginx");
                let task = nginx.task_template.as_ref().expect("task");
                let env = task.container_spec.as_ref().and_then(|c| c.env.clone());
                assert_eq!(env, Some(vec!["BACKEND_HOST=echo_api:8080".to_string()]));
                assert_eq!(
                    nginx
                        .mode
                        .as_ref()
                        .and_then(|m| m.replicated.as_ref())
                        .and_then(|r| r.replicas),
                    Some(3)
                );
                let placement = task.placement.as_ref().and_then(|p| p.constraints.clone());
                assert_eq!(placement, Some(vec!["node.role != manager".to_string()]));
                let nets = task.networks.clone().unwrap_or_default();
                assert_eq!(nets[0].target.as_deref(), Some("ch03"));
                assert_eq!(nets[0].aliases, Some(vec!["nginx".to_string()]));
            }
            Some("visualizer.yml") => {
                let s = only_service(&d);
                assert!(s.mode.as_ref().is_some_and(|m| m.global.is_some()));
                let ports = s
                    .endpoint_spec
                    .as_ref()
                    .and_then(|e| e.ports.clone())
                    .unwrap_or_default();
                assert_eq!(
                    (ports[0].published_port, ports[0].target_port),
                    (Some(9000), Some(8080))
                );
                let mounts = container(&d).mounts.clone().unwrap_or_default();
                assert_eq!(mounts[0].typ, Some(m::MountType::BIND));
                assert_eq!(mounts[0].source.as_deref(), Some("/var/run/docker.sock"));
                assert_eq!(d.networks[0].name, "st_default");
            }
            _ => {}
        }
    }
    assert!(seen > 0, "no compose examples in {}", dir.display());
}
