//! Online backups and restores. A backup is an export of the operations
//! (the truth); a restore writes them into an empty store through the one
//! write path, which rebuilds every index, view and digest.
//!
//! File format (version 1): the line `LIANDONG-BACKUP 1 <node>\n`, then for
//! each operation a little-endian u32 length and the operation's bytes, then
//! a u32 zero and the 32-byte blake3 hash of everything before it.
//!
//! Consistency: the export reads the feed head once (between two commits)
//! and exports exactly the feed up to it, so a batch is either wholly in
//! the backup or wholly out, while writes go on.
//!
//! Local sequence numbers after a restore: operations this node wrote after
//! the backup may still exist at the county and come back later. A restored
//! store therefore starts its own numbering at the next multiple of 2^32,
//! so a new operation can never reuse the id of a lost one, even while the
//! county is unreachable. The new epoch is committed through the one commit
//! like any batch, durable before [`Store::restore`] returns.

use std::io::{BufReader, BufWriter, Read, Write};

use super::{encode, keys, Announce, Source, Store, StoreError, StoredOp, Writes};
use liandong_model::EncodedOp;

const MAGIC: &str = "LIANDONG-BACKUP 1";

/// Gap between numbering epochs of a restored store.
pub const RESTORE_SEQ_EPOCH: u64 = 1 << 32;

/// What a backup or restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub operations: u64,
    pub bytes: u64,
}

