//! Mutual TLS between Liandong nodes and the PKI that feeds it.
//!
//! Every node holds a certificate issued by the network's CA whose SAN URI is
//! its [`NodeId`](liandong_model::NodeId) (`liandong://township/T01`), plus a
//! DNS or IP SAN for dialling, and both server-auth and client-auth usages.
//!
//! - [`pki`]: the CA and node certificate files on disk (`pki init/issue/list`,
//!   development enrolment).
//! - [`config`]: [`TlsMaterial`] loaded from those files and the rustls
//!   server/client configurations built from it.
//! - [`verify`]: the identity checks webpki does not do (a peer must carry a
//!   `liandong://` SAN URI; a server must be the node the client expects)
//!   and [`peer_identity`].
//! - [`transport`]: the accept stream for tonic's `serve_with_incoming` and
//!   the connector behind [`connect_channel`].
//!
//! Invariants: both sides always require a certificate chaining to the CA
//! *and* a liandong identity; a client accepts only the server identity its
//! config was built for ([`client_config`] takes it), so a child refuses
//! any node other than its parent at the handshake; ALPN is `h2`; our
//! rustls configs carry their own ring provider, so they work whatever
//! provider is installed process-wide.
//!
//! - [`revocation`]: the live revocation list both verifiers consult at every
//!   handshake, fed from the replicated revocation records.
//!
//! Not done yet: certificate rotation without restart, authorising client
//! roles at the handshake (a server accepts any node of the CA; the
//! replication service decides who may do what from [`peer_identity`]).

pub mod config;
mod error;
pub mod pki;
pub mod revocation;
pub mod transport;
pub mod verify;

#[cfg(test)]
mod tests;

pub use config::{
    client_config, client_config_with, server_config, server_config_with, ClientTls, ServerTls,
    TlsMaterial,
};
pub use error::{PkiError, TlsError, UnexpectedServer};
pub use pki::{
    ensure_dev_node_cert, init_ca, list_certs, write_node_cert, Ca, CaCreated, CertInfo,
    IssuedCert, NodeTlsFiles,
};
pub use revocation::Revocations;
pub use transport::{
    connect_channel, connect_channel_lazy, connect_channel_via, server_builder, tls_incoming,
    tls_incoming_from, tls_incoming_with, BoxConnection, ChannelOptions, Connection, DialFuture,
    Dialer, IncomingOptions, Listener, NodeConnector, SharedDialer, TcpDialer, TlsIncoming,
};
pub use verify::{cert_not_after, describe_handshake_error, peer_identity};

/// Installs rustls' ring provider as the process default, once.
///
/// Idempotent and never panics: if a provider (ring or another) is already
/// installed, that one stays. Our own configs do not depend on it; tonic's
/// built-in TLS and other libraries do.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
