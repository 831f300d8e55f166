//! [`StoreError`]: why the store did not do what it was asked, with
//! methods that say what the caller should do about it.
//!
//! Invariants:
//! - an error about a file or a node names it (the store's directory, the
//!   file a sync failed on, the node a backup was taken of);
//! - [`StoreError::is_corruption`]: stop serving and run `verify`;
//!   [`StoreError::is_read_only`]: a commit could not be made durable and
//!   the store refuses every write until the node is restarted;
//!   [`StoreError::is_retryable`]: the same call may succeed later as is.
//!   A refused restore ([`StoreError::RestoreRefused`],
//!   [`StoreError::ForeignBackup`]) is none of these: the store was not
//!   changed, and another backup (or an empty directory) is what helps.

use std::path::PathBuf;

use liandong_model::NodeId;

use super::STORE_FORMAT;

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store at {path}: {source}; check the directory exists and is writable, and that no other node process uses it")]
    Open { path: PathBuf, source: sled::Error },
    #[error("store at {path} was written by format {found}, newer than this build ({STORE_FORMAT}); run a newer node binary")]
    NewerFormat { path: PathBuf, found: u8 },
    /// A store written by an older build: its keys are laid out
    /// differently. A backup holds only the operations, so it carries the
    /// store across.
    #[error("store at {path} is in format {found}, which this build (format {STORE_FORMAT}) does not read. To upgrade it: run the node with the build that wrote it and take a backup (`backup --out FILE`), stop that node, move {path} away, then run `restore --from FILE` with this build, which rebuilds the store from the backup's operations into an empty data directory")]
    OlderFormat { path: PathBuf, found: u8 },
    #[error("store I/O error: {0}")]
    Sled(#[from] sled::Error),
    #[error("store I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("store corruption at {what}: {detail}; stop the node and run `verify`")]
    Corrupt { what: String, detail: String },
    #[error("{0} is not a known peer of this node")]
    UnknownPeer(NodeId),
    #[error("operation too large: {0} bytes")]
    TooLarge(usize),
    #[error("磁盘空间不足 disk nearly full at {path}: {free_mib} MiB free, below the {reserve_mib} MiB kept for replication; the write was refused. Free space on that disk (or move the data directory); replication of what is stored continues")]
    DiskFull {
        path: PathBuf,
        free_mib: u64,
        reserve_mib: u64,
    },
    /// A commit could not be made durable (sled's flush or a `sync_data`
    /// failed): the store stopped taking writes. `since` is the feed head
    /// that was durable then; `cause` names the file and the error.
    #[error("存储已停止写入 store at {path} is read-only: a commit could not be made durable ({cause}); the operations up to feed position {since} are on disk and nothing after them was acknowledged. Every write is refused until the node is restarted: check the disk and the system log, then restart the node")]
    ReadOnly {
        path: PathBuf,
        since: u64,
        cause: String,
    },
    /// A restore that was refused before anything was written.
    #[error("restore into {path} refused: {reason}; the store was not changed")]
    RestoreRefused { path: PathBuf, reason: String },
    /// A backup of another node: restoring it would give this node
    /// another node's numbering.
    #[error("restore into {path} refused: the backup is of {backup}, but this store belongs to {store}; restore each node from its own backup. The store was not changed")]
    ForeignBackup {
        path: PathBuf,
        backup: String,
        store: NodeId,
    },
}

impl StoreError {
    /// The store is damaged or in a format this build does not read: stop
    /// serving and run `verify`.
    pub fn is_corruption(&self) -> bool {
        matches!(
            self,
            StoreError::Corrupt { .. }
                | StoreError::NewerFormat { .. }
                | StoreError::OlderFormat { .. }
        )
    }

    /// The store stopped taking writes after a failed sync: only a restart
    /// (after checking the disk) helps; retrying does not.
    pub fn is_read_only(&self) -> bool {
        matches!(self, StoreError::ReadOnly { .. })
    }

    /// The same call may succeed later unchanged: an I/O error, or a full
    /// disk once space is freed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Sled(_) | StoreError::Io(_) | StoreError::DiskFull { .. }
        )
    }

    pub(super) fn corrupt(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_store_is_neither_corrupt_nor_worth_retrying() {
        let e = StoreError::ReadOnly {
            path: "/srv/liandong/T01".into(),
            since: 41,
            cause: "sync_data of /srv/liandong/T01/db: Input/output error".into(),
        };
        assert!(e.is_read_only() && !e.is_corruption() && !e.is_retryable());
        let text = e.to_string();
        assert!(text.contains("/srv/liandong/T01/db") && text.contains("restart"));
        let full = StoreError::DiskFull {
            path: "/srv".into(),
            free_mib: 1,
            reserve_mib: 64,
        };
        assert!(full.is_retryable() && !full.is_read_only());
    }
}
