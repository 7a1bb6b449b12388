//! The control side of `serve`, put together from its options: credentials and the session
//! key, the audit log, the spec policy, kiosk links and the registry.

use super::{ServeError, ServeOptions};
use crate::cluster::Hub;
use crate::control::{
    self, Control,
    audit::{AuditLimits, AuditLog},
    auth::{Auth, session_key, token_from_env},
    kiosk::{KioskStore, Kiosks},
};
use crate::metrics::Metrics;
use std::sync::Arc;

/// `https`: the panel is reached over https (a `--public-url` says so): cookies are Secure.
/// `metrics`: where control counts mutations and failed logins.
pub fn control(
    options: &ServeOptions,
    hub: Arc<Hub>,
    https: bool,
    metrics: Arc<Metrics>,
) -> Result<Control, ServeError> {
    let key_file = options
        .security
        .session_key_file
        .as_deref()
        .unwrap_or(std::path::Path::new("flotilla-session.key"));
    let key = session_key(key_file, options.security.session_key_file.is_some())?;
    let auth = Auth::new(
        token_from_env("FLOTILLA_ADMIN_TOKEN")?,
        token_from_env("FLOTILLA_OPERATOR_TOKEN")?,
        token_from_env("FLOTILLA_VIEWER_TOKEN")?,
        key,
        https,
    )?
    // In the working directory, not next to the key: a key given as a swarm secret sits in
    // /run/secrets, which the panel cannot write to.
    .remember_logouts(std::path::PathBuf::from("flotilla-session.logouts"))?;
    let limits = AuditLimits {
        max_bytes: options.security.audit_max_bytes,
        keep: options.security.audit_keep as usize,
        ..AuditLimits::default()
    };
    let audit = AuditLog::open_echoing(options.audit_log.clone(), limits, options.audit_stdout)
        .map_err(|source| ServeError::Audit {
            path: options.audit_log.clone(),
            source,
        })?;
    let policy = options.security.policy()?;
    let kiosks = match options.security.kiosk_store {
        KioskStore::File => Kiosks::open(options.security.kiosk_file.clone())?,
        KioskStore::Swarm => Kiosks::swarm(options.docker.clone(), &hub),
    };
    let mut control = Control::new(auth, audit, hub, options.docker.clone(), policy, kiosks);
    control.view = options.security.view;
    control.metrics = metrics;
    control.stacks = control::stack_store::StackStore::new(options.stack_dir.clone());
    control.registry = options.registry.clone().map(|api| {
        let prefix = options
            .registry_prefix
            .clone()
            .unwrap_or_else(|| api.clone());
        control::registry::Registry::new(api, prefix)
    });
    Ok(control)
}
