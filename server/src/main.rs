//! `flotilla`: the Swarm panel and its lab, in one binary.

use clap::{Parser, Subcommand};
use flotilla::{health_check, lab, logging, sim, stack, web};

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
    /// Ask a running panel's /healthz (for a container's HEALTHCHECK): exit 0 on 200, else 1.
    Health(health_check::HealthOptions),
    /// A synthetic Docker Swarm API for scale benchmarks, not a real engine.
    ///
    /// Answers what the panel reads (ping, info, nodes, services, tasks, networks, events)
    /// over a made-up swarm of the size asked, changing at a steady rate. It proves scale,
    /// never features: nothing runs on it, and every change request is refused.
    Sim(sim::SimOptions),
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

fn main() -> std::process::ExitCode {
    // Before the runtime starts its threads (see memory.rs).
    flotilla::memory::tune_allocator();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The chain, not a backtrace: these errors are meant to be read by users.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve(options) => logging::init(options.log_format, logging::SERVE_FILTER),
        _ => logging::init(logging::LogFormat::Text, logging::DEFAULT_FILTER),
    }
    match cli.command {
        Command::Serve(options) => web::serve(*options).await?,
        Command::Lab(LabCommand::Up(options)) => lab::up(&options).await?,
        Command::Lab(LabCommand::Status(options)) => lab::status(&options).await?,
        Command::Lab(LabCommand::Down(options)) => lab::down(&options).await?,
        Command::Stack(command) => stack::cli::run(command).await?,
        Command::Health(options) => health_check::run(&options).await?,
        Command::Sim(options) => sim::run(options).await?,
    }
    Ok(())
}
