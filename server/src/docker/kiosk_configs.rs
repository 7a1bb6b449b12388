//! Swarm configs carrying a label, as the swarm store of kiosk links keeps them (see
//! `control::kiosk::swarm`): list them by the label, make one, remove one. Configs are
//! replicated by Raft to every manager, so every panel replica reads the same ones.

use super::timed::Endpoint;
use super::{Context, Engine, Result};
use base64::Engine as _;
use bollard::models::ConfigSpec;
use bollard::query_parameters::ListConfigsOptions;
use std::collections::HashMap;

/// A config as read back: its Docker ID, name, labels and data (None when the data the
/// engine sent was not base64).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelledConfig {
    pub id: String,
    pub name: String,
    pub labels: HashMap<String, String>,
    pub data: Option<Vec<u8>>,
}

impl Engine {
    /// The configs with `label` (`key` or `key=value`, as `docker config ls --filter label=`).
    pub async fn labelled_configs(&self, label: &str) -> Result<Vec<LabelledConfig>> {
        let options = ListConfigsOptions {
            filters: Some(HashMap::from([(
                "label".to_string(),
                vec![label.to_string()],
            )])),
        };
        let configs = self
            .docker
            .list_configs(Some(options))
            .await
            .context(|| format!("listing configs labelled {label}"))?;
        Ok(configs
            .into_iter()
            .map(|config| {
                let spec = config.spec.unwrap_or_default();
                let data = spec.data.unwrap_or_default();
                LabelledConfig {
                    id: config.id.unwrap_or_default(),
                    name: spec.name.unwrap_or_default(),
                    labels: spec.labels.unwrap_or_default(),
                    data: base64::engine::general_purpose::STANDARD.decode(data).ok(),
                }
            })
            .collect())
    }

    /// Makes config `name` holding `data`; returns its ID.
    pub async fn create_labelled_config(
        &self,
        name: &str,
        labels: HashMap<String, String>,
        data: &[u8],
    ) -> Result<String> {
        let spec = ConfigSpec {
            name: Some(name.to_string()),
            labels: Some(labels),
            data: Some(base64::engine::general_purpose::STANDARD.encode(data)),
            ..Default::default()
        };
        let created = self
            .timed(Endpoint::ConfigCreate, self.docker.create_config(spec))
            .await
            .context(|| format!("creating config {name}"))?;
        Ok(created.id)
    }

    /// Removes config `id` (an ID or a name); false when there was none.
    pub async fn remove_config(&self, id: &str) -> Result<bool> {
        match self
            .timed(Endpoint::ConfigDelete, self.docker.delete_config(id))
            .await
        {
            Ok(()) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(e) => Err(e).context(|| format!("removing config {id}")),
        }
    }
}
