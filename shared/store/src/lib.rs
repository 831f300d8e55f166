//! The node's durable store: the only module that names sled.
//!
//! One sled tree holds everything under prefixed keys (see [`keys`]):
//! operations with their hash, the feed, per-peer outbox indexes, entity
//! indexes and views, per-peer cursors, scope digests and per-origin counts.
//! One tree means one `sled::Batch` applies a whole received batch
//! atomically, which is also several times faster than a multi-tree
//! transaction per operation on this kind of machine.
//!
//! Invariants:
//! - There is one write path ([`Store::apply`], also behind
//!   [`Store::append_local`]); it runs under the writer lock, dedups by op id,
//!   writes every index of an operation in the same batch, and returns only
//!   after the batch is durable (sled flush + `sync_data` of the log file
//!   and of any blob file, see `durable`). Nothing is acknowledged to a
//!   peer or a clerk before that.
//! - There is one commit (`Store::commit`, in `commit`): the only place
//!   where a batch is applied to the tree, flushed and synced, and where
//!   the durable state peers read (outbox heads, cursors, the feed head) is
//!   published and subscribers woken. The
//!   write path ends in it, and so does every other write: a peer's
//!   registration and outbox refill ([`Store::ensure_peer`]), the numbering
//!   epoch after a restore ([`Store::restore`]), the format and id rows of a
//!   new store ([`Store::open`]). Nothing else in the crate writes the tree
//!   (tests that damage a store on purpose aside).
//! - Write only what changed: a view, digest, per-origin count, peer record
//!   or meta row whose encoded bytes equal what is stored is not rewritten
//!   (a duplicate, an idempotent CRDT merge, an operation from a newer build
//!   that this one cannot fold); [`ApplyReport::keys_written`] says how many
//!   keys a batch wrote.
//! - Every stored value starts with a format byte ([`FORMAT_V1`] for
//!   postcard values, [`OP_RECORD_V2`] for operation records) and the store
//!   records its overall [`STORE_FORMAT`]; a store in another format is
//!   refused at open with what to do, never misread.
//! - Operations are the truth: every other key can be rebuilt from them
//!   (a restore does exactly that, through the write path). The
//!   supervision pass's rows (`checks`) are derived from them too: the
//!   write path marks every case it touches, and the next pass rebuilds
//!   a touched case's row.
//! - Each stored operation carries a blake3 hash of its bytes, checked when
//!   read; a mismatch is reported as corruption and never served.
//! - Reads for peers never go past what is durable: an outbox is read up to
//!   its published head, a cursor is the published one, a backup stops at
//!   the published feed head. sled serves a batch's keys as soon as it is
//!   applied, before it is synced; the published state moves only after.
//! - Local (clerk) writes are refused while the disk is below the free-space
//!   reserve ([`StoreError::DiskFull`]); replication goes on.
//! - Fail-stop: once a commit could not be made durable, every write is
//!   refused with [`StoreError::ReadOnly`] until the store is reopened;
//!   reads go on ([`Store::read_only`] says so, for status).
//!
//! Not yet: `verify` checks operations, feed, outboxes, the entity index and
//! the digest of everything, but not the views, per-peer digests, per-origin
//! counts or peer records.

mod backup;
mod checks;
mod commit;
mod digest;
mod durable;
mod error;
/// The key layout; public for the fuzz targets (`tests/fuzz`), not an API.
#[doc(hidden)]
pub mod keys;
mod peers;
mod read;
mod record;
mod verify;
mod views;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use commit::{Announce, CommitStats, Writes};
use durable::Durability;
use liandong_model::{HybridClock, NodeId, SkewBound};

pub use backup::{BackupSummary, RESTORE_SEQ_EPOCH};
pub use checks::{CheckPlan, CheckRow};
pub use digest::Digest;
pub use error::StoreError;
pub use liandong_model::{Cursor, Incarnation, OutboxChunk};
pub use read::changes::{CaseChange, CaseChanges, CaseFeed, CaseFeedEntry};
pub use read::StoreStats;
pub use record::StoredOp;
pub use verify::VerifyReport;
pub use views::{
    ComplaintView, CredentialEntry, EnquiryView, RevocationView, SealKeys, StoredCase,
};
pub use write::{ApplyReport, HeldOp, RejectionRecord, Source};

