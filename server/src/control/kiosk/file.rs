//! The file store of kiosk links (`--kiosk-store file`, the default): the links of this
//! process alone, in a JSON file (`--kiosk-file`), their last uses included.

use super::{Held, KioskError, MAX_LINKS, Stored};
use std::io;
use std::path::PathBuf;

/// A last use is written to the file at most this often per link (milliseconds).
const TOUCH_EVERY_MS: u64 = 60_000;

pub struct FileLinks {
    path: PathBuf,
    /// What requests read, at once and without waiting on the file.
    pub(super) links: Held,
    /// One change at a time: read, change, write the file, then publish.
    writing: tokio::sync::Mutex<()>,
}

impl FileLinks {
    /// The links in `path`; none when it does not exist yet.
    pub fn open(path: PathBuf) -> Result<FileLinks, KioskError> {
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
        Ok(FileLinks {
            path,
            links: Held(links.into()),
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
        let mut next = self.links.read().clone();
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
        *self.links.write() = next;
        Ok(answer)
    }

    pub(super) async fn add(&self, stored: Stored) -> Result<(), KioskError> {
        self.update(|links| {
            if links.len() >= MAX_LINKS {
                return Err(KioskError::Full);
            }
            links.push(stored);
            Ok(())
        })
        .await
    }

    /// Removes the link; false when there was none with that id.
    pub(super) async fn revoke(&self, id: &str) -> Result<bool, KioskError> {
        self.update(|links| {
            let before = links.len();
            links.retain(|s| s.link.id != id);
            Ok(links.len() != before)
        })
        .await
    }

    /// Notes a use of the link; written to the file at most once a minute per link. A file
    /// that cannot be written loses only the last-use time.
    pub(super) async fn touch(&self, id: &str, now_ms: u64) {
        let due = |links: &[Stored]| {
            links.iter().any(|s| {
                s.link.id == id
                    && s.link
                        .last_used_ms
                        .is_none_or(|last| now_ms.saturating_sub(last) >= TOUCH_EVERY_MS)
            })
        };
        if !due(&self.links.read()) {
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
    use super::super::{Kiosks, well_formed};
    use std::path::PathBuf;

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
}
