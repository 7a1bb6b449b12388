//! The images the configured registry holds (its catalog and each repository's tags), offered
//! by the create form. Asked of the registry's HTTP API directly: Docker has no call for it.

use super::{Control, ControlError};
use crate::http_client::get;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use flotilla_app::api::{RegistryImages, Role};
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long one answer is served before the registry is asked again: every page load with
/// the create form asks, and a catalog changes only when someone pushes.
const CACHE_TTL: Duration = Duration::from_secs(30);
/// Tags lists asked at once: enough that one slow repository does not hold up the others,
/// few enough not to open fifty connections to the registry per refresh.
const TAG_REQUESTS_AT_ONCE: usize = 8;

/// Where the panel reaches the registry, what the nodes call it, and its last answer.
#[derive(Debug)]
pub struct Registry {
    /// host:port the panel connects to (the lab's: 127.0.0.1:5000).
    api: String,
    /// The name in image references nodes pull (the lab's: registry:5000).
    prefix: String,
    /// Held across a refresh, so that concurrent page loads wait for one refresh and share
    /// it instead of each asking the registry.
    cache: Mutex<Option<(Instant, RegistryImages)>>,
}

impl Registry {
    pub fn new(api: String, prefix: String) -> Registry {
        Registry {
            api,
            prefix,
            cache: Mutex::new(None),
        }
    }

    /// The images as of `now` (a parameter so tests can step past the TTL): the cached
    /// answer while younger than the TTL, else a fresh one. Failures are cached too, so a
    /// registry that is down is not asked on every load.
    async fn images_at(&self, now: Instant) -> RegistryImages {
        let mut cache = self.cache.lock().await;
        if let Some((at, answer)) = cache.as_ref()
            && now.saturating_duration_since(*at) < CACHE_TTL
        {
            return answer.clone();
        }
        let answer = list(self).await;
        *cache = Some((now, answer.clone()));
        answer
    }
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
    let base = format!("http://{}/v2", registry.api);
    let repos = match get(&format!("{base}/_catalog")).await {
        Ok((200, body)) => repositories(&body),
        Ok((status, _)) => Err(format!("the catalog answered HTTP {status}")),
        Err(e) => Err(format!(
            "the registry at {} did not answer: {e}",
            registry.api
        )),
    };
    let repos = match repos {
        Ok(repos) => repos,
        Err(problem) => {
            answer.problem = Some(problem);
            return answer;
        }
    };
    // Owned URLs: a stream borrowing `repos` would make this future's Send-ness depend on a
    // lifetime axum's handler bound cannot name.
    let urls: Vec<String> = repos
        .iter()
        .map(|repo| format!("{base}/{repo}/tags/list"))
        .collect();
    // `buffered` keeps the catalog's order while asking up to TAG_REQUESTS_AT_ONCE at a time.
    let lists: Vec<_> = futures_util::stream::iter(urls)
        .map(|url| async move { get(&url).await })
        .buffered(TAG_REQUESTS_AT_ONCE)
        .collect()
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
    answer
}

/// GET /api/registry: for signed-in sessions (the form that uses it needs one).
pub async fn images(State(control): State<Arc<Control>>, headers: HeaderMap) -> Response {
    match control.auth.session(&headers).map(|s| s.role) {
        Some(role) if role >= Role::Operator => match &control.registry {
            Some(registry) => Json(registry.images_at(Instant::now()).await).into_response(),
            None => Json(RegistryImages::default()).into_response(),
        },
        Some(_) => ControlError::Forbidden.into_response(),
        None => ControlError::Unauthenticated.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get as route;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Requests a stand-in registry received: (catalog, tags of `x`).
    #[derive(Default)]
    struct Counts {
        catalog: AtomicUsize,
        tags: AtomicUsize,
    }

    impl Counts {
        fn get(&self) -> (usize, usize) {
            (
                self.catalog.load(Ordering::SeqCst),
                self.tags.load(Ordering::SeqCst),
            )
        }
    }

    /// A registry on loopback holding `x:v1` and `x:latest`, counting what it is asked.
    async fn counting_registry() -> (String, Arc<Counts>) {
        let counts = Arc::new(Counts::default());
        let (c, t) = (counts.clone(), counts.clone());
        let app = Router::new()
            .route(
                "/v2/_catalog",
                route(move || async move {
                    c.catalog.fetch_add(1, Ordering::SeqCst);
                    r#"{"repositories":["x"]}"#
                }),
            )
            .route(
                "/v2/x/tags/list",
                route(move || async move {
                    t.tags.fetch_add(1, Ordering::SeqCst);
                    r#"{"name":"x","tags":["v1","latest"]}"#
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (addr, counts)
    }

    #[tokio::test]
    async fn answers_are_cached_for_the_ttl() {
        let (addr, counts) = counting_registry().await;
        let registry = Registry::new(addr, "registry:5000".into());
        let start = Instant::now();
        let want = RegistryImages {
            registry: Some("registry:5000".into()),
            images: vec!["registry:5000/x:latest".into(), "registry:5000/x:v1".into()],
            problem: None,
        };
        // (seconds after the start, requests made so far): the cache is refreshed at 0 and 30.
        let cases = [
            (0, (1, 1)),
            (1, (1, 1)),
            (29, (1, 1)),
            (30, (2, 2)),
            (31, (2, 2)),
        ];
        for (after, requests) in cases {
            let answer = registry.images_at(start + Duration::from_secs(after)).await;
            assert_eq!(answer, want, "at +{after}s");
            assert_eq!(counts.get(), requests, "at +{after}s");
        }
    }

    #[tokio::test]
    async fn concurrent_loads_share_one_refresh() {
        let (addr, counts) = counting_registry().await;
        let registry = Registry::new(addr, "registry:5000".into());
        let now = Instant::now();
        let answers = futures_util::future::join_all((0..5).map(|_| registry.images_at(now))).await;
        assert!(answers.iter().all(|a| a.images.len() == 2), "{answers:?}");
        assert_eq!(counts.get(), (1, 1));
    }

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
