//! `serve` switches for what the panel lets through: the names it answers as, the session
//! key, the spec policy, and the audit file's bounds.

use flotilla_app::policy::{Policy, normalize_path};
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct SecurityOptions {
    /// A URL the panel is reached at (repeatable, or comma-separated in FLOTILLA_PUBLIC_URL),
    /// e.g. https://panel.example behind a reverse proxy. Requests naming any other host are
    /// refused (421), and so are browsers' requests from any other origin. Always allowed:
    /// the listen address and localhost, 127.0.0.1 and [::1] with its port. An https URL
    /// makes the session cookie Secure (and __Host- prefixed).
    #[arg(
        long = "public-url",
        env = "FLOTILLA_PUBLIC_URL",
        value_delimiter = ','
    )]
    pub public_urls: Vec<String>,
    /// The key sessions are signed with (at least 32 bytes; a swarm secret for replicas).
    /// Without it the panel keeps one in flotilla-session.key, made on first start, so
    /// sessions survive restarts.
    #[arg(long, env = "FLOTILLA_SESSION_KEY_FILE")]
    pub session_key_file: Option<PathBuf>,
    /// Spec policy: allow bind mounts of any source (the Docker socket, /, /etc, /proc,
    /// /sys, /dev and /var/lib/docker are refused whatever this says).
    #[arg(long)]
    pub allow_bind_mounts: bool,
    /// Spec policy: allow bind mounts of sources under this directory (repeatable).
    #[arg(long = "allow-bind-prefix", value_name = "DIR")]
    pub allow_bind_prefixes: Vec<String>,
    /// Spec policy: allow published ports below 1024.
    #[arg(long)]
    pub allow_low_ports: bool,
    /// Spec policy: allow ports published in host mode (the lab needs them: its kernel has
    /// no IPVS for the ingress mesh).
    #[arg(long)]
    pub allow_host_ports: bool,
    /// Spec policy: only images under these prefixes, as normalized
    /// (`registry:5000/,docker.io/library/`); default: any image.
    #[arg(long, env = "FLOTILLA_ALLOW_IMAGES", value_delimiter = ',')]
    pub allow_images: Vec<String>,
    /// Who may see the cluster: `public` (anyone who can reach the panel) or `token` (only
    /// sessions: FLOTILLA_VIEWER_TOKEN(_FILE), a kiosk link, or a higher role).
    #[arg(long, env = "FLOTILLA_VIEW", value_enum, default_value_t)]
    pub view: crate::control::ViewMode,
    /// Where kiosk links are kept: `file` (--kiosk-file, this process's own) or `swarm` (a
    /// swarm config per link, shared by every panel replica of the swarm; last uses are then
    /// kept by each replica in memory).
    #[arg(long, env = "FLOTILLA_KIOSK_STORE", value_enum, default_value_t)]
    pub kiosk_store: crate::control::kiosk::KioskStore,
    /// Where kiosk links are kept with `--kiosk-store file` (hashes of their secrets, names,
    /// last use).
    #[arg(
        long,
        env = "FLOTILLA_KIOSK_FILE",
        default_value = "flotilla-kiosks.json"
    )]
    pub kiosk_file: PathBuf,
    /// The audit file is rotated past this size (bytes)...
    #[arg(long, default_value_t = 10 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(4096..))]
    pub audit_max_bytes: u64,
    /// ... keeping this many rotated files.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub audit_keep: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum OptionError {
    #[error("--allow-bind-prefix {0:?}: must be an absolute directory")]
    BindPrefix(String),
    #[error(
        "--allow-images: an empty prefix would allow every image; leave the switch out instead"
    )]
    EmptyImagePrefix,
}

impl SecurityOptions {
    pub fn policy(&self) -> Result<Policy, OptionError> {
        let bind_prefixes = self
            .allow_bind_prefixes
            .iter()
            .map(|p| normalize_path(p).ok_or_else(|| OptionError::BindPrefix(p.clone())))
            .collect::<Result<_, _>>()?;
        if self.allow_images.iter().any(|p| p.trim().is_empty()) {
            return Err(OptionError::EmptyImagePrefix);
        }
        Ok(Policy {
            bind_mounts: self.allow_bind_mounts,
            bind_prefixes,
            low_ports: self.allow_low_ports,
            host_ports: self.allow_host_ports,
            image_prefixes: self
                .allow_images
                .iter()
                .map(|p| p.trim().to_string())
                .collect(),
        })
    }
}
