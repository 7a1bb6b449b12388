//! The files under the log: appends, rotation by size, and reading the newest lines from the
//! end. Blocking: only the writer thread calls these, never the async runtime.

use super::AuditEntry;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How much is read per step when reading backwards.
const CHUNK: usize = 64 * 1024;

pub(super) struct LogFile {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
}

impl LogFile {
    pub fn new(path: PathBuf, max_bytes: u64, keep: usize) -> LogFile {
        LogFile {
            path,
            max_bytes,
            keep,
        }
    }

    /// Creates the directory and checks the file can be opened for append, so that a log that
    /// cannot be written stops the server at start rather than at its first mutation.
    pub fn check(&self) -> io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        self.open_append().map(drop)
    }

    /// Appends one whole line (ending in '\n') in one write, rotating first when it would
    /// take the file past `max_bytes`.
    ///
    /// The path is opened for each line rather than kept open: a file that was rotated or
    /// removed by someone else is re-created, and a file made unwritable (permissions, a
    /// directory in its place) fails this write instead of writing into an orphaned inode.
    /// Audit lines are rare enough that one open per line costs nothing that matters.
    pub fn append(&self, line: &[u8]) -> io::Result<()> {
        let mut file = self.open_append()?;
        let mut size = file.metadata()?.len();
        if size > 0 && size.saturating_add(line.len() as u64) > self.max_bytes {
            drop(file);
            self.rotate()?;
            file = self.open_append()?;
            size = file.metadata()?.len();
        }
        file.write_all(line).inspect_err(|_| {
            // A half-written line (disk full) would merge with the next one and hide it:
            // cut it off. This thread is the only writer, so `size` is still the end.
            let _ = file.set_len(size);
        })
    }

    /// The last `n` entries that parse, newest last, reading at most `max_read` bytes from
    /// the end of the file and, when that holds too few, of the previous one (`path.1`).
    pub fn tail(&self, n: usize, max_read: u64) -> io::Result<Vec<AuditEntry>> {
        let mut newest_first = Vec::new();
        let mut budget = max_read;
        let previous = (self.keep > 0).then(|| self.numbered(1));
        for path in std::iter::once(self.path.clone()).chain(previous) {
            let want = n - newest_first.len();
            if want == 0 || budget == 0 {
                break;
            }
            match File::open(&path) {
                Ok(file) => read_back(file, want, &mut budget, &mut newest_first)?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        newest_first.reverse();
        Ok(newest_first)
    }

    fn open_append(&self) -> io::Result<File> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
    }

    /// `path` -> `path.1` -> `path.2` ... ; what would become `path.{keep + 1}` is dropped
    /// (overwritten by the rename into `path.{keep}`).
    fn rotate(&self) -> io::Result<()> {
        if self.keep == 0 {
            return remove_if_present(&self.path);
        }
        for i in (1..self.keep).rev() {
            rename_if_present(&self.numbered(i), &self.numbered(i + 1))?;
        }
        std::fs::rename(&self.path, self.numbered(1))
    }

    pub fn numbered(&self, i: usize) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{i}"));
        name.into()
    }
}

fn rename_if_present(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Reads `file` backwards in chunks, pushing up to `want` entries (newest first) onto `out`
/// and spending `budget` bytes at most. A line is only complete once the newline before it
/// (or the start of the file) is seen, so a line cut by the budget is not returned.
fn read_back(
    mut file: File,
    want: usize,
    budget: &mut u64,
    out: &mut Vec<AuditEntry>,
) -> io::Result<()> {
    let goal = out.len() + want;
    let mut pos = file.metadata()?.len();
    let mut chunk = vec![0u8; pos.min(CHUNK as u64) as usize];
    // The line being assembled across chunks, later bytes first; joined once per line so a
    // long line costs linear time.
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    while pos > 0 && *budget > 0 {
        let size = (CHUNK as u64).min(pos).min(*budget) as usize;
        pos -= size as u64;
        *budget -= size as u64;
        file.seek(SeekFrom::Start(pos))?;
        file.read_exact(&mut chunk[..size])?;
        let mut end = size;
        while let Some(newline) = chunk[..end].iter().rposition(|&b| b == b'\n') {
            finish_line(&chunk[newline + 1..end], &mut pieces, out);
            if out.len() >= goal {
                return Ok(());
            }
            end = newline;
        }
        pieces.push(chunk[..end].to_vec());
    }
    if pos == 0 {
        // The file's first line has no newline before it.
        finish_line(&[], &mut pieces, out);
    }
    Ok(())
}

/// Parses the line made of `start` and the pieces after it; lines that do not parse (torn,
/// foreign, empty) are skipped.
fn finish_line(start: &[u8], pieces: &mut Vec<Vec<u8>>, out: &mut Vec<AuditEntry>) {
    let parsed = if pieces.is_empty() {
        serde_json::from_slice(start)
    } else {
        let mut line = start.to_vec();
        for piece in pieces.drain(..).rev() {
            line.extend_from_slice(&piece);
        }
        serde_json::from_slice(&line)
    };
    if let Ok(entry) = parsed {
        out.push(entry);
    }
}
