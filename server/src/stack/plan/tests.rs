use super::images;
use super::*;
use crate::stack::{IMAGE_LABEL, NAMESPACE_LABEL, NetworkWant};
use serde_json::json;

/// A spec as the CLI's converter sends it (no defaults filled in).
pub(super) fn sent(name: &str, image: &str) -> m::ServiceSpec {
    serde_json::from_value(json!({
        "Name": format!("web_{name}"),
        "Labels": {IMAGE_LABEL: image, NAMESPACE_LABEL: "web"},
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": images::tagged(image),
                "Labels": {NAMESPACE_LABEL: "web"},
                "Env": ["A=1", "B=secret"],
                "Privileges": {"CredentialSpec": null, "SELinuxContext": null},
            },
            "Networks": [{"Target": "web_default", "Aliases": [name]}],
            "Placement": {},
            "Resources": {},
            "RestartPolicy": {"MaxAttempts": 0}
        },
        "EndpointSpec": {"Mode": "", "Ports": [{"TargetPort": 80, "PublishedPort": 8080}]},
        "UpdateConfig": {"Parallelism": 2}
    }))
    .unwrap()
}

/// The same service as dockerd 20.10 returns it after `docker stack deploy`.
pub(super) fn stored(name: &str, image: &str) -> LiveService {
    let spec = serde_json::from_value(json!({
        "Name": format!("web_{name}"),
        "Labels": {IMAGE_LABEL: image, NAMESPACE_LABEL: "web"},
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": images::tagged(image),
                "Labels": {NAMESPACE_LABEL: "web"},
                "Env": ["A=1", "B=secret"],
                "Privileges": {"CredentialSpec": null, "SELinuxContext": null},
                "Isolation": "default"
            },
            "Resources": {},
            "RestartPolicy": {"Condition": "any", "MaxAttempts": 0},
            "Placement": {},
            "Networks": [{"Target": "netid1", "Aliases": [name]}],
            "ForceUpdate": 3,
            "Runtime": "container"
        },
        "Mode": {"Replicated": {"Replicas": 1}},
        "UpdateConfig": {"Parallelism": 2, "FailureAction": "pause", "MaxFailureRatio": 0, "Order": "stop-first"},
        "EndpointSpec": {"Mode": "vip", "Ports": [{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}]}
    }))
    .unwrap();
    LiveService {
        id: format!("id-{name}"),
        version: 7,
        spec,
    }
}

pub(super) fn desired(services: Vec<m::ServiceSpec>) -> Desired {
    Desired {
        namespace: "web".into(),
        networks: vec![NetworkWant {
            name: "web_default".into(),
            create: Default::default(),
        }],
        services,
        ..Default::default()
    }
}

pub(super) fn live(services: Vec<LiveService>) -> Live {
    let network = LiveNetwork {
        id: "netid1".into(),
        scope: "swarm".into(),
    };
    Live {
        services: services
            .into_iter()
            .map(|s| (s.spec.name.clone().unwrap(), s))
            .collect(),
        networks: [("web_default".to_string(), network)].into(),
        ..Default::default()
    }
}

fn object<S>(spec: S) -> LiveObject<S> {
    LiveObject {
        id: "x".into(),
        version: 1,
        spec,
    }
}

fn actions(plan: &Plan) -> Vec<(StackObject, &str, PlanAction)> {
    plan.items
        .iter()
        .map(|i| (i.kind, i.name.as_str(), i.action))
        .collect()
}

#[test]
fn an_unchanged_redeploy_changes_nothing() {
    let plan = plan(
        &desired(vec![sent("api", "nginx")]),
        &live(vec![stored("api", "nginx")]),
        true,
    )
    .unwrap();
    assert!(plan.is_no_change(), "{plan:#?}");
}

