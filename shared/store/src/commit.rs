//! The one commit: the only place in the crate where a `sled::Batch` is
//! applied to the tree and made durable.
//!
//! Every write of the store (a batch of operations, a peer's registration
//! or outbox refill, the numbering epoch after a restore, the format and id
//! rows of a new store) is gathered into a [`Writes`] and handed to
//! `Store::commit` under the writer lock. The commit applies the batch
//! atomically and makes it durable (see `durable`: sled flush, `sync_data`
//! of the log and of any new blob file); only then does it move the
//! in-memory writer state along with it, publish the durable state readers
//! for peers see (peer records with their outbox heads, cursors) and, for
//! batches of operations, the feed head, waking the subscribers of
//! [`Store::subscribe`](super::Store::subscribe).
//!
//! Invariants:
//! - Nothing else calls `apply_batch`, `insert`, `remove` or `flush` on the
//!   tree (tests that damage a store on purpose aside).
//! - The writer state and the published state move only after a commit is
//!   durable. sled serves a batch's keys as soon as it is applied, so a
//!   reader that must not get ahead of the disk reads the published state
//!   (an outbox up to its published head, the published cursor).
//! - A commit that fails (applying or syncing) moves nothing and stops the
//!   store taking writes: this and every later commit return
//!   [`StoreError::ReadOnly`], so the failed batch's sequence numbers, which
//!   sled may already serve, are never handed out again.
//! - Each key is put into a [`Writes`] at most once, so its count is the
//!   number of keys the commit writes.
//!
//! Not yet: group commit of several callers' batches under one sync.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Published, Store, StoreError, WriterState};

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
#[derive(Default)]
pub(super) struct CommitStats {
    commits: AtomicU64,
    keys_written: AtomicU64,
    #[cfg(test)]
    last_keys: std::sync::Mutex<Vec<Vec<u8>>>,
    /// Run once by the next commit between applying its batch and syncing
    /// it (tests of what readers see meanwhile).
    #[cfg(test)]
    after_apply: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl Store {
    /// Applies `writes` in one atomic batch and makes it durable; then lets
    /// `update` move the writer state to match, publishes the durable state
    /// and, if asked, wakes subscribers. Returns the number of keys written.
    /// A failure moves nothing and stops the store taking writes.
    pub(super) fn commit(
        &self,
        state: &mut WriterState,
        writes: Writes,
        announce: Announce,
        update: impl FnOnce(&mut WriterState),
    ) -> Result<usize, StoreError> {
        self.check_writable()?;
        let keys = writes.len();
        let Writes {
            batch,
            #[cfg(test)]
            written,
            ..
        } = writes;
        if let Err(cause) = self.apply_durably(batch, keys) {
            return Err(self.durability.stop(self.durable_feed_head(), cause));
        }
        update(state);
        self.publish(state);
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
                .unwrap_or_else(|e| e.into_inner()) = written;
        }
        if announce == Announce::Subscribers {
            self.changes.send_replace(state.feed_head);
        }
        Ok(keys)
    }

    /// Applies the batch and syncs it; the error says what failed, on
    /// which file.
    fn apply_durably(&self, batch: sled::Batch, keys: usize) -> Result<(), String> {
        if keys > 0 {
            self.db.apply_batch(batch).map_err(|e| {
                format!(
                    "applying a batch to the sled tree in {}: {e}",
                    self.path.display()
                )
            })?;
        }
        #[cfg(test)]
        self.run_after_apply_hook();
        self.durability.sync(&self.db)
    }

    /// Publishes the writer's durable peer records and cursors to readers.
    fn publish(&self, state: &WriterState) {
        let mut view = self.published.write().unwrap_or_else(|e| e.into_inner());
        let Published { peers, cursors } = &mut *view;
        peers.clone_from(&state.peers);
        cursors.clone_from(&state.cursors);
    }
}

#[cfg(test)]
impl Store {
    /// Makes the next commit run `hook` after applying its batch and
    /// before syncing it.
    pub(super) fn hold_next_commit_after_apply(&self, hook: impl FnOnce() + Send + 'static) {
        *self
            .commit_stats
            .after_apply
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Box::new(hook));
    }

    fn run_after_apply_hook(&self) {
        let hook = self
            .commit_stats
            .after_apply
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(hook) = hook {
            hook();
        }
    }

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

        let store = crate::open_after_close(dir.path(), &me, &StoreOptions::default()).unwrap();
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
