//! Typed errors of the TLS layer: [`PkiError`] for the on-disk CA and node
//! certificates, [`TlsError`] for loading TLS material, building rustls
//! configurations, reading peer identities and connecting, and
//! [`UnexpectedServer`] for a server whose certificate names another node
//! than the one the client dialled for.
//!
//! Invariants: every message names the file, node or server it is about and
//! says what the operator should do; nothing is a catch-all `Message(String)`.
//! [`TlsError`] is `Clone` (I/O sources are behind `Arc`) so a connector error
//! can be recovered from tonic's boxed error chain.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use liandong_model::{NodeId, NodeIdError};

/// Errors of the on-disk PKI: the CA directory and node certificate files.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot read {path}: {source}; check the path and that this user may read it")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}; check that the directory exists and is writable")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot list {dir}: {source}; check the PKI directory path")]
    ListDir { dir: PathBuf, source: io::Error },
    #[error(
        "{present} exists but {missing} does not: the CA in {dir} is incomplete; restore the \
         missing file from backup or move both away and run `county-node pki init` again"
    )]
    CaIncomplete {
        dir: PathBuf,
        present: PathBuf,
        missing: PathBuf,
    },
    #[error(
        "no CA certificate in {dir} (expected ca.pem): run `county-node pki init --dir {dir}` \
         on the CA machine, or copy its ca.pem here"
    )]
    CaMissing { dir: PathBuf },
    #[error(
        "no CA key in {dir} (expected ca.key): certificates are issued on the machine that \
         holds the CA key; run `county-node pki issue` there"
    )]
    CaKeyMissing { dir: PathBuf },
    #[error("{path} is not a usable certificate: {reason}; re-issue it or restore it from backup")]
    BadCert { path: PathBuf, reason: String },
    #[error("{path} is not a usable private key: {reason}; restore it from backup or re-issue")]
    BadKey { path: PathBuf, reason: String },
    #[error("cannot generate {what}: {source}")]
    Generate {
        what: &'static str,
        source: rcgen::Error,
    },
    #[error("invalid host `{host}` for a certificate: use a DNS name or an IP address")]
    InvalidHost { host: String },
    #[error("invalid validity of {days} days: use at least 1 day")]
    InvalidValidity { days: u32 },
    #[error(
        "a certificate for {node} valid {days} days would outlive the CA (expires {ca_not_after}); \
         ask for fewer days or renew the CA first"
    )]
    ValidityBeyondCa {
        node: NodeId,
        days: u32,
        ca_not_after: chrono::DateTime<chrono::Utc>,
    },
    #[error(
        "{path} belongs to {found}, not {expected}: the certificate files were mixed up; \
         copy the files issued for {expected}"
    )]
    WrongIdentity {
        path: PathBuf,
        expected: NodeId,
        found: String,
    },
    #[error(
        "no certificate for {node} in {dir} and no CA key there to issue one: run \
         `county-node pki issue --role {role} --id {name}` on the CA machine and copy \
         {cert_file}, {key_file} and ca.pem into {dir}",
        role = node.role(),
        name = node.name(),
    )]
    NodeCertMissing {
        node: NodeId,
        dir: PathBuf,
        cert_file: String,
        key_file: String,
    },
}

/// Errors of TLS material, rustls configuration, peer identity and connecting.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}; check the TLS file paths in the config")]
    ReadFile {
        path: PathBuf,
        source: Arc<io::Error>,
    },
    #[error("{path} holds no PEM certificate: {reason}; point the config at the node's .pem file")]
    NoCertificate { path: PathBuf, reason: String },
    #[error("{path} holds no PEM private key: {reason}; point the config at the node's .key file")]
    NoPrivateKey { path: PathBuf, reason: String },
    #[error(
        "CA certificate in {path} is unusable: {reason}; copy ca.pem from the CA machine again"
    )]
    BadCa { path: PathBuf, reason: String },
    #[error("the node certificate {path} does not identify a node: {source}")]
    OwnIdentity {
        path: PathBuf,
        source: Box<TlsError>,
    },
    #[error("cannot build the TLS {side} configuration: {reason}; check that the key matches the certificate")]
    Config { side: &'static str, reason: String },
    #[error("certificate is not valid X.509: {reason}")]
    ParseCert { reason: String },
    #[error(
        "certificate has no liandong identity (SAN URI liandong://ROLE/NAME); \
         issue node certificates with `county-node pki issue`"
    )]
    NoIdentity,
    #[error(
        "certificate carries more than one liandong identity ({first}, {second}); re-issue it"
    )]
    AmbiguousIdentity { first: String, second: String },
    #[error("certificate identity `{uri}` is malformed: {source}")]
    BadIdentity { uri: String, source: NodeIdError },
    #[error("`{name}` is not a valid TLS server name: use the DNS name or IP the server's certificate lists")]
    InvalidServerName { name: String },
    #[error("`{addr}` is not a dial address: use host:port")]
    InvalidAddress { addr: String },
    #[error("cannot reach {addr}: {source}; check the address and that the server is running")]
    Dial {
        addr: String,
        source: Arc<io::Error>,
    },
    #[error("connecting to {server} timed out after {after:?}; check the network path to it")]
    ConnectTimeout { server: String, after: Duration },
    #[error("TLS handshake with {server} failed: {reason}")]
    Handshake { server: String, reason: String },
    #[error("connection to {server} broke during the TLS handshake: {source}")]
    HandshakeIo {
        server: String,
        source: Arc<io::Error>,
    },
    #[error("cannot open a gRPC channel to {server}: {reason}")]
    Channel { server: String, reason: String },
    #[error(
        "TLS handshake with {server} refused: {mismatch}; that address reaches another node: \
         check the configured address, or the certificate installed on the server there"
    )]
    WrongServer {
        server: String,
        mismatch: UnexpectedServer,
    },
}

/// A server whose certificate chains to the CA but names another node than
/// the one the client's configuration expects. The client's verifier
/// refuses the handshake with it; the connector turns it into
/// [`TlsError::WrongServer`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("server is {presented}, expected {expected}")]
pub struct UnexpectedServer {
    /// The node the client was configured to reach.
    pub expected: NodeId,
    /// The node the server's certificate names.
    pub presented: NodeId,
}

impl TlsError {
    /// Whether trying the same thing again later can succeed without an
    /// operator changing certificates or configuration.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TlsError::Dial { .. }
                | TlsError::ConnectTimeout { .. }
                | TlsError::HandshakeIo { .. }
                | TlsError::Channel { .. }
        )
    }

    /// Whether the peer's certificate (or the peer refusing ours) is the cause:
    /// an operator must fix certificates on one side.
    pub fn is_certificate_problem(&self) -> bool {
        matches!(
            self,
            TlsError::Handshake { .. }
                | TlsError::WrongServer { .. }
                | TlsError::NoIdentity
                | TlsError::AmbiguousIdentity { .. }
                | TlsError::BadIdentity { .. }
        )
    }

    /// The identities involved when the server answered with another
    /// node's certificate: the address reaches the wrong node, and retrying
    /// cannot help until an operator fixes the address or that server.
    pub fn unexpected_server(&self) -> Option<&UnexpectedServer> {
        match self {
            TlsError::WrongServer { mismatch, .. } => Some(mismatch),
            _ => None,
        }
    }
}
