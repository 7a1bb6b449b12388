//! Waiting on the lab's swarm and on the page: shared by the browser tests.

use super::browser::Browser;
use super::wait_until;
use bollard::Docker;
use bollard::models::TaskState;
use bollard::query_parameters::{ListServicesOptions, ListTasksOptions};
use std::collections::HashMap;
use std::time::Duration;

/// For what the page shows. Generous: the machine is shared and small.
pub const LIMIT: Duration = Duration::from_secs(60);
/// For Docker itself to converge (pulling from the lab registry on every node the first time).
pub const DOCKER_LIMIT: Duration = Duration::from_secs(300);

pub async fn live(browser: &Browser) -> Result<(), String> {
    let state = browser.connection().await?;
    if state == "live" {
        Ok(())
    } else {
        Err(format!("data-state={state}"))
    }
}

/// Ok once Docker has exactly `want` echo tasks meant to run, all running.
pub async fn running_echo_tasks(docker: &Docker, want: usize) -> Result<(), String> {
    let filters = HashMap::from([
        ("service".to_string(), vec!["echo".to_string()]),
        ("desired-state".to_string(), vec!["running".to_string()]),
    ]);
    let tasks = docker
        .list_tasks(Some(ListTasksOptions {
            filters: Some(filters),
        }))
        .await
        .map_err(|e| e.to_string())?;
    let states: Vec<Option<TaskState>> = tasks
        .iter()
        .map(|t| t.status.as_ref().and_then(|s| s.state))
        .collect();
    if states.len() == want && states.iter().all(|s| *s == Some(TaskState::RUNNING)) {
        Ok(())
    } else {
        Err(format!("echo tasks meant to run: {states:?}"))
    }
}

/// A lab left behind by an interrupted run (`lab up` is idempotent) may still hold services:
/// start from none.
pub async fn remove_every_service(docker: &Docker) {
    let services = docker
        .list_services(None::<ListServicesOptions>)
        .await
        .expect("list services");
    for service in services {
        if let Some(id) = service.id {
            docker.delete_service(&id).await.expect("remove a service");
        }
    }
    wait_until("no tasks left on the lab", DOCKER_LIMIT, || async {
        let tasks = docker
            .list_tasks(None::<ListTasksOptions>)
            .await
            .map_err(|e| e.to_string())?;
        if tasks.is_empty() {
            Ok(())
        } else {
            Err(format!("{} tasks", tasks.len()))
        }
    })
    .await;
}
