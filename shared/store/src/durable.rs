//! Making a commit durable, and stopping writes when that fails.
//!
//! Durable means: sled's `flush` returned, the log file (`db`) was
//! `sync_data`'d (sled's flush uses `sync_file_range`, which does not empty
//! the disk's write cache), and so was every blob file sled wrote since the
//! last commit, with the `blobs` directory that names them.
//!
//! Blob files: sled 0.34 writes a log message longer than
//! `segment_size / 4 - 20` bytes (131,052 with the default 512 KiB segment,
//! which this store keeps) as a file of its own, `blobs/<lsn>`, and its
//! flush never syncs those files or their directory. An operation at
//! [`MAX_OP_BYTES`](liandong_model::MAX_OP_BYTES) (256 KiB) always makes one.
//! Capping stored records below the threshold would not be enough: the
//! threshold applies to a page, and sled rewrites a whole leaf page (up to
//! 17 values) when it consolidates or splits it, so records of a few tens
//! of KiB make blob files too; nor could a larger segment size help the
//! stores that exist (sled fixes it when a store is created). So every
//! commit lists `blobs/`, syncs each file it has not synced before, and then
//! the directory. Blob files are never rewritten (sled creates them with
//! `create_new`), so syncing each once is enough.
//!
//! Fail-stop: when applying or syncing a batch fails, the store stops
//! taking writes ([`StoreError::ReadOnly`]) until it is reopened (the node
//! restarted). The commit that failed does not move the writer state, and
//! no later write is let through, so the sequence numbers, outbox
//! positions and cursor of the failed batch are never handed out again; the
//! failure is logged once, at error level. What the failed batch wrote may
//! or may not have reached the disk: after a restart the store holds it
//! wholly or not at all (one `sled::Batch`), and nothing of it was
//! acknowledged.
//!
//! Not yet: a blob file that sled is still writing from another thread
//! (a page rewrite started by a reader) while a commit lists the directory
//! is synced only as far as it was written then.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use super::StoreError;

/// Why and when the store stopped taking writes.
#[derive(Debug, Clone)]
struct Stopped {
    since: u64,
    cause: String,
}

/// The files a commit syncs, and the fail-stop latch.
pub(super) struct Durability {
    dir: PathBuf,
    log_file: File,
    /// Blob files already synced (names in `blobs/`), so each is synced once.
    synced_blobs: Mutex<BTreeSet<OsString>>,
    stopped: OnceLock<Stopped>,
    #[cfg(any(test, feature = "fault-injection"))]
    fail_next_sync: std::sync::atomic::AtomicBool,
    /// The files the last successful sync synced, for tests.
    #[cfg(test)]
    last_synced: Mutex<Vec<PathBuf>>,
}

impl Durability {
    pub(super) fn open(dir: &Path) -> Result<Durability, StoreError> {
        Ok(Durability {
            dir: dir.to_path_buf(),
            log_file: File::open(dir.join("db"))?,
            synced_blobs: Mutex::default(),
            stopped: OnceLock::new(),
            #[cfg(any(test, feature = "fault-injection"))]
            fail_next_sync: Default::default(),
            #[cfg(test)]
            last_synced: Mutex::default(),
        })
    }

    /// Makes everything sled has applied durable; the error names the file.
    pub(super) fn sync(&self, db: &sled::Db) -> Result<(), String> {
        db.flush()
            .map_err(|e| format!("flush of the sled log in {}: {e}", self.dir.display()))?;
        let log = self.dir.join("db");
        self.injected_failure(&log)?;
        self.log_file
            .sync_data()
            .map_err(|e| format!("sync_data of {}: {e}", log.display()))?;
        let blobs = self.sync_new_blobs()?;
        #[cfg(test)]
        {
            let mut synced = vec![log];
            synced.extend(blobs);
            *lock(&self.last_synced) = synced;
        }
        #[cfg(not(test))]
        drop(blobs);
        Ok(())
    }

    /// Syncs the blob files not synced yet, then (if there were any) the
    /// directory; returns their paths.
    fn sync_new_blobs(&self) -> Result<Vec<PathBuf>, String> {
        let dir = self.dir.join("blobs");
        let failed = |what: &str, path: &Path, e: std::io::Error| {
            format!("{what} of {}: {e}", path.display())
        };
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(failed("listing", &dir, e)),
        };
        let mut synced = lock(&self.synced_blobs);
        let mut present = BTreeSet::new();
        let mut new = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| failed("listing", &dir, e))?;
            let name = entry.file_name();
            if synced.contains(&name) {
                present.insert(name);
                continue;
            }
            let path = entry.path();
            match File::open(&path) {
                Ok(file) => file
                    .sync_data()
                    .map_err(|e| failed("sync_data", &path, e))?,
                // Removed by sled since it was listed: nothing to sync.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(failed("opening", &path, e)),
            }
            present.insert(name);
            new.push(path);
        }
        if !new.is_empty() {
            File::open(&dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| failed("sync", &dir, e))?;
        }
        // Forget the files sled removed; remember the new ones only now
        // that their directory entries are durable too.
        *synced = present;
        Ok(new)
    }

    /// Stops writes (once; later calls keep the first cause) and returns the
    /// error every write gets from now on.
    pub(super) fn stop(&self, since: u64, cause: String) -> StoreError {
        let mut first = false;
        let stopped = self.stopped.get_or_init(|| {
            first = true;
            Stopped { since, cause }
        });
        let error = self.error_of(stopped);
        if first {
            tracing::error!(store = %self.dir.display(), %error, "store stopped taking writes");
        }
        error
    }

    /// The error a write gets once the store has stopped taking writes.
    pub(super) fn refusal(&self) -> Option<StoreError> {
        self.stopped.get().map(|s| self.error_of(s))
    }

    fn error_of(&self, stopped: &Stopped) -> StoreError {
        StoreError::ReadOnly {
            path: self.dir.clone(),
            since: stopped.since,
            cause: stopped.cause.clone(),
        }
    }

    #[cfg_attr(not(any(test, feature = "fault-injection")), allow(unused_variables))]
    fn injected_failure(&self, log: &Path) -> Result<(), String> {
        #[cfg(any(test, feature = "fault-injection"))]
        if self
            .fail_next_sync
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(format!(
                "sync_data of {}: injected failure (test)",
                log.display()
            ));
        }
        Ok(())
    }

    /// Makes the next sync fail as a failing disk would.
    #[cfg(any(test, feature = "fault-injection"))]
    pub(super) fn fail_next_sync(&self) {
        self.fail_next_sync
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    #[cfg(test)]
    pub(super) fn last_synced(&self) -> Vec<PathBuf> {
        lock(&self.last_synced).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests;
