//! Service volumes -> mounts: named, external, driver-backed, anonymous, binds, tmpfs.

use super::tests::{container, desired, failure};
use super::*;
use bollard::models as m;

fn svc(body: &str) -> Desired {
    desired(&format!(
        "services: {{web: {{image: a, {body}}}}}\nvolumes: {{data: , ext: {{external: true}}, drv: {{driver: nfs, driver_opts: {{o: x}}, labels: {{l: m}}}}}}"
    ))
}

#[test]
fn mounts() {
    let d = svc(
        r#"volumes: ["data:/d:ro", "/host:/h:rslave", "/anon", "ext:/e:nocopy", "drv:/v", {type: tmpfs, target: /t, tmpfs: {size: 1024}}, {type: bind, source: /b, target: /b2, read_only: true}]"#,
    );
    let mounts = container(&d).mounts.clone().expect("mounts");
    let row = |mt: &m::Mount| (mt.typ, mt.source.clone(), mt.target.clone(), mt.read_only);
    assert_eq!(
        row(&mounts[0]),
        (
            Some(m::MountType::VOLUME),
            Some("st_data".into()),
            Some("/d".into()),
            Some(true)
        )
    );
    let labels = mounts[0]
        .volume_options
        .clone()
        .and_then(|o| o.labels)
        .expect("labels");
    assert_eq!(
        labels
            .get(crate::stack::NAMESPACE_LABEL)
            .map(String::as_str),
        Some("st")
    );
    assert_eq!(
        row(&mounts[1]),
        (
            Some(m::MountType::BIND),
            Some("/host".into()),
            Some("/h".into()),
            None
        )
    );
    assert_eq!(
        mounts[1].bind_options.clone().and_then(|b| b.propagation),
        Some(m::MountBindOptionsPropagationEnum::RSLAVE)
    );
    assert_eq!(
        row(&mounts[2]),
        (Some(m::MountType::VOLUME), None, Some("/anon".into()), None)
    );
    assert_eq!(mounts[2].volume_options, None);
    assert_eq!(mounts[3].source.as_deref(), Some("ext"));
    assert_eq!(
        mounts[3].volume_options,
        Some(m::MountVolumeOptions {
            no_copy: Some(true),
            ..Default::default()
        })
    );
    let drv = mounts[4]
        .volume_options
        .clone()
        .and_then(|o| o.driver_config)
        .expect("driver");
    assert_eq!(drv.name.as_deref(), Some("nfs"));
    assert_eq!(
        mounts[5].tmpfs_options.clone().and_then(|t| t.size_bytes),
        Some(1024)
    );
    assert_eq!(
        row(&mounts[6]),
        (
            Some(m::MountType::BIND),
            Some("/b".into()),
            Some("/b2".into()),
            Some(true)
        )
    );

    let e = failure(
        "services: {web: {image: a, volumes: [./rel:/x]}}",
        &Files::new(),
    );
    assert!(e.contains("relative"), "{e}");
    let mut cfg =
        super::tests::config("services: {web: {image: a, volumes: [./rel:/x, ../up:/y, ~/h:/z]}}");
    cfg.working_dir = Some("/srv/app".into());
    cfg.variables.insert("HOME".into(), "/home/u".into());
    let d = convert("st", &cfg, &Files::new()).expect("convert");
    let sources: Vec<_> = container(&d)
        .mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.source)
        .collect();
    assert_eq!(sources, ["/srv/app/rel", "/srv/up", "/home/u/h"]);
    assert_eq!(mounts::clean_for_tests("/a/./b//c/../d/"), "/a/b/d");
    let e = failure(
        "services: {web: {image: a, volumes: [{type: tmpfs, source: x, target: /t}]}}",
        &Files::new(),
    );
    assert!(e.contains("tmpfs source"), "{e}");
}
