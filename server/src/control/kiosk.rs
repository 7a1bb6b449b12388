//! Kiosk links: named, revocable, read-only links for wall screens. The secret in a link is
//! shown once, when it is made; the panel keeps only its SHA-256, in a JSON file, so links
//! (and the screens' sessions, which name their link) survive restarts. Revoking removes the
//! link, and with it every session that names it.

use flotilla_app::api::KioskLink;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io;
use std::path::PathBuf;
use std::sync::{PoisonError, RwLock};
use subtle::ConstantTimeEq;

/// Links kept at most: each is a screen someone named.
pub const MAX_LINKS: usize = 100;
/// A last use is written to the file at most this often per link (milliseconds).
const TOUCH_EVERY_MS: u64 = 60_000;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    link: KioskLink,
    /// Hex SHA-256 of the link's secret.
    secret_sha256: String,
}

pub struct Kiosks {
    path: PathBuf,
    /// What requests read, at once and without waiting on the file.
    links: RwLock<Vec<Stored>>,
    /// One change at a time: read, change, write the file, then publish.
    writing: tokio::sync::Mutex<()>,
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
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A link's secret as it appears in its path: 32 random bytes, hex.
pub fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Kiosks {
    /// The links in `path`; none when it does not exist yet.
    pub fn open(path: PathBuf) -> Result<Kiosks, KioskError> {
        let links = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| KioskError::Unreadable {
                    path: path.display().to_string(),
                    source,
                })?
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => vec![],
            Err(source) => {
                return Err(KioskError::File {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        Ok(Kiosks {
            path,
            links: RwLock::new(links),
            writing: tokio::sync::Mutex::new(()),
        })
    }

    /// Applies `change` to a copy of the links, writes it (aside, then renamed into place,
    /// so a crash leaves the old file or the new; through tokio's blocking pool, never on the
    /// runtime's threads), then makes it what requests read.
    async fn update<R>(
        &self,
        change: impl FnOnce(&mut Vec<Stored>) -> Result<R, KioskError>,
    ) -> Result<R, KioskError> {
        let _one_at_a_time = self.writing.lock().await;
        let mut next = self
            .links
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let answer = change(&mut next)?;
        let fail = |source| KioskError::File {
            path: self.path.display().to_string(),
            source,
        };
        let text = serde_json::to_vec_pretty(&next)
            .map_err(io::Error::other)
            .map_err(fail)?;
        let aside = self.path.with_extension("new");
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true).mode(0o600);
        let mut file = options.open(&aside).await.map_err(fail)?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &text)
            .await
            .map_err(fail)?;
        // tokio's files write in the background: the bytes are in only once flushed.
        tokio::io::AsyncWriteExt::flush(&mut file)
            .await
            .map_err(fail)?;
        drop(file);
        tokio::fs::rename(&aside, &self.path).await.map_err(fail)?;
        *self.links.write().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(answer)
    }

    pub fn list(&self) -> Vec<KioskLink> {
        let links = self.links.read().unwrap_or_else(PoisonError::into_inner);
        links.iter().map(|s| s.link.clone()).collect()
    }

    /// A new link named `name`, and its secret (for the path, shown once).
    pub async fn create(&self, name: &str, now_ms: u64) -> Result<(KioskLink, String), KioskError> {
        let secret = super::auth::random_hex(32);
        let link = KioskLink {
            id: super::auth::random_hex(8),
            name: name.to_string(),
            created_ms: now_ms,
            last_used_ms: None,
        };
        let stored = Stored {
            link: link.clone(),
            secret_sha256: sha256_hex(&secret),
        };
        self.update(|links| {
            if links.len() >= MAX_LINKS {
                return Err(KioskError::Full);
            }
            links.push(stored);
            Ok(())
        })
        .await?;
        Ok((link, secret))
    }

    /// Removes the link; false when there was none with that id.
    pub async fn revoke(&self, id: &str) -> Result<bool, KioskError> {
        self.update(|links| {
            let before = links.len();
            links.retain(|s| s.link.id != id);
            Ok(links.len() != before)
        })
        .await
    }

    /// The link whose secret this is. Every stored hash is compared in full.
    pub fn by_secret(&self, secret: &str) -> Option<KioskLink> {
        let wanted = sha256_hex(secret);
        let links = self.links.read().unwrap_or_else(PoisonError::into_inner);
        let mut found = None;
        for stored in links.iter() {
            if bool::from(stored.secret_sha256.as_bytes().ct_eq(wanted.as_bytes())) {
                found = Some(stored.link.clone());
            }
        }
        found
    }

    pub fn exists(&self, id: &str) -> bool {
        let links = self.links.read().unwrap_or_else(PoisonError::into_inner);
        links.iter().any(|s| s.link.id == id)
    }

    /// Notes a use of the link; written to the file at most once a minute per link. A file
    /// that cannot be written loses only the last-use time.
    pub async fn touch(&self, id: &str, now_ms: u64) {
        let due = |links: &[Stored]| {
            links.iter().any(|s| {
                s.link.id == id
                    && s.link
                        .last_used_ms
                        .is_none_or(|last| now_ms.saturating_sub(last) >= TOUCH_EVERY_MS)
            })
        };
        if !due(&self.links.read().unwrap_or_else(PoisonError::into_inner)) {
            return;
        }
        let touched = self
            .update(|links| {
                for stored in links.iter_mut().filter(|s| s.link.id == id) {
                    stored.link.last_used_ms = Some(now_ms);
                }
                Ok(())
            })
            .await;
        if let Err(e) = touched {
            tracing::warn!(error = %e, "kiosk links: last use not saved");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(test: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "flotilla-kiosks-{test}-{}.json",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        path
    }

    #[tokio::test]
    async fn links_are_made_found_by_secret_survive_a_restart_and_are_revoked() {
        let path = scratch("lifecycle");
        let kiosks = Kiosks::open(path.clone()).expect("open");
        let (link, secret) = kiosks.create("ops wall", 1_000).await.expect("create");
        assert!(well_formed(&secret), "{secret}");
        assert_eq!(
            kiosks.by_secret(&secret).map(|l| l.id),
            Some(link.id.clone())
        );
        assert_eq!(kiosks.by_secret(&"0".repeat(64)), None);
        let file = std::fs::read_to_string(&path).expect("file");
        assert!(!file.contains(&secret), "the secret itself was stored");
        kiosks.touch(&link.id, 5_000).await;
        kiosks.touch(&link.id, 6_000).await; // within a minute: not written again
        let reopened = Kiosks::open(path.clone()).expect("reopen");
        assert_eq!(reopened.list()[0].last_used_ms, Some(5_000));
        assert!(reopened.exists(&link.id));
        assert!(reopened.revoke(&link.id).await.expect("revoke"));
        assert!(!reopened.revoke(&link.id).await.expect("again"));
        assert!(!Kiosks::open(path.clone()).expect("reopen").exists(&link.id));
        let _ = std::fs::remove_file(path);
    }

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
}
