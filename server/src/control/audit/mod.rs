//! The audit log: one JSON line per mutation attempt and per completion (who, from where,
//! what, when, outcome), appended to a file that survives restarts. Values that might be
//! secret are never written.
//!
//! One thread owns the files (see `writer`): the async runtime never blocks on them, and a
//! write reports whether it reached the file so a mutation can be refused when it did not.
//! The file rotates by size (`path.1` .. `path.{keep}`), reads start from its end, and
//! refusals (which anyone can cause) are bounded in size and counted rather than each
//! written (see `denials`).

mod denials;
mod file;
mod writer;

#[cfg(test)]
mod tests;

use denials::Denials;
use file::LogFile;
use sha2::{Digest, Sha256};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};
use writer::{Command, DenialKey, Writer};

pub use flotilla_app::api::AuditEntry;

/// Every string field of an entry is cut to this many characters before it is written.
const FIELD_CHARS: usize = 1000;
/// ... and of an entry given to `denied`, to this many: refusals need no session, so their
/// size is in the hands of anyone who can reach the port.
const DENIED_CHARS: usize = 200;
/// Commands waiting for the writer; senders wait (async) beyond it.
const QUEUE: usize = 256;

#[derive(Clone, Debug)]
pub struct AuditLimits {
    /// The file is rotated before a line would take it past this size.
    pub max_bytes: u64,
    /// Rotated files kept: `path.1` (newest) to `path.{keep}`.
    pub keep: usize,
    /// Repeats of a denial within this time of the written one are counted, not written.
    pub denial_window: Duration,
    /// Distinct denial keys counted apart; beyond them, counts share one overflow key.
    pub denial_keys: usize,
    /// At most this many bytes are read to answer a `read_tail`.
    pub tail_bytes: u64,
}

impl Default for AuditLimits {
    fn default() -> AuditLimits {
        AuditLimits {
            max_bytes: 10 * 1024 * 1024,
            keep: 5,
            denial_window: Duration::from_secs(60),
            denial_keys: 1000,
            tail_bytes: 4 * 1024 * 1024,
        }
    }
}

/// The handle: cheap to share behind an `Arc`. Dropping the last one lets the writer thread
/// write the denial counts it still holds and stop.
pub struct AuditLog {
    commands: mpsc::Sender<Command>,
}

impl AuditLog {
    /// Opens (creating) the log at `path`; fails now if it cannot be appended to. (`serve`
    /// opens it with `open_echoing`.)
    #[cfg(test)]
    pub fn open_with(path: PathBuf, limits: AuditLimits) -> io::Result<AuditLog> {
        AuditLog::open_echoing(path, limits, false)
    }

    /// `open_with`, and with `stdout` every line that reaches the file is also written to
    /// stdout (`serve --audit-stdout`): a replicated panel's `docker service logs` is then
    /// the merged audit of every replica.
    pub fn open_echoing(path: PathBuf, limits: AuditLimits, stdout: bool) -> io::Result<AuditLog> {
        let file = LogFile::new(path, limits.max_bytes, limits.keep);
        file.check()?;
        let writer = Writer {
            file,
            denials: Denials::new(
                limits.denial_window,
                limits.denial_keys,
                DenialKey::overflow(),
            ),
            max_read: limits.tail_bytes,
            stdout,
        };
        let (commands, receiver) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || writer.run(receiver))?;
        Ok(AuditLog { commands })
    }

    /// Writes `entry` (its strings cut to 1,000 characters; `time_ms` 0 means now) and says
    /// whether it reached the file. Not written means the mutation must not go ahead.
    pub async fn write(&self, mut entry: AuditEntry) -> io::Result<()> {
        prepare(&mut entry, FIELD_CHARS);
        let (reply, answer) = oneshot::channel();
        self.send(Command::Write { entry, reply }).await?;
        answer.await.map_err(|_| stopped())?
    }

    /// Records a refusal. Its strings are cut to 200 characters; the first refusal with the
    /// same (who, client, action, outcome) in `denial_window` is written at once, the others
    /// counted and later written as one summary entry whose outcome ends in
    /// " (repeated N times)", N counting the refusals after the written one. Write failures
    /// are logged: a refusal has nothing left to refuse.
    pub async fn denied(&self, entry: AuditEntry) {
        self.denied_at(entry, Instant::now()).await
    }

    /// Writes the summaries of denial windows that have ended; for a periodic task.
    pub async fn flush_denials(&self) -> io::Result<()> {
        self.flush_denials_at(Instant::now()).await
    }

    /// The last `n` entries, newest last, read from the end of the file (and of `path.1`
    /// when the current file holds fewer), within `tail_bytes`. Lines that do not parse are
    /// skipped.
    pub async fn read_tail(&self, n: usize) -> io::Result<Vec<AuditEntry>> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Tail { n, reply }).await?;
        answer.await.map_err(|_| stopped())?
    }

    /// `denied` at a given time, so tests can step the clock.
    async fn denied_at(&self, mut entry: AuditEntry, now: Instant) {
        // Cut here, before queueing, so a queue of refusals holds short strings.
        prepare(&mut entry, DENIED_CHARS);
        if let Err(e) = self.send(Command::Denied { entry, now }).await {
            tracing::error!(error = %e, "audit denial not recorded");
        }
    }

    async fn flush_denials_at(&self, now: Instant) -> io::Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Flush { now, reply }).await?;
        answer.await.map_err(|_| stopped())?
    }

    async fn send(&self, command: Command) -> io::Result<()> {
        self.commands.send(command).await.map_err(|_| stopped())
    }
}

fn stopped() -> io::Error {
    io::Error::other("the audit log writer has stopped")
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Stamps an unstamped entry and cuts every string field to `max` characters.
fn prepare(entry: &mut AuditEntry, max: usize) {
    if entry.time_ms == 0 {
        entry.time_ms = now_ms();
    }
    let AuditEntry {
        time_ms: _,
        who,
        action,
        target,
        detail,
        outcome,
        client,
        session,
        op,
    } = entry;
    for field in [who, action, target, detail, outcome, client, session, op] {
        cut(field, max);
    }
}

/// Keeps the first `max` characters of `text`, the last of them '…' when it was cut.
fn cut(text: &mut String, max: usize) {
    if let Some((at, _)) = text.char_indices().nth(max) {
        let keep = text[..at].char_indices().last().map_or(0, |(i, _)| i);
        text.truncate(keep);
        if max > 0 {
            text.push('…');
        }
    }
}

/// 8 hex characters of the SHA-256 of `text`: enough to tell sessions apart in the log,
/// useless for replaying one.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// `KEY=VALUE` lines with the values replaced: names are useful in an audit, values may be
/// secrets.
pub fn redact_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, _)| format!("{k}=***"))
        .collect::<Vec<_>>()
        .join(",")
}
