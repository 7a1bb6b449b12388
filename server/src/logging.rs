//! Log lines, through `tracing`: to stderr, so stdout stays for what a command prints (and,
//! with `serve --audit-stdout`, the audit lines alone), as text for people or as one JSON
//! object a line for log collectors.

use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `serve`'s default: its own info lines (each mutation, each viewer's join and leave) and
/// other crates' warnings. The binary's crate (and so its targets) is named `flotilla`.
pub const SERVE_FILTER: &str = "warn,flotilla=info";
/// Every other command's: warnings only, its output is what it prints.
pub const DEFAULT_FILTER: &str = "warn";

/// Installs the subscriber; RUST_LOG, when set and valid, replaces `default_filter`.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