#[test]
fn a_new_stack_creates_in_the_cli_order() {
    let mut want = desired(vec![sent("api", "nginx"), sent("web", "nginx")]);
    want.secrets = vec![m::SecretSpec {
        name: Some("web_token".into()),
        data: Some("c2VjcmV0".into()),
        ..Default::default()
    }];
    let plan = plan(&want, &Live::default(), false).unwrap();
    use {PlanAction::Create, StackObject::*};
    assert_eq!(
        actions(&plan),
        [
            (Network, "web_default", Create),
            (Secret, "web_token", Create),
            (Service, "web_api", Create),
            (Service, "web_web", Create),
        ]
    );
}

#[test]
fn replicas_show_as_one_field_and_no_mode_means_one() {
    let mut scaled = stored("api", "nginx");
    scaled.spec.mode = serde_json::from_value(json!({"Replicated": {"Replicas": 3}})).unwrap();
    let plan = plan(
        &desired(vec![sent("api", "nginx")]),
        &live(vec![scaled]),
        false,
    )
    .unwrap();
    let item = &plan.items[1];
    assert_eq!(item.action, PlanAction::Update);
    assert_eq!(
        item.changes,
        [FieldChange {
            path: "Mode.Replicated.Replicas".into(),
            old: Some("3".into()),
            new: Some("1".into()),
        }]
    );
}

#[test]
fn environment_values_are_never_shown() {
    let mut wanted = sent("api", "nginx");
    let container = wanted
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    container.env = Some(vec!["A=1".into(), "B=other".into(), "C=new".into()]);
    let plan = plan(
        &desired(vec![wanted]),
        &live(vec![stored("api", "nginx")]),
        false,
    )
    .unwrap();
    let changes = &plan.items[1].changes;
    let paths: Vec<_> = changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "TaskTemplate.ContainerSpec.Env.B",
            "TaskTemplate.ContainerSpec.Env.C"
        ]
    );
    let shown = format!("{changes:?}");
    assert!(
        !shown.contains("other") && !shown.contains("new\""),
        "{shown}"
    );
    assert_eq!(changes[1].old, None);
    assert_eq!(changes[1].new.as_deref(), Some("(hidden)"));
}

#[test]
fn an_image_change_is_a_dotted_path_with_json_values() {
    let plan = plan(
        &desired(vec![sent("api", "nginx:1.27")]),
        &live(vec![stored("api", "nginx")]),
        false,
    )
    .unwrap();
    let paths: Vec<_> = plan.items[1]
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.old.as_deref(), c.new.as_deref()))
        .collect();
    assert_eq!(
        paths,
        [
            (
                "Labels.com.docker.stack.image",
                Some("\"nginx\""),
                Some("\"nginx:1.27\"")
            ),
            (
                "TaskTemplate.ContainerSpec.Image",
                Some("\"nginx:latest\""),
                Some("\"nginx:1.27\"")
            ),
        ]
    );
}

#[test]
fn prune_removes_services_first_and_only_with_prune() {
    let both = live(vec![stored("api", "nginx"), stored("old", "nginx")]);
    let want = desired(vec![sent("api", "nginx")]);
    let without = plan(&want, &both, false).unwrap();
    assert!(without.is_no_change());
    let with = plan(&want, &both, true).unwrap();
    assert_eq!(
        actions(&with)[0],
        (StackObject::Service, "web_old", PlanAction::Remove)
    );
}

#[test]
fn global_mode_is_not_an_empty_value() {
    let mut global = sent("api", "nginx");
    global.mode = serde_json::from_value(json!({"Global": {}})).unwrap();
    let plan = plan(
        &desired(vec![global]),
        &live(vec![stored("api", "nginx")]),
        false,
    )
    .unwrap();
    let paths: Vec<_> = plan.items[1]
        .changes
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(paths, ["Mode.Global", "Mode.Replicated"]);
}

