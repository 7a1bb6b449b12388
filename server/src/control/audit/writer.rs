//! The one thread that touches the audit files. Every write, denial, flush and read arrives
//! on one channel and is handled in order, so lines never interleave, a read sees every
//! write sent before it, and a read never races a rotation.

use super::denials::{Denials, Verdict};
use super::file::LogFile;
use super::{AuditEntry, now_ms};
use std::io;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

pub(super) enum Command {
    /// Write one entry and say whether it was written.
    Write {
        entry: AuditEntry,
        reply: oneshot::Sender<io::Result<()>>,
    },
    /// A refusal, written or counted as `Denials` decides.
    Denied { entry: AuditEntry, now: Instant },
    /// Write the summaries of the denial windows ended by `now`.
    Flush {
        now: Instant,
        reply: oneshot::Sender<io::Result<()>>,
    },
    /// The last `n` entries, newest last.
    Tail {
        n: usize,
        reply: oneshot::Sender<io::Result<Vec<AuditEntry>>>,
    },
}

/// What makes two denials "the same" for counting. The target is not in it: a scanner
/// walking paths is one key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct DenialKey {
    who: String,
    client: String,
    action: String,
    outcome: String,
}

impl DenialKey {
    fn of(entry: &AuditEntry) -> DenialKey {
        DenialKey {
            who: entry.who.clone(),
            client: entry.client.clone(),
            action: entry.action.clone(),
            outcome: entry.outcome.clone(),
        }
    }

    /// Where denials count once the table of keys is full.
    pub fn overflow() -> DenialKey {
        DenialKey {
            who: "(various)".into(),
            client: "(various)".into(),
            action: "(various)".into(),
            outcome: "denied".into(),
        }
    }

    /// The line that stands for `count` denials that were counted, not written: the key's
    /// fields, and its outcome followed by " (repeated N times)".
    fn summary(self, count: u64) -> AuditEntry {
        AuditEntry {
            time_ms: now_ms(),
            who: self.who,
            client: self.client,
            action: self.action,
            outcome: format!("{} (repeated {count} times)", self.outcome),
            ..AuditEntry::default()
        }
    }
}

pub(super) struct Writer {
    pub file: LogFile,
    pub denials: Denials<DenialKey>,
    pub max_read: u64,
    /// Echo each written line to stdout (`--audit-stdout`).
    pub stdout: bool,
}

impl Writer {
    /// Runs until every sender is gone, then writes the counts still held.
    pub fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        while let Some(command) = commands.blocking_recv() {
            self.handle(command);
        }
        for (key, count) in self.denials.drain() {
            let _ = self.append(&key.summary(count));
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Write { entry, reply } => drop(reply.send(self.append(&entry))),
            Command::Denied { entry, now } => {
                let key = DenialKey::of(&entry);
                // Errors are logged by `append`; a denial has no caller waiting to refuse.
                let _ = match self.denials.see(key, now) {
                    Verdict::Write => self.append(&entry),
                    Verdict::Counted => Ok(()),
                    Verdict::SummaryThenWrite(key, count) => self
                        .append(&key.summary(count))
                        .and_then(|()| self.append(&entry)),
                };
            }
            Command::Flush { now, reply } => {
                let mut result = Ok(());
                for (key, count) in self.denials.due(now) {
                    let written = self.append(&key.summary(count));
                    result = result.and(written);
                }
                drop(reply.send(result));
            }
            Command::Tail { n, reply } => drop(reply.send(self.file.tail(n, self.max_read))),
        }
    }

    fn append(&self, entry: &AuditEntry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry)?;
        line.push(b'\n');
        self.file.append(&line).inspect_err(|e| {
            tracing::error!(error = %e, action = %entry.action, "audit log write failed");
        })?;
        if self.stdout {
            echo(&line);
        }
        Ok(())
    }
}

/// The same line on stdout, after it reached the file (so stdout never has a line the file
/// lacks). One locked write per line, so lines from other threads cannot cut into it; a
/// stdout that cannot be written (closed) costs the copy, never the mutation. (A stdout
/// nobody reads would block here as it blocks the log lines on stderr; Docker's log
/// drivers read it.)
fn echo(line: &[u8]) {
    use std::io::Write;
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(line).and_then(|()| out.flush()) {
        tracing::warn!(error = %e, "audit line not copied to stdout");
    }
}
