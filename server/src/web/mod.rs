//! `flotilla serve`: the HTTP side. A viewer's page is written by the app's HTML functions,
//! a control session's rendered by the Leptos app; the data they need comes from the
//! cluster-state owner, never through a route to Docker itself.

mod health;
mod listener;
mod options;
mod page;
mod scrape;
pub mod security;
mod setup;
mod upgrade;
mod viewer_page;
mod ws;

pub use options::SecurityOptions;

use crate::cluster::{self, Timing};
use crate::control::{self, Control, auth::CredentialError, auth::token_from_env};
use crate::docker::Engine;
use crate::metrics::Metrics;
use axum::Router;
use axum::routing::get;
use flotilla_app::protocol::WS_PATH;
use flotilla_app::shell;
use leptos::prelude::*;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(clap::Args, Clone, Debug)]
pub struct ServeOptions {
    /// The swarm manager to watch: unix:///path or tcp://host:port (the lab's: tcp://127.0.0.1:23750).
    #[arg(
        long,
        env = "DOCKER_HOST",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub docker: String,
    /// Address to listen on. Port 0 picks a free port (printed at start).
    #[arg(long, env = "FLOTILLA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory holding the built front end (`scripts/build-front.sh --release` writes
    /// target/site: pkg/manifest.txt names its hashed bundles and stylesheet).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// How often tasks are re-listed while anyone watches (Docker emits no task events).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub task_relist_ms: u64,
    /// How often everything is re-listed while anyone watches.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub reconcile_secs: u64,
    /// How long a viewer's feed may stay quiet before a beat is sent (browsers take three
    /// missed beats as a dead link and reconnect).
    #[arg(long, default_value_t = flotilla_app::protocol::BEAT_INTERVAL_MS / 1000, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub beat_secs: u64,
    /// Where the last upload of each stack deployed from the panel is kept (created mode
    /// 700; it holds the files and variables of the deploy).
    #[arg(long, env = "FLOTILLA_STACK_DIR", default_value = "flotilla-stacks")]
    pub stack_dir: std::path::PathBuf,
    /// Where every mutation attempt is recorded (JSON lines, appended).
    #[arg(
        long,
        env = "FLOTILLA_AUDIT_LOG",
        default_value = "flotilla-audit.jsonl"
    )]
    pub audit_log: std::path::PathBuf,
    /// A registry whose images the create form offers, as host:port the panel can reach
    /// (the lab's: 127.0.0.1:5000). Plain HTTP, as the lab's registry.
    #[arg(long, env = "FLOTILLA_REGISTRY")]
    pub registry: Option<String>,
    /// How nodes name that registry in image references (the lab's: registry:5000);
    /// default: the --registry address.
    #[arg(long, env = "FLOTILLA_REGISTRY_PREFIX", requires = "registry")]
    pub registry_prefix: Option<String>,
    /// Viewers (websockets) served at once; more are refused with a reason.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_viewers: u64,
    /// Viewers served at once to one client address (an IPv6 /64 counts as one).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_viewers_per_ip: u64,
    /// Time a client has to send a request's headers; also how long an idle keep-alive
    /// connection is kept.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Open HTTP connections at most (websockets are counted by --max-viewers instead); more
    /// are closed at once.
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// /api requests in flight at most; more are answered 503 at once.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_api_concurrency: u64,
    /// Time limit on one /api request; past it the answer is 504.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub api_timeout_secs: u64,
    /// /readyz answers 503 when, while anyone watches, the state was last read from Docker
    /// longer ago than this (with nobody watching the panel stops re-listing by design).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub ready_max_age_secs: u64,
    /// How log lines are written (to stderr): `text` for people, `json` (one object a line)
    /// for log collectors. RUST_LOG overrides the level (default: info for flotilla).
    #[arg(long, env = "FLOTILLA_LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: crate::logging::LogFormat,
    /// Also write every audit line to stdout (JSON lines), so `docker service logs` of a
    /// replicated panel is the merged audit of its replicas (the variable takes true/false,
    /// 1/0, yes/no, on/off).
    #[arg(long, env = "FLOTILLA_AUDIT_STDOUT", action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new())]
    pub audit_stdout: bool,
    /// Test hooks: SIGUSR1 makes the cluster-state owner panic (to test its supervisor).
    #[arg(long, hide = true)]
    pub test_hooks: bool,
    #[command(flatten)]
    pub security: SecurityOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("credentials: {0}")]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Options(#[from] options::OptionError),
    #[error(transparent)]
    PublicUrl(#[from] security::PublicUrlError),
    #[error(transparent)]
    Kiosks(#[from] control::kiosk::KioskError),
    #[error("audit log {path}: {source}")]
    Audit {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// How long a stopping panel still waits, once its connections are done (see
/// `listener::GRACE`), for changes whose clients went away: they run detached from the
/// request, and finish and are audited all the same.
const MUTATION_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// A page render is not a viewer: if nobody has been watching, the state may be old, so ask
/// the owner for a fresh one (bounded wait) before rendering.
async fn fresh_page(
    axum::extract::State((hub, max_age)): axum::extract::State<(
        Arc<cluster::Hub>,
        std::time::Duration,
    )>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    hub.fresh_snapshot(max_age, std::time::Duration::from_secs(3))
        .await;
    next.run(request).await
}

/// Pages and API answers are compressed as they go (gzip, a fast level: a 20,000-task page
/// is megabytes of HTML); the front end's files are compressed once when built (see
/// scripts/build-front.sh) and the feed's frames are small and many, so neither is here.
fn compression() -> tower_http::compression::CompressionLayer {
    tower_http::compression::CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest)
}

/// How a page sets its Content-Security-Policy: the app calls this with the nonce its inline
/// scripts carry while it renders, and it becomes the response's header.
fn page_csp_hook() -> flotilla_app::PageNonce {
    Arc::new(|nonce: &str| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(value) = security::page_csp(nonce).parse()
        {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    })
}

/// Repeated refusals are counted, not each written: their counts are written when their
/// window ends.
async fn flush_denials(control: Arc<Control>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
    loop {
        tick.tick().await;
        if let Err(e) = control.audit.flush_denials().await {
            tracing::error!(error = %e, "audit log: writing denial counts failed");
        }
    }
}

pub async fn serve(options: ServeOptions) -> Result<(), ServeError> {
    // Leptos spawns its render tasks on a global executor: ours is tokio. (Building the route
    // list with leptos_axum did this as a side effect; the panel has one page and no router.)
    let _ = any_spawner::Executor::init_tokio();
    let leptos_options = LeptosOptions::builder()
        .output_name("flotilla")
        .site_root(options.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(options.addr)
        .build();
    let timing = Timing {
        task_relist: std::time::Duration::from_millis(options.task_relist_ms),
        reconcile: std::time::Duration::from_secs(options.reconcile_secs),
        ..Timing::default()
    };
    let crash = options.test_hooks.then(cluster::crash_on_sigusr1).flatten();
    let hub = cluster::spawn(options.docker.clone(), timing, crash);
    // Bound first: the names the panel answers as include the port it got.
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: options.addr,
            source,
        })?;
    let local = listener.local_addr().map_err(ServeError::Serve)?;
    let allowed = Arc::new(security::Allowed::new(
        local,
        &options.security.public_urls,
    )?);
    // One registry for the process; the hub made the Docker counters its engines use.
    let metrics = Arc::new(Metrics::new(hub.docker_metrics()));
    let scrape = scrape::Scrape {
        metrics: metrics.clone(),
        hub: hub.clone(),
        token: token_from_env(scrape::TOKEN_VAR)?.map(Arc::from),
    };
    let ready = health::Ready {
        hub: hub.clone(),
        max_age: std::time::Duration::from_secs(options.ready_max_age_secs),
    };
    let control = Arc::new(setup::control(
        &options,
        hub.clone(),
        allowed.https,
        metrics.clone(),
    )?);
    let control_enabled = control.auth.control_enabled();
    // Cancelled by SIGTERM or SIGINT: viewers are told the panel restarts, no connection
    // is taken, and the mutations in flight finish (see the end of this function).
    let stopping = tokio_util::sync::CancellationToken::new();
    tokio::spawn({
        let stopping = stopping.clone();
        async move {
            listener::shutdown_signal().await;
            tracing::info!("stopping: telling viewers, finishing what is in flight");
            stopping.cancel();
        }
    });
    let assets = page::assets(&options.site_root);
    let page_context = {
        let request = page::request_context(control.clone(), hub.clone(), assets.clone());
        move || {
            request();
            provide_context(page_csp_hook());
        }
    };
    let shell_with = {
        let leptos_options = leptos_options.clone();
        move || shell(leptos_options.clone())
    };
    let control_page = leptos_axum::render_app_async_with_context(page_context.clone(), shell_with);
    let pages = viewer_page::Pages {
        control: control.clone(),
        hub: hub.clone(),
        assets: assets.clone(),
        control_page: Arc::new(move |request| control_page(request)),
    };
    let page = Router::new()
        .route("/", get(viewer_page::page).with_state(pages))
        .route_layer(axum::middleware::from_fn_with_state(
            (hub.clone(), timing.task_relist),
            fresh_page,
        ))
        .layer(compression());
    let app = Router::new()
        .merge(page)
        // The front end's files, and any other address: "No such page.", status 404.
        .fallback(leptos_axum::file_and_error_handler_with_context(
            page_context,
            shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            assets,
            page::cache_lifetime,
        ))
        .with_state(leptos_options)
        .merge(
            Router::new()
                .route(WS_PATH, get(ws::upgrade))
                .with_state(ws::Feed::new(
                    hub,
                    std::time::Duration::from_secs(options.beat_secs),
                    options.max_viewers as usize,
                    options.max_viewers_per_ip as usize,
                    control.clone(),
                    metrics.feed.clone(),
                    stopping.clone(),
                )),
        )
        // Probes and metrics: no session, no Docker request (see `health`, `scrape`).
        .merge(
            Router::new()
                .route("/healthz", get(health::healthz))
                .route("/readyz", get(health::readyz))
                .with_state(ready),
        )
        .merge(
            Router::new()
                .route("/metrics", get(scrape::metrics))
                .with_state(scrape),
        )
        // A mutation's handler runs detached from the request (see `control::guard`): the
        // time limit answers 504 but does not cut a change midway.
        .merge(
            control::routes(control.clone())
                .layer(listener::api_limit_layer(
                    options.max_api_concurrency as usize,
                    std::time::Duration::from_secs(options.api_timeout_secs),
                ))
                .layer(compression()),
        )
        .layer(axum::middleware::from_fn_with_state(
            allowed,
            security::check,
        ));
    tokio::spawn(flush_denials(control.clone()));

    match Engine::connect(&options.docker).await {
        Ok(engine) => match engine.swarm_state().await {
            Ok(crate::docker::SwarmState::Active { manager: true, .. }) => {
                println!("watching the swarm managed by {}", options.docker)
            }
            Ok(state) => eprintln!(
                "warning: {} is not a swarm manager ({state:?}); the panel will say so",
                options.docker
            ),
            Err(e) => eprintln!("warning: {e}"),
        },
        Err(e) => {
            eprintln!("warning: {e}\nthe panel starts anyway and shows the engine as unreachable")
        }
    }
    if !control_enabled {
        println!(
            "read-only: set FLOTILLA_ADMIN_TOKEN (or FLOTILLA_ADMIN_TOKEN_FILE) to enable control"
        );
    }
    println!("Flotilla panel: http://{local}/");
    let limits = listener::ConnectionLimits {
        header_timeout: std::time::Duration::from_secs(options.header_timeout_secs),
        max_connections: options.max_connections as usize,
    };
    listener::serve(listener, app, limits, stopping).await;
    if !control.finish_mutations(MUTATION_GRACE).await {
        tracing::warn!("changes still running after {MUTATION_GRACE:?}; stopping anyway");
    }
    println!("stopped");
    Ok(())
}
