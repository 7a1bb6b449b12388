//! The swarm store of kiosk links (`--kiosk-store swarm`): one swarm config per link, which
//! Raft replicates to every manager, so every panel replica of the swarm knows the links made
//! on any of them, and a revocation on one reaches all. A config's data can never change, so
//! it holds only what never does: the hex SHA-256 of the link's secret (never the secret),
//! with the link's id, name and creation time in its labels:
//!
//! ```text
//! name   flotilla-kiosk-<id>
//! labels io.flotilla.kiosk=<id>, io.flotilla.kiosk.name=<name>, io.flotilla.kiosk.created-ms=<ms>
//! data   <hex SHA-256 of the secret>
//! ```
//!
//! Requests read the links in memory only. A task re-reads the configs (one list, filtered by
//! the label) when the cluster-state owner sees a config event, or reconnects after missing
//! some, and once a minute as a safety net: no steady Docker load beyond that list a minute.
//! A link's last use is kept by each replica in memory only, not in the swarm (a config's
//! labels could hold it, but writing one on every screen's connection would be a Raft write
//! each): the list shows the last use this replica saw since it started.

use super::{Held, KioskError, MAX_LINKS, Stored, good_name, lower_hex};
use crate::cluster::Hub;
use crate::docker::{DockerError, Engine, LabelledConfig};
use crate::metrics::DockerMetrics;
use flotilla_app::api::KioskLink;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::watch;

/// The label every kiosk link's config carries: its value is the link's id.
pub const LABEL: &str = "io.flotilla.kiosk";
const NAME_LABEL: &str = "io.flotilla.kiosk.name";
const CREATED_LABEL: &str = "io.flotilla.kiosk.created-ms";
/// A link's config is named this and its id.
const PREFIX: &str = "flotilla-kiosk-";
/// The safety net: configs re-read this often even if no event said they changed.
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// After a failed read, the next one comes this long after, doubling up to REFRESH_EVERY.
const RETRY_EVERY: Duration = Duration::from_secs(2);
/// Events arriving within this window cost one read (a stack deploy makes several configs).
const COALESCE: Duration = Duration::from_millis(100);
/// Per-request timeout (until headers) of the store's own engine.
const REQUEST_TIMEOUT_SECS: u64 = 10;

pub struct SwarmLinks {
    /// What requests read.
    pub(super) links: Held,
    docker_host: String,
    metrics: DockerMetrics,
    /// Connected on first use and again after a failure.
    engine: tokio::sync::Mutex<Option<Engine>>,
    /// One read or change at a time: a read that started before this replica made a link
    /// cannot publish a list without it.
    writing: tokio::sync::Mutex<()>,
    /// Configs with the label that are not links, already logged (by Docker ID), so a
    /// refresh does not log them again.
    reported: std::sync::Mutex<HashSet<String>>,
}

/// The config that keeps `stored`: its name, labels and data.
fn config_for(stored: &Stored) -> (String, HashMap<String, String>, String) {
    let link = &stored.link;
    let labels = HashMap::from([
        (LABEL.to_string(), link.id.clone()),
        (NAME_LABEL.to_string(), link.name.clone()),
        (CREATED_LABEL.to_string(), link.created_ms.to_string()),
    ]);
    (
        format!("{PREFIX}{}", link.id),
        labels,
        stored.secret_sha256.clone(),
    )
}

/// The link a config with the label keeps, or why it is none.
fn link_from_config(config: &LabelledConfig) -> Result<Stored, String> {
    let label = |key: &str| config.labels.get(key).map(String::as_str);
    let id = label(LABEL).unwrap_or_default();
    if !lower_hex(id, 16) {
        return Err(format!("label {LABEL}={id:?} is not a link id"));
    }
    if config.name != format!("{PREFIX}{id}") {
        return Err(format!("named {:?}, not {PREFIX}{id}", config.name));
    }
    let name = label(NAME_LABEL)
        .filter(|n| good_name(n))
        .ok_or_else(|| format!("label {NAME_LABEL} missing or not a kiosk name"))?;
    let created_ms = label(CREATED_LABEL)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("label {CREATED_LABEL} missing or not a time in ms"))?;
    let secret_sha256 = config
        .data
        .as_deref()
        .and_then(|d| std::str::from_utf8(d).ok())
        .filter(|h| lower_hex(h, 64))
        .ok_or("data is not a hex SHA-256")?;
    Ok(Stored {
        link: KioskLink {
            id: id.to_string(),
            name: name.to_string(),
            created_ms,
            last_used_ms: None,
        },
        secret_sha256: secret_sha256.to_string(),
    })
}

/// The links among `configs`, oldest first and at most MAX_LINKS (the same ones on every
/// replica), and the configs that are not links, with why.
fn links_from(configs: &[LabelledConfig]) -> (Vec<Stored>, Vec<(&LabelledConfig, String)>) {
    let mut links = Vec::new();
    let mut malformed = Vec::new();
    for config in configs {
        match link_from_config(config) {
            Ok(stored) => links.push(stored),
            Err(why) => malformed.push((config, why)),
        }
    }
    links.sort_by(|a, b| (a.link.created_ms, &a.link.id).cmp(&(b.link.created_ms, &b.link.id)));
    links.dedup_by(|a, b| a.link.id == b.link.id);
    links.truncate(MAX_LINKS);
    (links, malformed)
}