impl Store {
    /// Writes every operation held, up to the feed head at the start, to `out`.
    pub fn backup(&self, out: impl Write) -> Result<BackupSummary, StoreError> {
        let head = *self.changes.borrow();
        let mut out = HashingWriter::new(BufWriter::new(out));
        out.write_all(format!("{MAGIC} {}\n", self.me).as_bytes())?;
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

    /// Restores a backup into this store, which must be empty.
    pub fn restore(&self, input: impl Read, chunk: usize) -> Result<BackupSummary, StoreError> {
        if self.stats()?.ops_held > 0 {
            return Err(StoreError::corrupt(
                "restore target",
                format!(
                    "{} already holds operations; restore into an empty data directory",
                    self.path.display()
                ),
            ));
        }
        let mut input = BufReader::new(input);
        let mut hasher = blake3::Hasher::new();
        let mut header = Vec::new();
        read_line(&mut input, &mut header)?;
        hasher.update(&header);
        let header = String::from_utf8_lossy(&header);
        if !header.starts_with(MAGIC) {
            return Err(StoreError::corrupt(
                "backup file",
                "not a Liandong backup (bad header)",
            ));
        }
        let mut summary = BackupSummary {
            operations: 0,
            bytes: header.len() as u64,
        };
        let mut pending = Vec::with_capacity(chunk);
        let mut max_own_seq = 0;
        loop {
            let mut len = [0u8; 4];
            input.read_exact(&mut len)?;
            hasher.update(&len);
            let len = u32::from_le_bytes(len) as usize;
            if len == 0 {
                break;
            }
            if len > liandong_model::MAX_OP_BYTES {
                return Err(StoreError::corrupt(
                    "backup file",
                    format!("operation of {len} bytes"),
                ));
            }
            let mut bytes = vec![0u8; len];
            input.read_exact(&mut bytes)?;
            hasher.update(&bytes);
            summary.bytes += 4 + len as u64;
            let op = EncodedOp::decode(bytes).map_err(|e| StoreError::corrupt("backup file", e))?;
            if op.id().origin == self.me {
                max_own_seq = max_own_seq.max(op.id().seq);
            }
            pending.push(op);
            summary.operations += 1;
            if pending.len() >= chunk {
                self.apply(Source::Local, std::mem::take(&mut pending))?;
            }
        }
        let mut expected = [0u8; 32];
        input.read_exact(&mut expected)?;
        if hasher.finalize().as_bytes() != &expected {
            return Err(StoreError::corrupt(
                "backup file",
                "checksum mismatch: the file is damaged or truncated",
            ));
        }
        self.apply(Source::Local, pending)?;
        self.start_new_seq_epoch(max_own_seq)?;
        Ok(summary)
    }

    /// Moves local numbering to the next epoch, committed and synced like
    /// any batch before the restore returns.
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

fn read_line(input: &mut impl Read, out: &mut Vec<u8>) -> Result<(), StoreError> {
    let mut byte = [0u8; 1];
    loop {
        input.read_exact(&mut byte)?;
        out.push(byte[0]);
        if byte[0] == b'\n' || out.len() > 256 {
            return Ok(());
        }
    }
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: blake3::Hasher,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: blake3::Hasher::new(),
            written: 0,
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreOptions;
    use liandong_domain::OpBody;
    use liandong_domain::{CaseEvent, EventKind};
    use liandong_model::{CaseId, EntityId, NodeId};

    fn accepted(store: &Store, n: u64) {
        let me = store.me().clone();
        for i in 0..n {
            let case = EntityId::Case(CaseId::new("000000", &me, "20261126", i));
            store
                .append_local(
                    vec![(case, OpBody::Case(CaseEvent::new(i, EventKind::Concluded)))],
                    i,
                )
                .unwrap();
        }
    }

    #[test]
    fn a_restored_store_holds_the_same_operations_and_numbers_new_ones_past_an_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::township("T01").unwrap();
        let src = Store::open(&dir.path().join("a"), &me, &StoreOptions::default()).unwrap();
        accepted(&src, 20);
        let mut file = Vec::new();
        let summary = src.backup(&mut file).unwrap();
        assert_eq!(summary.operations, 20);

        let dst = Store::open(&dir.path().join("b"), &me, &StoreOptions::default()).unwrap();
        let restored = dst.restore(&file[..], 7).unwrap();
        assert_eq!(restored.operations, 20);
        assert_eq!(dst.digest_all().unwrap(), src.digest_all().unwrap());
        assert_ne!(dst.store_id(), src.store_id());
        let report = dst
            .append_local(
                vec![(
                    EntityId::Matter("x".into()),
                    OpBody::Case(CaseEvent::new(0, EventKind::Concluded)),
                )],
                1,
            )
            .unwrap();
        assert_eq!(report.applied[0].seq, RESTORE_SEQ_EPOCH + 1);
    }

    #[test]
    fn a_restore_epoch_is_committed_and_synced_through_the_write_path() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::township("T01").unwrap();
        let src = Store::open(&dir.path().join("a"), &me, &StoreOptions::default()).unwrap();
        accepted(&src, 20);
        let mut file = Vec::new();
        src.backup(&mut file).unwrap();

        let path = dir.path().join("b");
        let dst = Store::open(&path, &me, &StoreOptions::default()).unwrap();
        let commits = dst.commits();
        dst.restore(&file[..], 7).unwrap();
        // Chunks of 7, 7 and 6 operations, then the epoch: four commits.
        assert_eq!(dst.commits(), commits + 4);
        assert_eq!(dst.last_commit_keys(), vec![keys::META_LOCAL_SEQ.to_vec()]);
        drop(dst);

        // Reopened, the store still numbers past the epoch.
        let dst = Store::open(&path, &me, &StoreOptions::default()).unwrap();
        let report = dst
            .append_local(
                vec![(
                    EntityId::Matter("x".into()),
                    OpBody::Case(CaseEvent::new(0, EventKind::Concluded)),
                )],
                1,
            )
            .unwrap();
        assert_eq!(report.applied[0].seq, RESTORE_SEQ_EPOCH + 1);
    }

    #[test]
    fn a_damaged_backup_is_refused_and_an_occupied_store_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::township("T01").unwrap();
        let src = Store::open(&dir.path().join("a"), &me, &StoreOptions::default()).unwrap();
        accepted(&src, 5);
        let mut file = Vec::new();
        src.backup(&mut file).unwrap();
        let mid = file.len() / 2;
        file[mid] ^= 0xff;
        let dst = Store::open(&dir.path().join("b"), &me, &StoreOptions::default()).unwrap();
        assert!(dst.restore(&file[..], 100).is_err());
        let mut good = Vec::new();
        src.backup(&mut good).unwrap();
        assert!(
            src.restore(&good[..], 100).is_err(),
            "restore into a non-empty store"
        );
    }
}
