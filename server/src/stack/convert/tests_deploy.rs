//! The `deploy:` rules: modes, resources, restart, update/rollback, placement.

use super::tests::{desired, failure, only_service};
use super::*;
use bollard::models as m;

fn task(d: &Desired) -> &m::TaskSpec {
    only_service(d).task_template.as_ref().expect("task")
}

fn svc(body: &str) -> Desired {
    desired(&format!("services: {{web: {{image: a, {body}}}}}"))
}

#[test]
fn modes_and_replicas() {
    let mode = |deploy: &str| {
        only_service(&desired(&format!(
            "services: {{web: {{image: a, deploy: {deploy}}}}}"
        )))
        .mode
        .clone()
        .expect("mode")
    };
    assert_eq!(mode("{}").replicated.and_then(|r| r.replicas), Some(1));
    assert_eq!(
        mode("{replicas: 0}").replicated.and_then(|r| r.replicas),
        Some(0)
    );
    assert!(mode("{mode: global}").global.is_some());
    assert!(mode("{mode: global-job}").global_job.is_some());
    let job = mode("{mode: replicated-job, replicas: 4}")
        .replicated_job
        .expect("job");
    assert_eq!(
        (job.max_concurrent, job.total_completions),
        (Some(4), Some(4))
    );
    let e = failure(
        "services: {web: {image: a, deploy: {mode: global, replicas: 2}}}",
        &Files::new(),
    );
    assert!(e.contains("replicas can only be used"), "{e}");
    let e = failure(
        "services: {web: {image: a, deploy: {mode: sometimes}}}",
        &Files::new(),
    );
    assert!(e.contains("unknown mode"), "{e}");
}

#[test]
fn resources_restart_update_placement() {
    let d = svc(
        r#"deploy: {resources: {limits: {cpus: "1.5", memory: 512M, pids: 100}, reservations: {cpus: "0.25", memory: "1g", generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]}},
        restart_policy: {condition: on-failure, delay: 5s, max_attempts: 0, window: 1m},
        update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.3, order: start-first},
        rollback_config: {order: stop-first},
        placement: {constraints: [node.role == worker, node.labels.a == b], preferences: [{spread: node.labels.az}], max_replicas_per_node: 2}}"#,
    );
    let t = task(&d);
    let r = t.resources.clone().expect("resources");
    let l = r.limits.expect("limits");
    assert_eq!(
        (l.nano_cpus, l.memory_bytes, l.pids),
        (Some(1_500_000_000), Some(512 << 20), Some(100))
    );
    let res = r.reservations.expect("reservations");
    assert_eq!(
        (res.nano_cpus, res.memory_bytes),
        (Some(250_000_000), Some(1 << 30))
    );
    let g = res.generic_resources.expect("generic")[0]
        .discrete_resource_spec
        .clone()
        .expect("discrete");
    assert_eq!((g.kind.as_deref(), g.value), (Some("gpu"), Some(2)));
    let rp = t.restart_policy.clone().expect("restart");
    assert_eq!(
        rp.condition,
        Some(m::TaskSpecRestartPolicyConditionEnum::ON_FAILURE)
    );
    assert_eq!(
        (rp.delay, rp.max_attempts, rp.window),
        (Some(5_000_000_000), Some(0), Some(60_000_000_000))
    );
    let s = only_service(&d);
    let u = s.update_config.clone().expect("update");
    assert_eq!(
        (u.parallelism, u.delay, u.monitor),
        (Some(2), Some(10_000_000_000), Some(30_000_000_000))
    );
    assert_eq!(
        u.failure_action,
        Some(m::ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK)
    );
    assert_eq!(u.max_failure_ratio, Some(0.3));
    assert_eq!(
        u.order,
        Some(m::ServiceSpecUpdateConfigOrderEnum::START_FIRST)
    );
    let rb = s.rollback_config.clone().expect("rollback");
    assert_eq!((rb.parallelism, rb.max_failure_ratio), (Some(1), Some(0.0)));
    let p = t.placement.clone().expect("placement");
    assert_eq!(p.constraints.map(|c| c.len()), Some(2));
    assert_eq!(p.max_replicas, Some(2));
    assert_eq!(
        p.preferences
            .and_then(|p| p[0].spread.clone())
            .and_then(|s| s.spread_descriptor)
            .as_deref(),
        Some("node.labels.az")
    );
    // Always present, empty, as the CLI sends them.
    let plain = desired("services: {web: {image: a}}");
    assert_eq!(task(&plain).placement, Some(Default::default()));
    assert_eq!(task(&plain).resources, Some(Default::default()));
    assert_eq!(task(&plain).restart_policy, None);
}

#[test]
fn legacy_restart_and_cpus() {
    let rp = |restart: &str| {
        task(&svc(&format!("restart: {restart}")))
            .restart_policy
            .clone()
    };
    assert_eq!(rp("\"no\""), None);
    assert_eq!(
        rp("always").and_then(|r| r.condition),
        Some(m::TaskSpecRestartPolicyConditionEnum::ANY)
    );
    let on = rp("on-failure:3").expect("on-failure");
    assert_eq!(
        (on.condition, on.max_attempts),
        (
            Some(m::TaskSpecRestartPolicyConditionEnum::ON_FAILURE),
            Some(3)
        )
    );
    assert_eq!(rp("on-failure").and_then(|r| r.max_attempts), None);
    let e = failure(
        "services: {web: {image: a, restart: sometimes}}",
        &Files::new(),
    );
    assert!(e.contains("unknown policy"), "{e}");
    for (text, want) in [
        ("1", Some(1_000_000_000)),
        ("0.5", Some(500_000_000)),
        ("1/4", Some(250_000_000)),
        ("2e-1", Some(200_000_000)),
        (".5", Some(500_000_000)),
        ("0.0000000001", None),
        ("x", None),
    ] {
        assert_eq!(resources::parse_cpus(text).ok(), want, "{text}");
    }
}