impl SwarmLinks {
    fn new(docker_host: String, metrics: DockerMetrics) -> SwarmLinks {
        SwarmLinks {
            links: Held::default(),
            docker_host,
            metrics,
            engine: tokio::sync::Mutex::new(None),
            writing: tokio::sync::Mutex::new(()),
            reported: Default::default(),
        }
    }

    /// The store, and the task that keeps it in step (see `follow`).
    pub(super) fn start(docker_host: String, hub: &Hub) -> Arc<SwarmLinks> {
        let links = Arc::new(SwarmLinks::new(docker_host, hub.docker_metrics()));
        tokio::spawn(follow(Arc::downgrade(&links), hub.config_changes()));
        links
    }

    async fn engine(&self) -> Result<Engine, KioskError> {
        let mut slot = self.engine.lock().await;
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let engine = Engine::connect_with_timeout(&self.docker_host, REQUEST_TIMEOUT_SECS)
            .await?
            .with_metrics(self.metrics.clone());
        *slot = Some(engine.clone());
        Ok(engine)
    }

    /// A Docker answer; after a failure the engine is connected again next time.
    async fn checked<T>(&self, answer: Result<T, DockerError>) -> Result<T, KioskError> {
        if answer.is_err() {
            *self.engine.lock().await = None;
        }
        Ok(answer?)
    }

    /// The links in the swarm now (malformed configs logged, once each).
    async fn read(&self, engine: &Engine) -> Result<Vec<Stored>, KioskError> {
        let configs = self.checked(engine.labelled_configs(LABEL).await).await?;
        let (links, malformed) = links_from(&configs);
        let valid = configs.len() - malformed.len();
        let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
        for (config, why) in malformed {
            if reported.insert(config.id.clone()) {
                tracing::warn!(config = %config.name, id = %config.id, %why,
                    "kiosk links: a config labelled {LABEL} is not a link; ignored");
            }
        }
        reported.retain(|id| configs.iter().any(|c| &c.id == id));
        if valid > links.len() {
            tracing::warn!(
                links = valid,
                kept = links.len(),
                "kiosk links: more configs than {MAX_LINKS} links; the oldest kept"
            );
        }
        Ok(links)
    }

    /// Makes `next` what requests read, keeping the last uses this replica saw.
    fn publish(&self, mut next: Vec<Stored>) {
        let mut links = self.links.write();
        for stored in &mut next {
            stored.link.last_used_ms = links
                .iter()
                .find(|old| old.link.id == stored.link.id)
                .and_then(|old| old.link.last_used_ms);
        }
        *links = next;
    }

    /// Reads the links from the swarm into memory.
    async fn refresh(&self) -> Result<(), KioskError> {
        let _one_at_a_time = self.writing.lock().await;
        let engine = self.engine().await?;
        let next = self.read(&engine).await?;
        self.publish(next);
        Ok(())
    }

    /// Counted against the swarm's links, not this replica's copy, which may be a moment old.
    pub(super) async fn add(&self, stored: Stored) -> Result<(), KioskError> {
        let _one_at_a_time = self.writing.lock().await;
        let engine = self.engine().await?;
        let mut next = self.read(&engine).await?;
        if next.len() >= MAX_LINKS {
            self.publish(next);
            return Err(KioskError::Full);
        }
        let (name, labels, data) = config_for(&stored);
        let created = engine
            .create_labelled_config(&name, labels, data.as_bytes())
            .await;
        self.checked(created).await?;
        next.push(stored);
        self.publish(next);
        Ok(())
    }

    /// Removes the link's config (found by its label, so a config of another name is never
    /// touched); false when there was none.
    pub(super) async fn revoke(&self, id: &str) -> Result<bool, KioskError> {
        let _one_at_a_time = self.writing.lock().await;
        let mut removed = false;
        if lower_hex(id, 16) {
            let engine = self.engine().await?;
            let labelled = engine.labelled_configs(&format!("{LABEL}={id}")).await;
            for config in self.checked(labelled).await? {
                removed |= self.checked(engine.remove_config(&config.id).await).await?;
            }
        }
        self.links.write().retain(|s| s.link.id != id);
        Ok(removed)
    }

    /// Notes a use, in this replica's memory only.
    pub(super) fn touch(&self, id: &str, now_ms: u64) {
        for stored in self.links.write().iter_mut().filter(|s| s.link.id == id) {
            stored.link.last_used_ms = Some(now_ms);
        }
    }
}

/// Keeps the store in step with the swarm: reads it at once, then after every change the
/// cluster-state owner passes on (config events, a reconnection), and every REFRESH_EVERY
/// whatever happens; sooner after a failure. Ends when the store or the hub is gone.
async fn follow(links: Weak<SwarmLinks>, mut changes: watch::Receiver<u64>) {
    let mut wait = Duration::ZERO;
    let mut failures = 0u32;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
                tokio::time::sleep(COALESCE).await;
            }
        }
        changes.borrow_and_update();
        let Some(store) = links.upgrade() else {
            return;
        };
        wait = match store.refresh().await {
            Ok(()) => {
                if failures > 0 {
                    tracing::info!("kiosk links: read from the swarm again");
                }
                failures = 0;
                REFRESH_EVERY
            }
            Err(e) => {
                if failures == 0 {
                    tracing::warn!(error = %e, "kiosk links: cannot read them from the swarm; retrying");
                }
                failures = failures.saturating_add(1);
                RETRY_EVERY
                    .saturating_mul(1 << failures.min(6))
                    .min(REFRESH_EVERY)
            }
        };
    }
}

#[cfg(test)]
mod tests;
