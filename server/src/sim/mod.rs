//! `flotilla sim`: a synthetic Docker Swarm manager for scale benchmarks. It answers the part
//! of the Engine API the panel reads, over a made-up swarm of any size (see `world`), moving
//! it at a steady rate (see `churn`). It proves scale, never features: nothing runs, and
//! every change request is refused.

pub mod api;
pub mod churn;
mod generate;
pub mod http;
mod rng;
pub mod system;
pub mod world;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(clap::Args, Clone, Debug)]
pub struct SimOptions {
    /// Address to listen on, as a Docker engine would (tcp://ADDR for the panel). It has no
    /// authentication: keep it on loopback.
    #[arg(long, default_value = "127.0.0.1:23999")]
    pub addr: SocketAddr,
    /// Nodes in the swarm (a few of them managers, one the leader).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub nodes: u64,
    /// Tasks in the swarm at the start (history of dead tasks comes on top with churn).
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub tasks: u64,
    /// Services, grouped into stacks; a few of them global.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub services: u64,
    /// Changes a second: tasks starting, failing and moving, workers going down and up,
    /// services scaled; 0 keeps the swarm still.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub churn: u64,
    /// The same seed makes the same swarm (and the same changes, at the same pace).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("simulator stopped: {0}")]
    Serve(std::io::Error),
}

/// How often churn is applied: changes come in small batches rather than one by one.
const CHURN_TICK: Duration = Duration::from_millis(100);

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub async fn run(options: SimOptions) -> Result<(), SimError> {
    let shape = world::Shape {
        nodes: options.nodes as usize,
        tasks: options.tasks as usize,
        services: options.services as usize,
        seed: options.seed,
    };
    let shared = http::Shared::new(world::World::generate(shape, now_secs()));
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| SimError::Bind {
            addr: options.addr,
            source,
        })?;
    let local = listener.local_addr().map_err(SimError::Serve)?;
    println!(
        "flotilla sim: a synthetic swarm (not a real engine) of {} nodes, {} services, {} tasks, \
         seed {}, {} changes/s",
        shape.nodes, shape.services, shape.tasks, shape.seed, options.churn
    );
    println!("Docker API at tcp://{local} (e.g. flotilla serve --docker tcp://{local})");
    if options.churn > 0 {
        tokio::spawn(churn_loop(shared.clone(), options.churn));
    }
    http::serve(listener, shared).await.map_err(SimError::Serve)
}

/// Applies `per_second` changes a second, in batches every `CHURN_TICK`; a rate that does
/// not divide evenly carries its remainder to the next tick.
async fn churn_loop(shared: std::sync::Arc<http::Shared>, per_second: u64) {
    let ticks_per_second = (Duration::from_secs(1).as_millis() / CHURN_TICK.as_millis()) as u64;
    let mut tick = tokio::time::interval(CHURN_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut owed = 0;
    loop {
        tick.tick().await;
        owed += per_second;
        let changes = owed / ticks_per_second;
        owed %= ticks_per_second;
        shared.churn(changes as usize, now_secs());
    }
}
