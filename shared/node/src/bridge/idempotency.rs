//! Idempotent writes: the response to each write that carried an
//! `Idempotency-Key`, kept so that a retry with the same key and body gets
//! the first response back and records nothing new, and the same key with
//! another body is refused (409).
//!
//! Durable: an append-only file in the data directory
//! (`api-idempotency.jsonl`, mode 0600 since responses carry the
//! applicant's data; one JSON record per line: key, fingerprint of the
//! request, status, response body, time). A record is written and
//! `sync_data`'d before its response is sent, and the whole file is loaded
//! at start, so a department system may retry across a bridge restart. A
//! torn last line (a crash while appending) is cut off at start; any other
//! unreadable line fails the start, naming the file and line.
//!
//! Only successful writes are recorded: a refused or failed write recorded
//! nothing, so its retry is simply checked again. One window is left: a
//! crash after the case event is durable and before its record is, whose
//! retry is then refused by the domain (one opinion and one decision per
//! department part) rather than answered with the first response.
//!
//! Not yet: records are kept forever (a few hundred bytes per write).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The journal's file name in the data directory.
pub const FILE_NAME: &str = "api-idempotency.jsonl";

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// One recorded response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub key: String,
    /// SHA-256 (hex) of the request: path, case and canonical body.
    pub fingerprint: String,
    pub status: u16,
    pub body: serde_json::Value,
    pub at_ms: u64,
}

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("idempotency journal {path}: cannot {what}: {source}", path = .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("idempotency journal {path}, line {line}: {detail}; move the file aside to start without the recorded keys", path = .path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        detail: String,
    },
}

/// The durable key → response records, with a gate that makes one write
/// at a time (check, write, record).
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    records: Mutex<HashMap<String, Record>>,
    /// Held across a whole write, so two requests with one key cannot both
    /// record.
    pub gate: tokio::sync::Mutex<()>,
}

impl Journal {
    /// Opens (or creates) the journal in `data_dir` and loads its records.
    pub fn open(data_dir: &Path) -> Result<Journal, JournalError> {
        let path = data_dir.join(FILE_NAME);
        let io = |what: &'static str| {
            let path = path.clone();
            move |source| JournalError::Io { what, path, source }
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).append(true).create(true);
        // Responses carry the applicant's data: owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io("open"))?;
        let (records, good_len) = load(&path, &file)?;
        let len = file.metadata().map_err(io("read the size of"))?.len();
        if good_len < len {
            tracing::warn!(path = %path.display(), cut = len - good_len, "idempotency journal ends in a torn record (a crash while appending); cutting it off");
            file.set_len(good_len).map_err(io("truncate"))?;
            file.sync_data().map_err(io("sync"))?;
        }
        Ok(Journal {
            path,
            file: Mutex::new(file),
            records: Mutex::new(records),
            gate: tokio::sync::Mutex::new(()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The record of `key`, if one was made.
    pub fn get(&self, key: &str) -> Option<Record> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Appends `record` and syncs it (blocking: call on the blocking pool).
    pub fn put(&self, record: Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(&record).map_err(|e| JournalError::Io {
            what: "encode a record for",
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let io = |what: &'static str| {
            let path = self.path.clone();
            move |source| JournalError::Io { what, path, source }
        };
        {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            file.write_all(&line).map_err(io("append to"))?;
            file.sync_data().map_err(io("sync"))?;
        }
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(record.key.clone(), record);
        Ok(())
    }
}

/// Reads every record; returns them and the length of the file up to the
/// end of the last complete line that parses.
fn load(path: &Path, file: &File) -> Result<(HashMap<String, Record>, u64), JournalError> {
    let mut records = HashMap::new();
    let mut reader = BufReader::new(file);
    let mut good_len = 0u64;
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| JournalError::Io {
                what: "read",
                path: path.to_path_buf(),
                source,
            })?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.last() != Some(&b'\n') {
            // The last line, torn by a crash: cut off by the caller.
            break;
        }
        match serde_json::from_slice::<Record>(&line) {
            Ok(record) => {
                good_len += n as u64;
                records.insert(record.key.clone(), record);
            }
            Err(e) => {
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    line: number,
                    detail: e.to_string(),
                })
            }
        }
    }
    Ok((records, good_len))
}

/// Whether `key` may serve as an idempotency key: 1 to [`MAX_KEY_LEN`]
/// visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str) -> Record {
        Record {
            key: key.into(),
            fingerprint: "ab".into(),
            status: 201,
            body: serde_json::json!({"ok": true}),
            at_ms: 1,
        }
    }

    #[test]
    fn records_survive_reopening_and_a_torn_last_line_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path()).unwrap();
        journal.put(record("k1")).unwrap();
        journal.put(record("k2")).unwrap();
        drop(journal);
        let path = dir.path().join(FILE_NAME);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(b"{\"key\":\"k3\",\"finger").unwrap();
        drop(file);
        let journal = Journal::open(dir.path()).unwrap();
        assert_eq!(journal.get("k1"), Some(record("k1")));
        assert!(journal.get("k2").is_some() && journal.get("k3").is_none());
        journal.put(record("k4")).unwrap();
        drop(journal);
        let journal = Journal::open(dir.path()).unwrap();
        assert!(journal.get("k4").is_some());
    }

    #[test]
    fn a_damaged_line_in_the_middle_fails_naming_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let good = serde_json::to_string(&record("k1")).unwrap();
        std::fs::write(&path, format!("{good}\nnot json\n{good}\n")).unwrap();
        let err = Journal::open(dir.path())
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("line 2") && err.contains(FILE_NAME), "{err}");
    }

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("order-42/retry"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(MAX_KEY_LEN + 1)));
    }
}
