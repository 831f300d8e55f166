//! The one commit: the only place in the crate where a `sled::Batch` is
//! applied to the tree and made durable.
//!
//! Every write of the store (a batch of operations, a peer's registration
//! or outbox refill, the numbering epoch after a restore, the format and id
//! rows of a new store) is gathered into a [`Writes`] and handed to
//! `Store::commit` under the writer lock. The commit applies the batch
//! atomically, moves the in-memory writer state along with it, flushes sled
//! and `sync_data`s the log file, and only then publishes the committed
//! peer records and, for batches of operations, wakes the subscribers of
//! [`Store::subscribe`](super::Store::subscribe).
//!
//! Invariants:
//! - Nothing else calls `apply_batch`, `insert`, `remove` or `flush` on the
//!   tree (tests that damage a store on purpose aside).
//! - The writer state follows the tree as soon as the batch is applied,
//!   even if syncing then fails: sled already serves those keys, and a
//!   writer that forgot them would hand out their sequence numbers again.
//!   Readers and subscribers only see a commit once it is durable.
//! - Each key is put into a [`Writes`] at most once, so its count is the
//!   number of keys the commit writes.
//!
//! Not yet: group commit of several callers' batches under one sync.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Store, StoreError, WriterState};

/// The keys one commit writes, counted.
#[derive(Default)]
pub(super) struct Writes {
    batch: sled::Batch,
    keys: usize,
    /// The keys themselves, so tests can say which were (not) written.
    #[cfg(test)]
    written: Vec<Vec<u8>>,
}

impl Writes {
    pub(super) fn insert(&mut self, key: impl Into<sled::IVec>, value: impl Into<sled::IVec>) {
        let key = key.into();
        self.note(&key);
        self.batch.insert(key, value);
    }

    pub(super) fn remove(&mut self, key: impl Into<sled::IVec>) {
        let key = key.into();
        self.note(&key);
        self.batch.remove(key);
    }

    /// Inserts `value` under `key` unless `stored` (what the tree holds
    /// there now) is already exactly these bytes.
    pub(super) fn put_changed(
        &mut self,
        key: impl Into<sled::IVec>,
        stored: Option<&[u8]>,
        value: Vec<u8>,
    ) {
        if stored != Some(value.as_slice()) {
            self.insert(key, value);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.keys
    }

    #[cfg_attr(not(test), allow(unused_variables))]
    fn note(&mut self, key: &[u8]) {
        self.keys += 1;
        #[cfg(test)]
        self.written.push(key.to_vec());
    }
}

/// Whether a commit wakes the subscribers of the change watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Announce {
    /// A batch of operations (or a cursor): sessions look for new outbox
    /// entries, watchers reload what they show.
    Subscribers,
    /// Bookkeeping (a peer record, the numbering epoch, a new store's
    /// identity): nothing a subscriber waits for.
    Quiet,
}

/// Counters of the commit path.
#[derive(Debug, Default)]
pub(super) struct CommitStats {
    commits: AtomicU64,
    keys_written: AtomicU64,
    #[cfg(test)]
    last_keys: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl Store {
    /// Applies `writes` in one atomic batch, lets `update` move the writer
    /// state to match, and makes the batch durable; then publishes the
    /// committed peer records and, if asked, wakes subscribers. Returns the
    /// number of keys written.
    pub(super) fn commit(
        &self,
        state: &mut WriterState,
        writes: Writes,
        announce: Announce,
        update: impl FnOnce(&mut WriterState),
    ) -> Result<usize, StoreError> {
        let keys = writes.len();
        if keys > 0 {
            self.db.apply_batch(writes.batch)?;
        }
        update(state);
        self.make_durable()?;
        self.publish_peers(state);
        self.commit_stats.commits.fetch_add(1, Ordering::Relaxed);
        self.commit_stats
            .keys_written
            .fetch_add(keys as u64, Ordering::Relaxed);
        #[cfg(test)]
        {
            *self
                .commit_stats
                .last_keys
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = writes.written;
        }
        if announce == Announce::Subscribers {
            self.changes.send_replace(state.feed_head);
        }
        Ok(keys)
    }

    /// Publishes the writer's committed peer records to readers.
    fn publish_peers(&self, state: &WriterState) {
        let mut view = self
            .committed_peers
            .write()
            .unwrap_or_else(|e| e.into_inner());
        view.clone_from(&state.peers);
    }

    /// sled's flush uses `sync_file_range`, which does not empty the disk's
    /// write cache; `sync_data` on the log file after it does.
    fn make_durable(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.log_file.sync_data()?;
        Ok(())
    }
}

#[cfg(test)]
impl Store {
    /// Durable commits since open.
    pub(super) fn commits(&self) -> u64 {
        self.commit_stats.commits.load(Ordering::Relaxed)
    }

    /// Keys written by all commits since open.
    pub(super) fn keys_written(&self) -> u64 {
        self.commit_stats.keys_written.load(Ordering::Relaxed)
    }

    /// The keys the last commit wrote, in the order they were put.
    pub(super) fn last_commit_keys(&self) -> Vec<Vec<u8>> {
        self.commit_stats
            .last_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{keys, StoreOptions};
    use super::*;
    use liandong_model::NodeId;

    #[test]
    fn a_new_store_commits_its_format_and_id_once_and_a_reopened_one_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::township("T01").unwrap();
        let store = Store::open(dir.path(), &me, &StoreOptions::default()).unwrap();
        assert_eq!(store.commits(), 1);
        assert_eq!(
            store.last_commit_keys(),
            vec![keys::META_FORMAT.to_vec(), keys::META_STORE_ID.to_vec()]
        );
        let id = store.store_id();
        drop(store);

        let store = Store::open(dir.path(), &me, &StoreOptions::default()).unwrap();
        assert_eq!(store.store_id(), id);
        assert_eq!((store.commits(), store.keys_written()), (1, 0));
    }

    #[test]
    fn an_unchanged_value_is_not_put_into_the_batch() {
        let mut writes = Writes::default();
        writes.put_changed(b"a".to_vec(), Some(b"1"), b"1".to_vec());
        writes.put_changed(b"b".to_vec(), None, b"1".to_vec());
        writes.put_changed(b"c".to_vec(), Some(b"1"), b"2".to_vec());
        assert_eq!(writes.len(), 2);
        assert_eq!(writes.written, vec![b"b".to_vec(), b"c".to_vec()]);
    }
}
