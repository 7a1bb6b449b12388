//! Kiosk links: named, revocable, read-only links for wall screens. The secret in a link is
//! shown once, when it is made; the panel keeps only its SHA-256, so links (and the screens'
//! sessions, which name their link) survive restarts. Revoking removes the link, and with it
//! every session that names it.
//!
//! Two stores behind one interface (`--kiosk-store`): `file`, a JSON file of this process's
//! own (see `file`), and `swarm`, one swarm config per link, which every panel replica of the
//! swarm reads (see `swarm`). Either way requests read a list in memory: a lookup never waits
//! on a file or on Docker.

mod file;
mod swarm;

use crate::cluster::Hub;
use crate::docker::DockerError;
use flotilla_app::api::KioskLink;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use subtle::ConstantTimeEq;

/// Links kept at most: each is a screen someone named.
pub const MAX_LINKS: usize = 100;

/// Where kiosk links are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum KioskStore {
    /// A JSON file (`--kiosk-file`), this process's own.
    #[default]
    File,
    /// Swarm configs, shared by every panel replica of the swarm.
    Swarm,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    link: KioskLink,
    /// Hex SHA-256 of the link's secret.
    secret_sha256: String,
}

/// The links requests read, at once and without waiting on a store.
#[derive(Default)]
struct Held(RwLock<Vec<Stored>>);

impl Held {
    fn read(&self) -> RwLockReadGuard<'_, Vec<Stored>> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Vec<Stored>> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn list(&self) -> Vec<KioskLink> {
        self.read().iter().map(|s| s.link.clone()).collect()
    }

    /// The link whose secret this is. Every stored hash is compared in full.
    fn by_secret(&self, secret: &str) -> Option<KioskLink> {
        let wanted = sha256_hex(secret);
        let mut found = None;
        for stored in self.read().iter() {
            if bool::from(stored.secret_sha256.as_bytes().ct_eq(wanted.as_bytes())) {
                found = Some(stored.link.clone());
            }
        }
        found
    }

    fn exists(&self, id: &str) -> bool {
        self.read().iter().any(|s| s.link.id == id)
    }
}

/// The kiosk links, in the store `serve` was told to use.
pub enum Kiosks {
    File(file::FileLinks),
    /// Shared with the task that keeps it in step with the swarm.
    Swarm(Arc<swarm::SwarmLinks>),
}

#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    #[error("kiosk links {path}: {source}")]
    File { path: String, source: io::Error },
    #[error("kiosk links {path}: unreadable: {source}")]
    Unreadable {
        path: String,
        source: serde_json::Error,
    },
    #[error("at most {MAX_LINKS} kiosk links; revoke one first")]
    Full,
    #[error("kiosk links in the swarm: {0}")]
    Docker(#[from] DockerError),
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `text` is `len` lowercase hex digits, as `auth::random_hex` and `sha256_hex` write.
fn lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A link's secret as it appears in its path: 32 random bytes, hex.
pub fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A kiosk's name, what the admin will recognise the screen by: 1 to 64 characters, none a
/// control character.
pub fn good_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 64 && name.chars().all(|c| !c.is_control())
}

impl Kiosks {
    /// The file store: the links in `path`; none when it does not exist yet.
    pub fn open(path: PathBuf) -> Result<Kiosks, KioskError> {
        file::FileLinks::open(path).map(Kiosks::File)
    }

    /// The swarm store, on the manager at `docker_host`, read at once and again whenever
    /// `hub`'s owner sees a config event (and every minute): spawns the task that does so,
    /// so it must be called within the runtime.
    pub fn swarm(docker_host: String, hub: &Hub) -> Kiosks {
        Kiosks::Swarm(swarm::SwarmLinks::start(docker_host, hub))
    }

    fn held(&self) -> &Held {
        match self {
            Kiosks::File(store) => &store.links,
            Kiosks::Swarm(store) => &store.links,
        }
    }

    pub fn list(&self) -> Vec<KioskLink> {
        self.held().list()
    }

    /// A new link named `name`, and its secret (for the path, shown once).
    pub async fn create(&self, name: &str, now_ms: u64) -> Result<(KioskLink, String), KioskError> {
        let secret = super::auth::random_hex(32);
        let stored = Stored {
            link: KioskLink {
                id: super::auth::random_hex(8),
                name: name.to_string(),
                created_ms: now_ms,
                last_used_ms: None,
            },
            secret_sha256: sha256_hex(&secret),
        };
        let link = stored.link.clone();
        match self {
            Kiosks::File(store) => store.add(stored).await?,
            Kiosks::Swarm(store) => store.add(stored).await?,
        }
        Ok((link, secret))
    }

    /// Removes the link; false when there was none with that id.
    pub async fn revoke(&self, id: &str) -> Result<bool, KioskError> {
        match self {
            Kiosks::File(store) => store.revoke(id).await,
            Kiosks::Swarm(store) => store.revoke(id).await,
        }
    }

    /// The link whose secret this is (from memory only).
    pub fn by_secret(&self, secret: &str) -> Option<KioskLink> {
        self.held().by_secret(secret)
    }

    /// Whether the link exists (from memory only: checked by every kiosk feed each beat).
    pub fn exists(&self, id: &str) -> bool {
        self.held().exists(id)
    }

    /// Notes a use of the link (see each store for where it is kept).
    pub async fn touch(&self, id: &str, now_ms: u64) {
        match self {
            Kiosks::File(store) => store.touch(id, now_ms).await,
            Kiosks::Swarm(store) => store.touch(id, now_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_checked_for_shape() {
        let cases = [
            (&"a".repeat(64), true),
            (&"A0".repeat(32), true),
            (&"a".repeat(63), false),
            (&"g".repeat(64), false),
            (&"../".repeat(22), false),
        ];
        for (secret, want) in cases {
            assert_eq!(well_formed(secret), want, "{secret}");
        }
    }

    #[test]
    fn names_are_checked() {
        let cases = [
            ("ops wall".to_string(), true),
            ("é".repeat(64), true),
            ("x".repeat(65), false),
            (String::new(), false),
            ("line\nbreak".to_string(), false),
        ];
        for (name, want) in cases {
            assert_eq!(good_name(&name), want, "{name:?}");
        }
    }
}
