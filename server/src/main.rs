//! `flotilla`: the Swarm panel and its lab, in one binary.

mod cluster;
mod control;
mod docker;
mod http_client;
mod lab;
mod stack;
mod web;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "flotilla",
    version,
    about = "A live Docker Swarm visualizer and control panel"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the panel for a swarm manager.
    Serve(Box<web::ServeOptions>),
    /// The Swarm course lab: a registry, a manager and workers, as Docker-in-Docker containers.
    #[command(subcommand)]
    Lab(LabCommand),
    /// Swarm stacks from compose files, as `docker stack deploy|config|ls|services|ps|rm`.
    #[command(subcommand)]
    Stack(stack::cli::StackCommand),
}

#[derive(Subcommand)]
enum LabCommand {
    /// Create (or reuse) the lab and form the swarm; changes nothing if it is already up.
    Up(lab::UpOptions),
    /// Show the lab's containers and `docker node ls`.
    Status(lab::LabOptions),
    /// Remove every container, network and volume the lab made (images stay cached).
    Down(lab::LabOptions),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The chain, not a backtrace: these errors are meant to be read by users.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(options) => web::serve(*options).await?,
        Command::Lab(LabCommand::Up(options)) => lab::up(&options).await?,
        Command::Lab(LabCommand::Status(options)) => lab::status(&options).await?,
        Command::Lab(LabCommand::Down(options)) => lab::down(&options).await?,
        Command::Stack(command) => stack::cli::run(command).await?,
    }
    Ok(())
}
