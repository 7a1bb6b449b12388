//! `flotilla stack deploy|config|ls|services|ps|rm`: the docker CLI's stack commands, its
//! messages, columns and exit codes, over Flotilla's own reader, converter and plan.
//!
//! The local CLI acts with the caller's own Docker rights (whoever can reach the socket can
//! do anything anyway), so it does not apply the panel's spec policy; it says so.

mod files;
mod format;
mod listing;
mod report;

use super::convert::{ConvertError, convert};
use super::plan::{PlanError, valid_stack_name};
use crate::docker::{DockerError, Engine, Note, PrepareError};
use flotilla_app::stacks::ResolveImage;

const POLICY_NOTE: &str = "note: the panel's spec policy is not applied: `flotilla stack deploy` acts with your own Docker rights";

#[derive(clap::Subcommand)]
pub enum StackCommand {
    /// Deploy a new stack or update an existing stack (`docker stack deploy`).
    Deploy(DeployArgs),
    /// Print the merged, interpolated compose file (`docker stack config`).
    Config(ConfigArgs),
    /// List stacks.
    Ls(EngineArgs),
    /// List the services in the stack.
    Services(OneStack),
    /// List the tasks in the stack.
    Ps(OneStack),
    /// Remove one or more stacks: services, secrets, configs, networks (never volumes).
    Rm(Stacks),
}

#[derive(clap::Args)]
pub struct EngineArgs {
    /// The swarm manager: unix:///path or tcp://host:port (DOCKER_TLS_VERIFY and
    /// DOCKER_CERT_PATH are honoured as the docker CLI does).
    #[arg(
        long,
        env = "DOCKER_HOST",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub docker: String,
}

#[derive(clap::Args)]
pub struct DeployArgs {
    /// A compose file, or "-" for stdin; repeated, later files override earlier ones.
    #[arg(
        short = 'c',
        long = "compose-file",
        value_name = "FILE",
        required = true
    )]
    pub compose_files: Vec<String>,
    /// Remove the stack's services the files no longer have.
    #[arg(long)]
    pub prune: bool,
    /// Ask the engine for each image's digest and pin it: always, changed, never.
    #[arg(long, value_enum, default_value_t = ResolveArg::Always)]
    pub resolve_image: ResolveArg,
    /// Show what the deploy would do (per object, and the spec fields each update changes),
    /// and change nothing. Not in the docker CLI.
    #[arg(long)]
    pub preview: bool,
    pub stack: String,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum ResolveArg {
    Always,
    Changed,
    Never,
}

impl From<ResolveArg> for ResolveImage {
    fn from(arg: ResolveArg) -> ResolveImage {
        match arg {
            ResolveArg::Always => ResolveImage::Always,
            ResolveArg::Changed => ResolveImage::Changed,
            ResolveArg::Never => ResolveImage::Never,
        }
    }
}

#[derive(clap::Args)]
pub struct ConfigArgs {
    #[arg(
        short = 'c',
        long = "compose-file",
        value_name = "FILE",
        required = true
    )]
    pub compose_files: Vec<String>,
}

#[derive(clap::Args)]
pub struct OneStack {
    pub stack: String,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(clap::Args)]
