//! The sessions this node has opened, by token digest, and the sign-in
//! failure counter. Only digests are kept (a stolen `sessions.json` opens
//! nothing); the file is rewritten, mode 0600, whenever a session starts or
//! ends. When a session was last used is kept in memory only: after a
//! restart the idle clock starts again from the restart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use liandong_identity::lockout::Lockout;
use liandong_identity::token::SessionToken;

/// A session ends after this long without a command (8 hours).
pub const IDLE_LIMIT_MS: u64 = 8 * 3600 * 1000;

/// One open session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub staff: String,
    pub os_uid: Option<u32>,
    pub started_ms: u64,
    #[serde(skip)]
    pub last_used_ms: u64,
}

#[derive(Default, Serialize, Deserialize)]
struct SessionFile {
    /// Hex digest → session.
    sessions: HashMap<String, SessionInfo>,
}

/// Sessions and the failure counter of one node.
pub(crate) struct Identity {
    sessions: Mutex<SessionFile>,
    /// Unlocked seals by session digest (memory only).
    seals: Mutex<HashMap<String, super::SealHandle>>,
    pub(crate) lockout: Mutex<Lockout>,
    file: Option<PathBuf>,
}

fn hex(digest: [u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Identity {
    /// Sessions persisted in `file`; an unreadable file starts empty (and
    /// is logged): everyone signs in again, nothing else is lost.
    pub(crate) fn load(file: &Path, now_ms: u64) -> Identity {
        let mut sessions = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice::<SessionFile>(&bytes).unwrap_or_else(|e| {
                tracing::warn!(file = %file.display(), error = %e, "unreadable session file: every session ends; staff sign in again");
                SessionFile::default()
            }),
            Err(_) => SessionFile::default(),
        };
        for s in sessions.sessions.values_mut() {
            s.last_used_ms = now_ms;
        }
        Identity {
            sessions: Mutex::new(sessions),
            seals: Mutex::new(HashMap::new()),
            lockout: Mutex::new(Lockout::new()),
            file: Some(file.to_path_buf()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SessionFile> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn lockout(&self) -> std::sync::MutexGuard<'_, Lockout> {
        self.lockout.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a session and returns its token.
    pub(crate) fn open(&self, staff: &str, os_uid: Option<u32>, now_ms: u64) -> SessionToken {
        let token = SessionToken::new_random();
        let mut s = self.lock();
        s.sessions.insert(
            hex(token.digest()),
            SessionInfo {
                staff: staff.to_string(),
                os_uid,
                started_ms: now_ms,
                last_used_ms: now_ms,
            },
        );
        self.persist(&s);
        token
    }

    fn seals(&self) -> std::sync::MutexGuard<'_, HashMap<String, super::SealHandle>> {
        self.seals.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps a chief representative's unlocked seal with his session.
    pub(crate) fn attach_seal(&self, token: &SessionToken, seal: super::SealHandle) {
        self.seals().insert(hex(token.digest()), seal);
    }

    /// The unlocked seal of a session, if any.
    pub(crate) fn seal_of(&self, token: &SessionToken) -> Option<super::SealHandle> {
        self.seals().get(&hex(token.digest())).cloned()
    }

    /// The session of a token, touched as used now; `None` when there is
    /// none or it has been idle past the limit (it is then ended).
    pub(crate) fn touch(&self, token: &SessionToken, now_ms: u64) -> Option<SessionInfo> {
        let key = hex(token.digest());
        let mut s = self.lock();
        let idle = s
            .sessions
            .get(&key)
            .map(|i| now_ms.saturating_sub(i.last_used_ms) > IDLE_LIMIT_MS)?;
        if idle {
            s.sessions.remove(&key);
            self.seals().remove(&key);
            self.persist(&s);
            return None;
        }
        let info = s.sessions.get_mut(&key)?;
        info.last_used_ms = now_ms;
        Some(info.clone())
    }

    /// Ends one session; whether there was one.
    pub(crate) fn end(&self, token: &SessionToken) -> bool {
        let mut s = self.lock();
        let ended = s.sessions.remove(&hex(token.digest())).is_some();
        self.seals().remove(&hex(token.digest()));
        if ended {
            self.persist(&s);
        }
        ended
    }

    /// Ends every session of a staff member (account disabled).
    pub(crate) fn end_all_of(&self, staff: &str) -> usize {
        let mut s = self.lock();
        let before = s.sessions.len();
        let gone: Vec<String> = s
            .sessions
            .iter()
            .filter(|(_, i)| i.staff == staff)
            .map(|(k, _)| k.clone())
            .collect();
        let mut seals = self.seals();
        for key in &gone {
            s.sessions.remove(key);
            seals.remove(key);
        }
        drop(seals);
        let ended = before - s.sessions.len();
        if ended > 0 {
            self.persist(&s);
        }
        ended
    }

    fn persist(&self, s: &SessionFile) {
        let Some(file) = &self.file else { return };
        if let Err(e) = write_private(file, &serde_json::to_vec(s).unwrap_or_default()) {
            tracing::warn!(file = %file.display(), error = %e, "cannot save sessions: they end at the next restart");
        }
    }
}

/// Writes `bytes` to `path` through a temp file created mode 0600, then
/// renamed (never a moment where others can read it).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
