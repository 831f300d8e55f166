//! Why a node did not start. Each variant names the file, address or
//! setting it is about and says what to do; [`StartError::is_store_problem`]
//! lets the binaries exit with the store-problem code.

use std::net::SocketAddr;
use std::path::PathBuf;

use liandong_net::tls::{PkiError, TlsError};

use super::store::OpenError;
use crate::config::ConfigError;
use crate::error::NodeError;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("opening the {role} store at {path}", path = .path.display())]
    Store {
        role: &'static str,
        path: PathBuf,
        #[source]
        source: OpenError,
    },
    #[error("binding the {what} address {addr} (setting `{setting}`)")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        setting: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("creating the first hall-management account in the new store at {path}: {detail}; check that the data directory is writable", path = .path.display())]
    InitialAdmin { path: PathBuf, detail: String },
    #[error("control socket in {path}", path = .path.display())]
    Control {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("loading the revocation list from the store at {path}; refusing to accept or dial peers without it; stop the node and run `verify` on that store", path = .path.display())]
    Revocations {
        path: PathBuf,
        #[source]
        source: NodeError,
    },
    /// The bridge's API token file cannot be read or made.
    #[error(transparent)]
    Token(#[from] crate::bridge::TokenError),
    /// The bridge's idempotency journal cannot be read or made.
    #[error(transparent)]
    Journal(#[from] crate::bridge::JournalError),
    /// The bridge's webhook cursor cannot be read.
    #[error(transparent)]
    Webhook(#[from] crate::bridge::webhook::WebhookStartError),
    #[error("a start-up task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl StartError {
    /// The store could not be opened or read (disk, corruption, lock).
    pub fn is_store_problem(&self) -> bool {
        matches!(
            self,
            StartError::Store { .. }
                | StartError::Revocations { .. }
                | StartError::Journal(_)
                | StartError::Webhook(_)
        )
    }

    /// A setting is wrong: fix the config file, environment or flag named.
    pub fn is_config_problem(&self) -> bool {
        matches!(self, StartError::Config(_) | StartError::Bind { .. })
    }
}