pub struct Stacks {
    #[arg(required = true)]
    pub stacks: Vec<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}: the file is over 1 MiB")]
    TooLarge(String),
    #[error(transparent)]
    Compose(#[from] compose::Error),
    #[error(transparent)]
    Convert(#[from] ConvertError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error("{0}")]
    Failed(String),
}

impl StackError {
    fn read(path: &str, source: std::io::Error) -> StackError {
        StackError::Read {
            path: path.to_string(),
            source,
        }
    }
}

pub async fn run(command: StackCommand) -> Result<(), StackError> {
    match command {
        StackCommand::Deploy(args) => deploy(&args).await,
        StackCommand::Config(args) => config(&args),
        StackCommand::Ls(args) => {
            let engine = Engine::connect(&args.docker).await?;
            print!("{}", listing::stacks_table(engine.list_stacks().await?));
            Ok(())
        }
        StackCommand::Services(args) => {
            valid_stack_name(&args.stack).map_err(StackError::Usage)?;
            let engine = Engine::connect(&args.engine.docker).await?;
            let services = engine.list_stack_services(&args.stack).await?;
            if services.is_empty() {
                eprintln!("Nothing found in stack: {}", args.stack);
                return Ok(());
            }
            print!("{}", listing::services_table(services));
            Ok(())
        }
        StackCommand::Ps(args) => {
            valid_stack_name(&args.stack).map_err(StackError::Usage)?;
            let engine = Engine::connect(&args.engine.docker).await?;
            let found = engine.list_stack_tasks(&args.stack).await?;
            if found.tasks.is_empty() {
                let message = format!("nothing found in stack: {}", args.stack);
                return Err(StackError::Failed(message));
            }
            print!(
                "{}",
                listing::tasks_table(found, jiff::Timestamp::now().as_second())
            );
            Ok(())
        }
        StackCommand::Rm(args) => remove(&args).await,
    }
}

fn say(note: Note) {
    match note {
        Note::Step(line) => println!("{line}"),
        Note::Warning(line) => eprintln!("{line}"),
    }
}

fn load(paths: &[String]) -> Result<(compose::Loaded, std::path::PathBuf), StackError> {
    let (sources, base) = files::compose_sources(paths)?;
    load_sources(&sources, base, &files::environment())
}

fn load_sources(
    sources: &[compose::Source],
    base: std::path::PathBuf,
    vars: &compose::Vars,
) -> Result<(compose::Loaded, std::path::PathBuf), StackError> {
    let mut loaded = compose::load(sources, vars)?;
    // Relative bind mounts resolve against the first file's directory, as the CLI does.
    loaded.config.working_dir = std::path::absolute(&base)
        .ok()
        .map(|dir| dir.display().to_string());
    for warning in &loaded.warnings {
        eprintln!("{}", warning.0);
    }
    Ok((loaded, base))
}

fn config(args: &ConfigArgs) -> Result<(), StackError> {
    let (loaded, _) = load(&args.compose_files)?;
    let text = serde_yaml_ng::to_string(&loaded.config)
        .map_err(|e| StackError::Failed(format!("writing the merged file: {e}")))?;
    print!("{text}");
    Ok(())
}

/// Reading, conversion and the checks against the live swarm all finish before the first
/// change: a bad file, a missing external network or a changed config changes nothing.
async fn deploy(args: &DeployArgs) -> Result<(), StackError> {
    valid_stack_name(&args.stack).map_err(StackError::Usage)?;
    let (loaded, base) = load(&args.compose_files)?;
    let engine = Engine::connect(&args.engine.docker).await?;
    let options = DeployOptions {
        resolve: ResolveImage::from(args.resolve_image),
        prune: args.prune,
        preview: args.preview,
    };
    deploy_loaded(&engine, &args.stack, loaded, &base, options).await
}

/// How a deploy goes, past the files: the CLI's switches.
#[derive(Clone, Copy)]
pub struct DeployOptions {
    pub resolve: ResolveImage,
    pub prune: bool,
    pub preview: bool,
}

/// `flotilla stack deploy` of files held in memory, with the variables given rather than the
/// process environment: how `flotilla lab up --panel` deploys the panel's own stack. Files
/// the compose files name are read relative to `base`.
pub async fn deploy_sources(
    engine: &Engine,
    stack: &str,
    sources: &[compose::Source],
    base: std::path::PathBuf,
    vars: &compose::Vars,
    options: DeployOptions,
) -> Result<(), StackError> {
    valid_stack_name(stack).map_err(StackError::Usage)?;
    let (loaded, base) = load_sources(sources, base, vars)?;
    deploy_loaded(engine, stack, loaded, &base, options).await
}

async fn deploy_loaded(
    engine: &Engine,
    stack: &str,
    loaded: compose::Loaded,
    base: &std::path::Path,
    options: DeployOptions,
) -> Result<(), StackError> {
    let files = files::named_files(loaded.config.files_named(), base)?;
    let desired = convert(stack, &loaded.config, &files)?;
    for warning in &desired.warnings {
        eprintln!("{warning}");
    }
    eprintln!("{POLICY_NOTE}");
    let mode = options.resolve;
    let ready = engine
        .prepare_deploy(desired, mode, options.prune)
        .await
        .map_err(|e| match e {
            PrepareError::Docker(e) => StackError::Docker(e),
            PrepareError::Plan(e) => StackError::Plan(e),
        })?;
    for warning in &ready.image_warnings {
        eprint!("{warning}");
    }
    if options.preview {
        print!("{}", report::preview(&ready.plan));
        return Ok(());
    }
    let (desired, live, plan) = (&ready.desired, &ready.live, &ready.plan);
    let report = engine.apply_stack(desired, live, plan, &mut say).await;
    match report.failed {
        None => Ok(()),
        Some(_) => Err(StackError::Failed(report::failure(&report))),
    }
}

/// `docker stack rm`: each stack in turn; a stack with a failed removal is named at the end.
async fn remove(args: &Stacks) -> Result<(), StackError> {
    for stack in &args.stacks {
        valid_stack_name(stack).map_err(StackError::Usage)?;
    }
    let engine = Engine::connect(&args.engine.docker).await?;
    let mut failed = Vec::new();
    for stack in &args.stacks {
        if engine.remove_stack(stack, &mut say).await?.failed {
            failed.push(format!(
                "failed to remove some resources from stack: {stack}"
            ));
        }
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(StackError::Failed(failed.join("\n"))),
    }
}
