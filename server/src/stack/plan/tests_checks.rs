//! Names, images and the policy.

use super::images::{self, Resolved};
use super::tests::{desired, live, sent, stored};
use super::*;
use flotilla_app::policy::Policy;
use flotilla_app::stacks::ResolveImage;

#[test]
fn stack_and_service_names() {
    assert!(valid_stack_name("echo").is_ok());
    assert!(valid_stack_name("My-stack_2").is_ok());
    assert_eq!(
        valid_stack_name(" '' ").unwrap_err(),
        "invalid stack name: \" '' \""
    );
    for bad in ["a.b", "a b", "_a", "ü"] {
        assert!(valid_stack_name(bad).is_err(), "{bad}");
    }
    let mut bad = sent("api", "nginx");
    bad.name = Some("web_a.b".into());
    assert_eq!(
        plan(&desired(vec![bad]), &Live::default(), false),
        Err(PlanError::ServiceName("web_a.b".into()))
    );
}

#[test]
fn images_are_tagged_and_pinned_as_the_client_does() {
    assert_eq!(images::tagged("nginx"), "nginx:latest");
    assert_eq!(images::tagged("docker.io/library/nginx"), "nginx:latest");
    assert_eq!(
        images::tagged("registry:5000/example/echo"),
        "registry:5000/example/echo:latest"
    );
    assert_eq!(images::tagged("nginx@sha256:abc"), "nginx@sha256:abc");
    assert_eq!(images::tagged("Bad/Name"), "Bad/Name");
    assert_eq!(
        images::pinned("nginx:1.27", "sha256:abc"),
        "nginx:1.27@sha256:abc"
    );
    assert_eq!(
        images::pinned("nginx@sha256:x", "sha256:abc"),
        "nginx@sha256:x"
    );
}

#[test]
fn resolve_modes_follow_the_cli() {
    let mut live_api = stored("api", "nginx");
    let container = live_api
        .spec
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    container.image = Some("nginx:latest@sha256:old".into());
    let now = live(vec![live_api]);
    let want = desired(vec![sent("api", "nginx"), sent("new", "busybox")]);
    let image = |d: &Desired, i: usize| {
        d.services[i]
            .task_template
            .as_ref()
            .unwrap()
            .container_spec
            .as_ref()
            .unwrap()
            .image
            .clone()
            .unwrap()
    };
    let answers = [
        (
            "nginx:latest".to_string(),
            Some(Resolved {
                digest: "sha256:new".into(),
                platforms: vec![
                    ("linux".into(), "amd64".into()),
                    ("linux".into(), "arm".into()),
                    ("unknown".into(), "unknown".into()),
                ],
            }),
        ),
        ("busybox:latest".to_string(), None),
    ]
    .into();

    assert_eq!(
        images::queries(&want, &now, ResolveImage::Never),
        Vec::<String>::new()
    );
    let mut never = want.clone();
    assert!(images::pin(&mut never, &now, ResolveImage::Never, &answers).is_empty());
    assert_eq!(
        image(&never, 0),
        "nginx:latest@sha256:old",
        "unchanged image keeps the live one"
    );
    assert_eq!(image(&never, 1), "busybox:latest");

    assert_eq!(
        images::queries(&want, &now, ResolveImage::Changed),
        ["busybox:latest"]
    );
    assert_eq!(
        images::queries(&want, &now, ResolveImage::Always),
        ["busybox:latest", "nginx:latest"]
    );
    let mut always = want.clone();
    let warnings = images::pin(&mut always, &now, ResolveImage::Always, &answers);
    assert_eq!(image(&always, 0), "nginx:latest@sha256:new");
    let placement = always.services[0]
        .task_template
        .as_ref()
        .unwrap()
        .placement
        .clone()
        .unwrap();
    let platforms: Vec<_> = placement
        .platforms
        .unwrap()
        .into_iter()
        .map(|p| (p.os.unwrap(), p.architecture.unwrap()))
        .collect();
    assert_eq!(
        platforms,
        [
            ("linux".to_string(), "amd64".to_string()),
            ("linux".into(), "".into())
        ]
    );
    assert_eq!(image(&always, 1), "busybox:latest");
    assert_eq!(warnings, [images::digest_warning("busybox:latest")]);
}

#[test]
fn the_policy_names_service_field_and_rule() {
    let mut wanted = sent("api", "nginx");
    let container = wanted
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    container.mounts = Some(vec![m::Mount {
        typ: Some(m::MountType::BIND),
        source: Some("/var/run/docker.sock".into()),
        target: Some("/var/run/docker.sock".into()),
        ..Default::default()
    }]);
    let refusals = check_policy(&desired(vec![wanted]), &Policy::default()).unwrap_err();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(
        refusals[0].starts_with("service web_api: mounts[0].source: "),
        "{}",
        refusals[0]
    );
    assert!(refusals[0].contains("protected-path"), "{}", refusals[0]);
    assert!(check_policy(&desired(vec![sent("api", "nginx")]), &Policy::default()).is_ok());
}
