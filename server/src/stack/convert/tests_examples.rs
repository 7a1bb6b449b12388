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

/// Every fixture of the parity test reads and converts here too, without Docker; the time of
/// the largest (read + convert, as `flotilla stack deploy` does before its first request) is
/// printed: a figure, not an assertion.
#[test]
fn fixtures_convert_and_the_largest_is_timed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stacks");
    let mut fixtures: Vec<(usize, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/stacks")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yml"))
        .map(|p| {
            (
                std::fs::metadata(&p).map(|m| m.len() as usize).unwrap_or(0),
                p,
            )
        })
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 15, "{fixtures:?}");
    let convert_one = |path: &std::path::Path| {
        let source = compose::Source {
            name: path.display().to_string(),
            text: std::fs::read_to_string(path).expect("read fixture"),
        };
        let loaded =
            compose::load(&[source], &compose::Vars::new()).unwrap_or_else(|e| panic!("{e}"));
        let files: crate::stack::Files = loaded
            .config
            .files_named()
            .into_iter()
            .map(|named| {
                let bytes = std::fs::read(dir.join(&named)).expect("a named file");
                (named, bytes)
            })
            .collect();
        super::convert("fx", &loaded.config, &files).unwrap_or_else(|e| panic!("{e}"))
    };
    for (_, path) in &fixtures {
        let desired = convert_one(path);
        assert!(!desired.services.is_empty(), "{}", path.display());
    }
    let (bytes, largest) = fixtures.last().expect("a fixture");
    let rounds = 100;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        convert_one(largest);
    }
    println!(
        "largest fixture {} ({bytes} bytes): read + convert {:.3} ms (debug build)",
        largest
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default(),
        started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
    );
}