/// Format byte that opens every stored value.
pub const FORMAT_V1: u8 = 1;

/// Format byte of an operation record ([`StoredOp`]): 2 since records are
/// hand-laid (1 was a postcard encoding used only during development).
pub const OP_RECORD_V2: u8 = 2;

/// Format of the store as a whole, kept under `m format`. Version 3
/// length-prefixes every string in a key (see the `keys` module); version 2 (hand-laid
/// operation records, no case views) ended each with 0x00. A store of an
/// older format is refused at open ([`StoreError::OlderFormat`]): it is
/// carried across by a backup taken with the build that wrote it and a
/// restore with this one.
pub const STORE_FORMAT: u8 = 3;

/// Default sled page cache (sled's own default of 1 GiB makes RSS grow toward it).
pub const DEFAULT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The outbox this node keeps for one peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMeta {
    pub incarnation: Incarnation,
    pub head: u64,
}

/// What this node knows of a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerRecord {
    pub node: NodeId,
    /// The peer's store id as last seen in its hello; a change means the
    /// peer's store was rebuilt or restored, and its outbox is refilled.
    pub store_id: Option<Incarnation>,
    pub outbox: OutboxMeta,
}

/// Encodes a stored value with its format byte.
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![FORMAT_V1];
    // Serialising plain owned data into a Vec cannot fail.
    out.extend(postcard::to_stdvec(value).unwrap_or_default());
    out
}

/// Decodes a stored value, checking its format byte.
fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&FORMAT_V1, rest)) => {
            postcard::from_bytes(rest).map_err(|e| StoreError::corrupt(what, e))
        }
        Some((other, _)) => Err(StoreError::corrupt(what, format!("unknown format {other}"))),
        None => Err(StoreError::corrupt(what, "empty value")),
    }
}

/// A stored roster entry: the current layout, or the one written before
/// staff had centres (read as a staff member of the county hall).
fn decode_staff(bytes: &[u8]) -> Result<Option<liandong_domain::Staff>, StoreError> {
    decode::<Option<liandong_domain::Staff>>("staff", bytes).or_else(|e| {
        decode::<Option<liandong_domain::LegacyStaff>>("staff", bytes)
            .map(|old| old.map(liandong_domain::Staff::from))
            .map_err(|_| e)
    })
}

fn new_incarnation() -> Incarnation {
    rand::random()
}

/// In-memory copy of the meta rows the write path updates, guarded by the
/// writer lock. It mirrors what is stored (an absent row reads as the
/// default), so the write path compares against it instead of reading, and
/// it moves only in `Store::commit`, once the batch that persists it is
/// durable (never for a commit that failed).
#[derive(Debug, Clone)]
struct WriterState {
    feed_head: u64,
    next_local_seq: u64,
    clock: HybridClock,
    peers: BTreeMap<NodeId, PeerRecord>,
    /// Our cursor into each peer's outbox, as stored.
    cursors: BTreeMap<NodeId, Cursor>,
    /// Rejection records written so far (the next record's number).
    rejections: u64,
}

/// What readers for peers see: the peer records and cursors of the last
/// durable commit, published by `Store::commit` after the sync.
#[derive(Debug, Clone, Default)]
struct Published {
    peers: BTreeMap<NodeId, PeerRecord>,
    cursors: BTreeMap<NodeId, Cursor>,
}

/// Options for [`Store::open`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub cache_bytes: u64,
    /// Free space kept for replication: local (clerk) writes are refused
    /// when the file system has less than this free.
    pub reserve_bytes: u64,
    /// How far ahead of this node's clock a stored operation's stamp may
    /// move the node's HLC (the operation is stored whatever its stamp).
    pub skew: SkewBound,
}

/// Default free-space reserve.
pub const DEFAULT_RESERVE_BYTES: u64 = 64 * 1024 * 1024;

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_bytes: DEFAULT_CACHE_BYTES,
            reserve_bytes: DEFAULT_RESERVE_BYTES,
            skew: SkewBound::default(),
        }
    }
}