#[test]
fn secrets_and_configs_change_only_by_labels() {
    let mut want = desired(vec![]);
    let labels = |v: &str| Some([(NAMESPACE_LABEL.to_string(), v.to_string())].into());
    want.secrets = vec![m::SecretSpec {
        name: Some("web_s".into()),
        labels: labels("web"),
        data: Some("YQ==".into()),
        ..Default::default()
    }];
    want.configs = vec![m::ConfigSpec {
        name: Some("web_c".into()),
        labels: labels("web"),
        data: Some("Yg==".into()),
        ..Default::default()
    }];
    let mut current = live(vec![]);
    current.secrets.insert(
        "web_s".into(),
        object(m::SecretSpec {
            name: Some("web_s".into()),
            ..Default::default()
        }),
    );
    current.configs.insert(
        "web_c".into(),
        object(m::ConfigSpec {
            name: Some("web_c".into()),
            labels: labels("web"),
            data: Some("Yg".into()),
            ..Default::default()
        }),
    );
    let planned = plan(&want, &current, false).unwrap();
    let secret = &planned.items[1];
    assert_eq!(
        (secret.action, secret.changes[0].path.as_str()),
        (PlanAction::Update, "Labels.com.docker.stack.namespace")
    );
    assert_eq!(planned.items[2].action, PlanAction::Unchanged);
    assert!(
        !format!("{planned:?}").contains("YQ"),
        "data never in a plan"
    );

    current.configs.get_mut("web_c").unwrap().spec.data = Some("Yw==".into());
    assert_eq!(
        plan(&want, &current, false),
        Err(PlanError::ConfigChanged("web_c".into()))
    );
}

#[test]
fn secret_and_network_ids_are_compared_by_name() {
    let mut wanted = sent("api", "nginx");
    let refs = json!([{"File": {"Name": "t", "UID": "0", "GID": "0", "Mode": 292}, "SecretName": "web_t"}]);
    let container = wanted
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    container.secrets = Some(serde_json::from_value(refs.clone()).unwrap());
    let mut current = stored("api", "nginx");
    let container = current
        .spec
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    let mut with_id = refs;
    with_id[0]["SecretID"] = json!("sid");
    container.secrets = Some(serde_json::from_value(with_id).unwrap());
    let mut want = desired(vec![wanted]);
    want.secrets = vec![m::SecretSpec {
        name: Some("web_t".into()),
        ..Default::default()
    }];
    let mut now = live(vec![current]);
    let secret = LiveObject {
        id: "sid".into(),
        version: 1,
        spec: m::SecretSpec {
            name: Some("web_t".into()),
            ..Default::default()
        },
    };
    now.secrets.insert("web_t".into(), secret);
    assert!(plan(&want, &now, false).unwrap().is_no_change());
    // Recreated under the same name: a new ID, so the service must follow.
    now.secrets.get_mut("web_t").unwrap().id = "other".into();
    let planned = plan(&want, &now, false).unwrap();
    let service = planned.items.last().unwrap();
    assert_eq!(
        service.changes[0].path,
        "TaskTemplate.ContainerSpec.Secrets.0.SecretID"
    );
}

#[test]
fn externals_must_exist_as_the_cli_says() {
    let mut want = desired(vec![]);
    want.external_networks = vec!["ch03".into(), "host".into()];
    let mut now = live(vec![]);
    let err = plan(&want, &now, false).unwrap_err().to_string();
    assert_eq!(
        err,
        "network \"ch03\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"
    );
    let local = LiveNetwork {
        id: "n".into(),
        scope: "local".into(),
    };
    now.external_networks.insert("ch03".into(), local);
    let err = plan(&want, &now, false).unwrap_err().to_string();
    assert_eq!(
        err,
        "network \"ch03\" is declared as external, but it is not in the right scope: \"local\" instead of \"swarm\""
    );
    now.external_networks.get_mut("ch03").unwrap().scope = "swarm".into();
    assert!(plan(&want, &now, false).unwrap().is_no_change());
    want.external_secrets = vec!["token".into()];
    assert_eq!(
        plan(&want, &now, false).unwrap_err().to_string(),
        "secret not found: token"
    );
}
