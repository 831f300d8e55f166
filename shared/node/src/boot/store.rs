//! Opening a node's store at boot, waiting out the store lock of a previous
//! process that is still exiting (a supervisor restarting the node right
//! after killing it).
//!
//! sled takes an exclusive `flock` on `<data>/db` and refuses to open a
//! store another process (or another handle in this process) holds. When
//! [`Store::open`] fails, this module probes that lock itself; if it is
//! held, it says so once (`warn!`, naming the holder when `/proc/locks`
//! tells) and retries until the lock is free or the wait is over; then the
//! error names the data directory and, when it can, the process holding it.
//! Any other open failure is returned at once.
//!
//! Blocking (it sleeps between attempts): call it on the blocking pool. The
//! wait is real time, not the node's injected clock: it waits for a real
//! operating-system lock. The store itself is not changed by any of this.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use liandong_model::NodeId;
use liandong_store::{Store, StoreError, StoreOptions};

/// How long a starting node waits for the store lock of a previous process.
pub const STORE_LOCK_WAIT: Duration = Duration::from_secs(10);

/// Time between attempts while the lock is held.
const RETRY_EVERY: Duration = Duration::from_millis(100);

/// Why the store could not be opened at boot.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the store at {path} is still locked by {holder} after waiting {waited_s:.1} s; stop that process (or let it finish exiting) and start again", path = .path.display(), waited_s = .waited.as_secs_f32())]
    Locked {
        path: PathBuf,
        waited: Duration,
        holder: LockHolder,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who holds a store lock, as far as this machine tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockHolder {
    /// A process named in `/proc/locks` (its command name when readable).
    Process { pid: u32, name: Option<String> },
    /// The lock is held but no process could be named.
    Unknown { lock_file: PathBuf },
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockHolder::Process {
                pid,
                name: Some(name),
            } => write!(f, "process {pid} ({name})"),
            LockHolder::Process { pid, name: None } => write!(f, "process {pid}"),
            LockHolder::Unknown { lock_file } => write!(
                f,
                "another process or handle (this system does not say which holds {})",
                lock_file.display()
            ),
        }
    }
}

/// Opens the store of `me` at `path` as [`Store::open`] does, waiting up
/// to `wait` while another process (or handle) holds its lock.
pub fn open_store(
    path: &Path,
    me: &NodeId,
    opts: &StoreOptions,
    wait: Duration,
) -> Result<Store, OpenError> {
    let started = Instant::now();
    let mut warned = false;
    let mut freed_once = false;
    loop {
        let error = match Store::open(path, me, opts) {
            Ok(store) => {
                if warned {
                    tracing::info!(path = %path.display(), waited_ms = started.elapsed().as_millis() as u64, "store lock released; store opened");
                }
                return Ok(store);
            }
            Err(e) => e,
        };
        if !lock_held(path) {
            // Free now: either it was never the lock, or the holder let go
            // between the failed open and the probe; one more attempt tells.
            if freed_once {
                return Err(error.into());
            }
            freed_once = true;
            continue;
        }
        freed_once = false;
        let holder = lock_holder(path);
        if started.elapsed() >= wait {
            return Err(OpenError::Locked {
                path: path.to_path_buf(),
                waited: started.elapsed(),
                holder,
            });
        }
        if !warned {
            tracing::warn!(path = %path.display(), %holder, wait_s = wait.as_secs(), "waiting for the store lock held by {holder}");
            warned = true;
        }
        std::thread::sleep(RETRY_EVERY.min(wait.saturating_sub(started.elapsed())));
    }
}

/// The file sled locks.
fn lock_file(path: &Path) -> PathBuf {
    path.join("db")
}

/// Whether someone holds the store's lock right now (probed with the same
/// kind of lock sled takes, released at once).
fn lock_held(path: &Path) -> bool {
    let Ok(file) = File::options().read(true).write(true).open(lock_file(path)) else {
        return false;
    };
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => {
            let _ = fs4::FileExt::unlock(&file);
            false
        }
        Err(fs4::TryLockError::WouldBlock) => true,
        Err(fs4::TryLockError::Error(_)) => false,
    }
}

/// The process holding the store's lock, from `/proc/locks` (Linux).
fn lock_holder(path: &Path) -> LockHolder {
    let file = lock_file(path);
    let unknown = LockHolder::Unknown {
        lock_file: file.clone(),
    };
    let Some((dev, ino)) = file_id(&file) else {
        return unknown;
    };
    let Ok(table) = std::fs::read_to_string("/proc/locks") else {
        return unknown;
    };
    match holder_in(&table, dev, ino) {
        Some(pid) => LockHolder::Process {
            pid,
            name: std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .ok()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
        },
        None => unknown,
    }
}

#[cfg(unix)]
fn file_id(file: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(file).ok()?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_file: &Path) -> Option<(u64, u64)> {
    None
}

/// The pid of the first `/proc/locks` entry on inode `ino`, preferring one
/// whose device (`MAJOR:MINOR` in hex) is `dev`.
fn holder_in(table: &str, dev: u64, ino: u64) -> Option<u32> {
    let (major, minor) = split_dev(dev);
    let mut on_inode = None;
    for line in table.lines() {
        // "1: FLOCK  ADVISORY  WRITE 32583 fe:00:5308654 0 EOF"; a blocked
        // waiter's line has "->" after the number.
        let fields: Vec<&str> = line.split_whitespace().filter(|f| *f != "->").collect();
        let (Some(pid), Some(id)) = (fields.get(4), fields.get(5)) else {
            continue;
        };
        let mut parts = id.split(':');
        let (Some(maj), Some(min), Some(inode)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if inode.parse::<u64>().ok() != Some(ino) {
            continue;
        }
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let same_dev = u64::from_str_radix(maj, 16).ok() == Some(major)
            && u64::from_str_radix(min, 16).ok() == Some(minor);
        if same_dev {
            return Some(pid);
        }
        on_inode.get_or_insert(pid);
    }
    on_inode
}

/// Linux's encoding of a device number into (major, minor).
fn split_dev(dev: u64) -> (u64, u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_is_read_from_a_proc_locks_table() {
        let table = "1: FLOCK  ADVISORY  WRITE 32583 fe:00:5308654 0 EOF\n\
                     2: FLOCK  ADVISORY  WRITE 777 08:01:42 0 EOF\n\
                     2: -> FLOCK  ADVISORY  WRITE 778 08:01:42 0 EOF\n";
        let dev = (0x08 << 8) | 0x01;
        assert_eq!(holder_in(table, dev, 42), Some(777));
        assert_eq!(holder_in(table, 0, 5308654), Some(32583));
        assert_eq!(holder_in(table, dev, 43), None);
    }

    #[test]
    fn an_unknown_holder_names_the_lock_file() {
        let holder = LockHolder::Unknown {
            lock_file: PathBuf::from("/srv/liandong/T01/db"),
        };
        assert!(holder.to_string().contains("/srv/liandong/T01/db"));
    }
}