/// The store of one node.
pub struct Store {
    path: PathBuf,
    me: NodeId,
    db: sled::Db,
    durability: Durability,
    store_id: Incarnation,
    reserve_bytes: u64,
    skew: SkewBound,
    write_refusals: std::sync::atomic::AtomicU64,
    writer: Mutex<WriterState>,
    /// Durable peer records and cursors, readable without waiting for a
    /// writer that is flushing (the sync loop reads outbox heads on every
    /// commit), and never ahead of the disk.
    published: RwLock<Published>,
    /// The durable feed head, and the wake-up of subscribers.
    changes: tokio::sync::watch::Sender<u64>,
    commit_stats: CommitStats,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("me", &self.me)
            .finish()
    }
}

impl Store {
    /// Opens (or creates) the store of node `me` under `path`.
    pub fn open(path: &Path, me: &NodeId, opts: &StoreOptions) -> Result<Store, StoreError> {
        std::fs::create_dir_all(path)?;
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(opts.cache_bytes)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        // A new store's format and id rows, committed once the store exists.
        let mut init = Writes::default();
        match db.get(keys::META_FORMAT)?.and_then(|v| v.first().copied()) {
            Some(STORE_FORMAT) => {}
            Some(found) if found > STORE_FORMAT => {
                return Err(StoreError::NewerFormat {
                    path: path.to_path_buf(),
                    found,
                })
            }
            Some(found) => {
                return Err(StoreError::OlderFormat {
                    path: path.to_path_buf(),
                    found,
                })
            }
            None => init.insert(keys::META_FORMAT, vec![STORE_FORMAT]),
        }
        let store_id = match db.get(keys::META_STORE_ID)? {
            Some(v) => decode("store id", &v)?,
            None => {
                let id = new_incarnation();
                init.insert(keys::META_STORE_ID, encode(&id));
                id
            }
        };
        let writer = WriterState {
            feed_head: read_u64(&db, keys::META_FEED_HEAD)?,
            next_local_seq: read_u64(&db, keys::META_LOCAL_SEQ)? + 1,
            clock: HybridClock::resume(match db.get(keys::META_HLC)? {
                Some(v) => decode("clock", &v)?,
                None => Default::default(),
            }),
            peers: load_peers(&db)?,
            cursors: load_cursors(&db)?,
            rejections: read_u64(&db, keys::META_REJECTIONS)?,
        };
        let durability = Durability::open(path)?;
        let (changes, _) = tokio::sync::watch::channel(writer.feed_head);
        let published = RwLock::new(Published {
            peers: writer.peers.clone(),
            cursors: writer.cursors.clone(),
        });
        let store = Store {
            path: path.to_path_buf(),
            me: me.clone(),
            db,
            durability,
            store_id,
            reserve_bytes: opts.reserve_bytes,
            skew: opts.skew.clone(),
            write_refusals: Default::default(),
            writer: Mutex::new(writer),
            published,
            changes,
            commit_stats: Default::default(),
        };
        {
            let mut state = store.lock();
            store.commit(&mut state, init, Announce::Quiet, |_| {})?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn me(&self) -> &NodeId {
        &self.me
    }

    /// This store's identity; new when the store is created or rebuilt.
    pub fn store_id(&self) -> Incarnation {
        self.store_id
    }

    /// Wakes whenever the write path committed something (value: feed head).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        // The state is only replaced after a durable commit, so a panic in
        // another writer leaves it consistent with disk.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn published(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        self.published.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The feed head of the last durable commit.
    fn durable_feed_head(&self) -> u64 {
        *self.changes.borrow()
    }

    /// Refuses a write once the store has stopped taking writes.
    fn check_writable(&self) -> Result<(), StoreError> {
        match self.durability.refusal() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Set when a commit could not be made durable: the
    /// [`StoreError::ReadOnly`] every write now gets. Reads still work; the
    /// node reports this in status until it is restarted.
    pub fn read_only(&self) -> Option<StoreError> {
        self.durability.refusal()
    }

    /// Makes the next commit's sync fail as a failing disk would (tests of
    /// the fail-stop path; only with the `fault-injection` feature).
    #[cfg(any(test, feature = "fault-injection"))]
    pub fn inject_sync_failure_for_test(&self) {
        self.durability.fail_next_sync();
    }

    /// Refuses a local write when the disk is below the reserve.
    fn check_reserve(&self) -> Result<(), StoreError> {
        if self.reserve_bytes == 0 {
            return Ok(());
        }
        let free = fs4::available_space(&self.path)?;
        if free >= self.reserve_bytes {
            return Ok(());
        }
        self.write_refusals
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Err(StoreError::DiskFull {
            path: self.path.clone(),
            free_mib: free / (1024 * 1024),
            reserve_mib: self.reserve_bytes / (1024 * 1024),
        })
    }

    /// Local writes refused since start (disk below the reserve).
    pub fn write_refusals(&self) -> u64 {
        self.write_refusals
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A problem with the store's disk, if any, for status.
    pub fn disk_problem(&self) -> Option<String> {
        let free = fs4::available_space(&self.path).ok()?;
        (free < self.reserve_bytes).then(|| {
            format!(
                "disk nearly full: {} MiB free, below the {} MiB reserve; clerk writes are refused",
                free / (1024 * 1024),
                self.reserve_bytes / (1024 * 1024)
            )
        })
    }

    /// Bytes used on disk by the store's files.
    pub fn disk_bytes(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

fn read_u64(db: &sled::Db, key: &[u8]) -> Result<u64, StoreError> {
    match db.get(key)? {
        Some(v) => decode("meta counter", &v),
        None => Ok(0),
    }
}

fn load_cursors(db: &sled::Db) -> Result<BTreeMap<NodeId, Cursor>, StoreError> {
    let mut cursors = BTreeMap::new();
    for item in db.scan_prefix(keys::CURSOR_PREFIX) {
        let (k, v) = item?;
        let peer: NodeId = keys::leading_str(&k)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::corrupt("cursor key", "unparsable peer"))?;
        cursors.insert(peer, decode("cursor", &v)?);
    }
    Ok(cursors)
}

fn load_peers(db: &sled::Db) -> Result<BTreeMap<NodeId, PeerRecord>, StoreError> {
    let mut peers = BTreeMap::new();
    for item in db.scan_prefix(keys::PEER_PREFIX) {
        let (_, v) = item?;
        let rec: PeerRecord = decode("peer record", &v)?;
        peers.insert(rec.node.clone(), rec);
    }
    Ok(peers)
}

/// Opens a store just closed in the same process. sled releases its file
/// lock from its flusher thread after the last handle is dropped, not in
/// the drop itself (spacejam/sled#1234), so a reopen at once may find the
/// lock still held under load: retried for up to five seconds, on that
/// error only (sled reports it as an `Other` I/O error naming the lock). Nodes never reopen in-process; their boot waits for the
/// lock on its own (`liandong-node`'s `boot::store`).
#[cfg(test)]
pub(crate) fn open_after_close(
    path: &Path,
    me: &NodeId,
    options: &StoreOptions,
) -> Result<Store, StoreError> {
    let started = std::time::Instant::now();
    loop {
        match Store::open(path, me, options) {
            Err(StoreError::Open {
                source: sled::Error::Io(e),
                ..
            }) if e.to_string().contains("could not acquire lock")
                && started.elapsed() < std::time::Duration::from_secs(5) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_of_the_previous_format_is_refused_with_how_to_carry_it_across() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::township("T01").unwrap();
        let store = Store::open(dir.path(), &me, &StoreOptions::default()).unwrap();
        store
            .db
            .insert(keys::META_FORMAT, vec![STORE_FORMAT - 1])
            .unwrap();
        store.db.flush().unwrap();
        drop(store);
        let e = open_after_close(dir.path(), &me, &StoreOptions::default()).unwrap_err();
        assert!(
            matches!(e, StoreError::OlderFormat { found, .. } if found == STORE_FORMAT - 1),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("`backup --out FILE`") && text.contains("`restore --from FILE`"),
            "{text}"
        );
    }
}
