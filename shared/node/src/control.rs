//! The local control socket: how clerk and admin commands talk to the
//! running node on the same machine. A Unix socket under the node's data
//! directory (`control.sock`); one JSON request per line, one JSON reply per
//! line. It never needs the county: commands act on the local node.
//!
//! A failed call is answered with [`Reply::Error`], the node's error as
//! data ([`ErrorReply`]: its kind and the refusal or the fields), never
//! as text: the caller renders it in the clerk's language.
//!
//! Access: the socket is bound inside a fresh directory of mode 0700, set
//! to mode 0600 there, and only then renamed into place, so there is no
//! moment at which another user could connect. The peer's uid (from the
//! kernel, `SO_PEERCRED`) goes with every call into the audit log. Every
//! request but `status`, `login` (and the CLI's own `health`/`help`)
//! carries the session token of a signed-in staff member
//! ([`crate::identity`]).

mod messages;

use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::error::ErrorReply;
use crate::shutdown::Shutdown;

pub use messages::{
    AgentInput, ApplicantInput, Call, CaseAction, CaseFilter, Reply, Request, WarningColour,
};

pub const SOCKET_NAME: &str = "control.sock";

/// Largest request line accepted.
const MAX_LINE: usize = 64 * 1024;

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Handles one request; implemented by the node.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, call: Call) -> impl std::future::Future<Output = Reply> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("no node is running with data directory {dir} (no {SOCKET_NAME} there); start it with `{start}`")]
    NotRunning { dir: PathBuf, start: String },
    #[error("talking to the node at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the node at {path} sent an unreadable reply: {detail}")]
    BadReply { path: PathBuf, detail: String },
}

impl ControlError {
    /// No node serves the socket: start it (the command is in the error).
    pub fn is_not_running(&self) -> bool {
        matches!(self, ControlError::NotRunning { .. })
    }
}

/// Binds the socket (replacing a stale one) and serves until shutdown.
pub fn serve<H: Handler>(
    data_dir: &Path,
    handler: std::sync::Arc<H>,
    shutdown: &Shutdown,
) -> std::io::Result<PathBuf> {
    let path = socket_path(data_dir);
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!("another node is already serving {}", path.display()),
            ));
        }
        std::fs::remove_file(&path)?;
    }
    let listener = bind_private(&path)?;
    let sd = shutdown.clone();
    let cleanup = path.clone();
    shutdown.spawn("control-socket", async move {
        loop {
            tokio::select! {
                _ = sd.triggered() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let h = handler.clone();
                        let uid = stream.peer_cred().ok().map(|c| c.uid());
                        sd.spawn("control-conn", async move { connection(stream, h, uid).await });
                    }
                    Err(e) => tracing::warn!(error = %e, "control socket accept failed"),
                },
            }
        }
        let _ = std::fs::remove_file(&cleanup);
    });
    Ok(path)
}

/// Binds the socket at `path` with mode 0600 before anyone can reach it:
/// bound in a new private directory beside it, chmod-ed there, then renamed.
fn bind_private(path: &Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let dir = path.with_extension(format!("bind-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    let inner = dir.join(SOCKET_NAME);
    let bound = (|| {
        let listener = UnixListener::bind(&inner)?;
        std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&inner, path)?;
        Ok(listener)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    bound
}

async fn connection<H: Handler>(
    stream: UnixStream,
    handler: std::sync::Arc<H>,
    peer_uid: Option<u32>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).take(MAX_LINE as u64 * 16).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let reply = match decode_request(&line) {
            Ok(mut call) => {
                call.peer_uid = peer_uid;
                handler.handle(call).await
            }
            Err(refused) => refused,
        };
        let mut out = serde_json::to_string(&reply).unwrap_or_default();
        out.push('\n');
        if write.write_all(out.as_bytes()).await.is_err() {
            break;
        }
    }
}

/// Reads one request line; a line too large or unreadable is answered
/// with the [`Reply::Error`] to send back.
pub fn decode_request(line: &str) -> Result<Call, Reply> {
    if line.len() > MAX_LINE {
        return Err(Reply::Error {
            error: ErrorReply::internal("request too large"),
        });
    }
    serde_json::from_str::<Call>(line).map_err(|e| Reply::Error {
        error: ErrorReply::internal(format!("unreadable request: {e}")),
    })
}

/// Sends one request to the node whose data directory is `data_dir`.
/// `start` is the command that would start it (for the error message).
pub async fn call(data_dir: &Path, start: &str, req: &Call) -> Result<Reply, ControlError> {
    let path = socket_path(data_dir);
    let stream = UnixStream::connect(&path)
        .await
        .map_err(|_| ControlError::NotRunning {
            dir: data_dir.to_path_buf(),
            start: start.to_string(),
        })?;
    let io = |source| ControlError::Io {
        path: path.clone(),
        source,
    };
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_string(req).unwrap_or_default();
    line.push('\n');
    write.write_all(line.as_bytes()).await.map_err(io)?;
    let mut reply = String::new();
    BufReader::new(read)
        .read_line(&mut reply)
        .await
        .map_err(io)?;
    serde_json::from_str(&reply).map_err(|e| ControlError::BadReply {
        path: path.clone(),
        detail: e.to_string(),
    })
}
