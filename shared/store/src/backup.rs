//! Online backups and restores. A backup is an export of the operations
//! (the truth); a restore writes them into an empty store through the one
//! write path, which rebuilds every index, view and digest. The file format
//! is in [`file`].
//!
//! Consistency: the export reads the published (durable) feed head once
//! and exports exactly the feed up to it, so a batch is either wholly in
//! the backup or wholly out, while writes go on, and nothing that a power
//! cut could still take back is exported.
//!
//! A restore checks the whole file before it writes anything: the header,
//! that it is a backup of this node (a backup of another node is refused,
//! naming both), that every record decodes, and the checksum. A damaged,
//! truncated or foreign backup therefore leaves the store exactly as it
//! was, with an error that says why ([`StoreError::RestoreRefused`],
//! [`StoreError::ForeignBackup`]). The file is then read a second time to
//! apply it; should it change or fail to read in between (it should not:
//! the node is stopped and the file is the operator's), the error says the
//! store holds part of it.
//!
//! Local sequence numbers after a restore: operations this node wrote after
//! the backup may still exist at the county and come back later. A restored
//! store therefore starts its own numbering at the next multiple of 2^32,
//! so a new operation can never reuse the id of a lost one, even while the
//! county is unreachable. The new epoch is committed through the one commit
//! before the first operation is applied, so even a restore cut short (a
//! crash, a full disk) never leaves a store that would reuse an id.

mod file;

use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use super::{encode, keys, Announce, Source, Store, StoreError, StoredOp, Writes};
use file::{BackupReader, Damage, HashingWriter};

/// Gap between numbering epochs of a restored store.
pub const RESTORE_SEQ_EPOCH: u64 = 1 << 32;

/// What a backup or restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub operations: u64,
    pub bytes: u64,
}

/// What the check of a whole backup file found.
struct Checked {
    summary: BackupSummary,
    /// The highest sequence number of this node's own operations in it.
    max_own_seq: u64,
    checksum: Option<[u8; 32]>,
}

impl Store {
    /// Writes every operation held, up to the durable feed head at the
    /// start, to `out`.
    pub fn backup(&self, out: impl Write) -> Result<BackupSummary, StoreError> {
        let head = self.durable_feed_head();
        let mut out = HashingWriter::new(BufWriter::new(out));
        out.write_all(file::header(&self.me).as_bytes())?;
        let mut operations = 0;
        for item in self.db.range(keys::feed(1)..=keys::feed(head)) {
            let (_, op_key) = item?;
            let stored: StoredOp = self.stored_op(&op_key)?;
            let len = u32::try_from(stored.bytes.len())
                .map_err(|_| StoreError::TooLarge(stored.bytes.len()))?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(&stored.bytes)?;
            operations += 1;
        }
        out.write_all(&0u32.to_le_bytes())?;
        let hash = out.hasher.finalize();
        let bytes = out.written + 32;
        out.inner.write_all(hash.as_bytes())?;
        out.inner.flush()?;
        Ok(BackupSummary { operations, bytes })
    }

    /// Restores a backup of this node into this store, which must be empty.
    /// The whole file is checked before anything is written (see the
    /// module doc); `chunk` operations are applied per commit.
    pub fn restore(
        &self,
        mut input: impl Read + Seek,
        chunk: usize,
    ) -> Result<BackupSummary, StoreError> {
        self.check_writable()?;
        if self.stats()?.ops_held > 0 {
            return Err(self.refused(format!(
                "{} already holds operations; restore into an empty data directory",
                self.path.display()
            )));
        }
        let checked = self.check_backup(&mut input)?;
        input
            .seek(SeekFrom::Start(0))
            .map_err(|e| self.refused(format!("cannot read the backup again: {e}")))?;
        self.start_new_seq_epoch(checked.max_own_seq)?;
        let partial = |detail: String| StoreError::Corrupt {
            what: format!("restore into {}", self.path.display()),
            detail: format!(
                "{detail} after the backup was checked; the store holds part of it: \
                 empty the data directory and restore again"
            ),
        };
        let mut reader = BackupReader::open(input).map_err(|Damage(d)| partial(d))?;
        let mut pending = Vec::with_capacity(chunk.max(1));
        while let Some(op) = reader.next_op().map_err(|Damage(d)| partial(d))? {
            pending.push(op);
            if pending.len() >= chunk.max(1) {
                self.apply(Source::Local, std::mem::take(&mut pending))?;
            }
        }
        self.apply(Source::Local, pending)?;
        let restored = BackupSummary {
            operations: reader.operations,
            bytes: reader.bytes,
        };
        if restored != checked.summary || reader.checksum != checked.checksum {
            return Err(partial("the backup changed".into()));
        }
        Ok(restored)
    }

    /// Reads the whole backup and checks it, writing nothing: the header,
    /// the node it is of, every record, the checksum.
    fn check_backup(&self, input: impl Read) -> Result<Checked, StoreError> {
        let refused = |Damage(reason)| self.refused(reason);
        let mut reader = BackupReader::open(input).map_err(refused)?;
        let me = self.me.to_string();
        if reader.node != me {
            return Err(StoreError::ForeignBackup {
                path: self.path.clone(),
                backup: reader.node.clone(),
                store: self.me.clone(),
            });
        }
        let mut max_own_seq = 0;
        while let Some(op) = reader.next_op().map_err(refused)? {
            if op.id().origin == self.me {
                max_own_seq = max_own_seq.max(op.id().seq);
            }
        }
        Ok(Checked {
            summary: BackupSummary {
                operations: reader.operations,
                bytes: reader.bytes,
            },
            max_own_seq,
            checksum: reader.checksum,
        })
    }

    fn refused(&self, reason: String) -> StoreError {
        StoreError::RestoreRefused {
            path: self.path.clone(),
            reason,
        }
    }

    /// Moves local numbering to the next epoch, committed and synced like
    /// any batch.
    fn start_new_seq_epoch(&self, max_own_seq: u64) -> Result<(), StoreError> {
        let mut state = self.lock();
        let epoch = (max_own_seq / RESTORE_SEQ_EPOCH + 1) * RESTORE_SEQ_EPOCH + 1;
        let next = state.next_local_seq.max(epoch);
        let mut writes = Writes::default();
        if next != state.next_local_seq {
            writes.insert(keys::META_LOCAL_SEQ, encode(&(next - 1)));
        }
        self.commit(&mut state, writes, Announce::Quiet, |s| {
            s.next_local_seq = next
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
