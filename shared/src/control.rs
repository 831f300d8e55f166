//! The local control socket: how clerk and admin commands talk to the
//! running node on the same machine. A Unix socket under the node's data
//! directory (`control.sock`); one JSON request per line, one JSON reply per
//! line. It never needs the county: commands act on the local node.
//!
//! Access is the file system's: the socket is created mode 0600.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::node::{CaseSummary, NodeStatus};
use crate::shutdown::Shutdown;

pub const SOCKET_NAME: &str = "control.sock";

/// Largest request line accepted.
const MAX_LINE: usize = 64 * 1024;

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case")]
pub enum Request {
    AcceptCase {
        matter: String,
        applicant_name: String,
        applicant_id: String,
    },
    ListCases {
        origin: Option<String>,
    },
    PutMatter {
        code: String,
        name: String,
        township_level: bool,
        promised_days: u16,
        statutory_days: u16,
        department: String,
    },
    Status,
    /// Revoke every certificate of a node issued until now (county only).
    Revoke {
        node: String,
        reason: String,
    },
    /// Online backup to a file on the node's machine (absolute path).
    Backup {
        path: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "kebab-case")]
pub enum Reply {
    Case(CaseSummary),
    Cases { cases: Vec<CaseSummary> },
    Done { message: String },
    Status(Box<NodeStatus>),
    Error { message: String },
}

/// Handles one request; implemented by the node.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: Request) -> impl std::future::Future<Output = Reply> + Send;
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
    let listener = UnixListener::bind(&path)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    let sd = shutdown.clone();
    let cleanup = path.clone();
    shutdown.spawn("control-socket", async move {
        loop {
            tokio::select! {
                _ = sd.triggered() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let h = handler.clone();
                        sd.spawn("control-conn", async move { connection(stream, h).await });
                    }
                    Err(e) => tracing::warn!(error = %e, "control socket accept failed"),
                },
            }
        }
        let _ = std::fs::remove_file(&cleanup);
    });
    Ok(path)
}

async fn connection<H: Handler>(stream: UnixStream, handler: std::sync::Arc<H>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).take(MAX_LINE as u64 * 16).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let reply = if line.len() > MAX_LINE {
            Reply::Error {
                message: "request too large".into(),
            }
        } else {
            match serde_json::from_str::<Request>(&line) {
                Ok(req) => handler.handle(req).await,
                Err(e) => Reply::Error {
                    message: format!("unreadable request: {e}"),
                },
            }
        };
        let mut out = serde_json::to_string(&reply).unwrap_or_default();
        out.push('\n');
        if write.write_all(out.as_bytes()).await.is_err() {
            break;
        }
    }
}

/// Sends one request to the node whose data directory is `data_dir`.
/// `start` is the command that would start it (for the error message).
pub async fn call(data_dir: &Path, start: &str, req: &Request) -> Result<Reply, ControlError> {
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
