//! The images the configured registry holds (its catalog and each repository's tags), offered
//! by the create form. Asked of the registry's HTTP API directly: Docker has no call for it.

use super::{Control, ControlError};
use crate::lab::probe::http_get;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use flotilla_app::api::{RegistryImages, Role};
use serde::Deserialize;
use std::sync::Arc;

/// Where the panel reaches the registry, and what the nodes call it.
#[derive(Clone, Debug)]
pub struct Registry {
    /// host:port the panel connects to (the lab's: 127.0.0.1:5000).
    pub api: String,
    /// The name in image references nodes pull (the lab's: registry:5000).
    pub prefix: String,
}

/// Bounds on what one answer lists: a catalog is offered, not mirrored.
const MAX_REPOSITORIES: usize = 50;
const MAX_TAGS: usize = 20;

#[derive(Deserialize)]
struct Catalog {
    #[serde(default)]
    repositories: Vec<String>,
}

#[derive(Deserialize)]
struct Tags {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// A repository path part as registries name them: lowercase letters and digits, with
/// `.`, `_` or `-` only between them (so never `..`).
fn path_component(part: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    edge(part.chars().next())
        && edge(part.chars().last())
        && part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Repository names from a `/v2/_catalog` body, kept only when safe to put in a URL path.
fn repositories(body: &str) -> Result<Vec<String>, String> {
    let catalog: Catalog =
        serde_json::from_str(body).map_err(|e| format!("unreadable catalog: {e}"))?;
    Ok(catalog
        .repositories
        .into_iter()
        .filter(|r| r.len() <= 200 && r.split('/').all(path_component))
        .take(MAX_REPOSITORIES)
        .collect())
}

/// Tags from a `/v2/<name>/tags/list` body, sorted, `latest` first.
fn tags(body: &str) -> Vec<String> {
    let mut tags = serde_json::from_str::<Tags>(body)
        .ok()
        .and_then(|t| t.tags)
        .unwrap_or_default();
    tags.retain(|t| !t.is_empty() && t.len() <= 128);
    tags.sort_by_key(|t| (t != "latest", t.clone()));
    tags.truncate(MAX_TAGS);
    tags
}

async fn list(registry: &Registry) -> RegistryImages {
    let mut answer = RegistryImages {
        registry: Some(registry.prefix.clone()),
        ..Default::default()
    };
    let repos = match http_get(&registry.api, "/v2/_catalog").await {
        Ok((200, body)) => repositories(&body),
        Ok((status, _)) => Err(format!("the catalog answered HTTP {status}")),
        Err(e) => Err(format!(
            "the registry at {} did not answer: {e}",
            registry.api
        )),
    };
    match repos {
        Ok(repos) => {
            // Asked together: one slow repository must not make the others wait in line.
            let lists = futures_util::future::join_all(repos.iter().map(|repo| async move {
                http_get(&registry.api, &format!("/v2/{repo}/tags/list")).await
            }))
            .await;
            let prefix = &registry.prefix;
            for (repo, list) in repos.iter().zip(lists) {
                if let Ok((200, body)) = list {
                    answer.images.extend(
                        tags(&body)
                            .into_iter()
                            .map(|t| format!("{prefix}/{repo}:{t}")),
                    );
                }
            }
        }
        Err(problem) => answer.problem = Some(problem),
    }
    answer
}

/// GET /api/registry: for signed-in sessions (the form that uses it needs one).
pub async fn images(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    match control.auth.session(&headers).map(|s| s.role) {
        Some(role) if role >= Role::Operator => match &control.registry {
            Some(registry) => Json(list(registry).await).into_response(),
            None => Json(RegistryImages::default()).into_response(),
        },
        Some(_) => ControlError::Forbidden.into_response(),
        None => ControlError::Unauthenticated.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_names_are_filtered_and_bounded() {
        let cases = [
            (
                r#"{"repositories":["example/echo","web"]}"#,
                vec!["example/echo", "web"],
            ),
            (
                r#"{"repositories":["ok","../etc","a b","Upper"]}"#,
                vec!["ok"],
            ),
            (r#"{}"#, vec![]),
        ];
        for (body, want) in cases {
            assert_eq!(repositories(body).unwrap(), want, "{body}");
        }
        let many = format!(
            r#"{{"repositories":[{}]}}"#,
            (0..80)
                .map(|i| format!("\"r{i}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(repositories(&many).unwrap().len(), MAX_REPOSITORIES);
        assert!(repositories("not json").is_err());
    }

    #[test]
    fn tags_put_latest_first() {
        let cases = [
            (
                r#"{"name":"x","tags":["v2","latest","v1"]}"#,
                vec!["latest", "v1", "v2"],
            ),
            (r#"{"name":"x","tags":null}"#, vec![]),
            ("garbage", vec![]),
        ];
        for (body, want) in cases {
            assert_eq!(tags(body), want, "{body}");
        }
    }
}
