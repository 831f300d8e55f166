//! A node's TLS material (CA roots, its chain and key, its identity) and the
//! rustls configurations built from it.
//!
//! Invariants: [`TlsMaterial::load`] refuses a node certificate that has no
//! liandong identity, so a misissued certificate fails at start-up rather
//! than at the first peer. Server configs require a client certificate;
//! both configs check the peer's liandong identity (see [`super::verify`])
//! and offer ALPN `h2` only. A client config is built for one server: it
//! accepts only the node identity it was given (a child's parent). Each
//! config carries the ring provider explicitly, independent of the process
//! default.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// A server-side TLS configuration, as the accept stream takes it.
pub type ServerTls = Arc<ServerConfig>;

/// A client-side TLS configuration, as the uplink takes it.
pub type ClientTls = Arc<ClientConfig>;

use super::pki::NodeTlsFiles;
use super::verify::{peer_identity, LiandongClientVerifier, LiandongServerVerifier};
use super::{Revocations, TlsError};
use liandong_model::NodeId;

/// ALPN protocol spoken on every connection: HTTP/2 for gRPC.
const ALPN_H2: &[u8] = b"h2";

/// Everything a node needs to speak mutual TLS, loaded from [`NodeTlsFiles`].
#[derive(Debug)]
pub struct TlsMaterial {
    roots: Arc<RootCertStore>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    identity: NodeId,
    not_after: chrono::DateTime<chrono::Utc>,
}

impl TlsMaterial {
    /// Reads the CA, the node's certificate chain and its key. Errors name the file.
    pub fn load(files: &NodeTlsFiles) -> Result<TlsMaterial, TlsError> {
        let ca_certs = read_certs(&files.ca)?;
        let mut roots = RootCertStore::empty();
        for cert in ca_certs {
            roots.add(cert).map_err(|e| TlsError::BadCa {
                path: files.ca.clone(),
                reason: e.to_string(),
            })?;
        }
        let chain = read_certs(&files.cert)?;
        let key = read_key(&files.key)?;
        let own = |source| TlsError::OwnIdentity {
            path: files.cert.clone(),
            source: Box::new(source),
        };
        let identity = peer_identity(&chain[0]).map_err(own)?;
        let not_after = super::verify::cert_not_after(&chain[0]).map_err(own)?;
        Ok(TlsMaterial {
            roots: Arc::new(roots),
            chain,
            key,
            identity,
            not_after,
        })
    }

    /// This node's identity, read from its own certificate.
    pub fn identity(&self) -> &NodeId {
        &self.identity
    }

    /// When this node's certificate expires.
    pub fn not_after(&self) -> chrono::DateTime<chrono::Utc> {
        self.not_after
    }
}

/// Server configuration: client certificates are required, must chain to the
/// CA and must carry a liandong identity. ALPN `h2`.
pub fn server_config(m: &TlsMaterial) -> Result<Arc<ServerConfig>, TlsError> {
    server_config_with(m, &Revocations::new())
}

/// [`server_config`] whose verifier also refuses revoked certificates,
/// consulting the live list on every handshake.
pub fn server_config_with(
    m: &TlsMaterial,
    revocations: &Revocations,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = ring_provider();
    let config_error = |reason: String| TlsError::Config {
        side: "server",
        reason,
    };
    let webpki = WebPkiClientVerifier::builder_with_provider(m.roots.clone(), provider.clone())
        .build()
        .map_err(|e| config_error(e.to_string()))?;
    let verifier = Arc::new(LiandongClientVerifier {
        inner: webpki,
        revocations: revocations.clone(),
    });
    // No session resumption: a resumed session skips certificate
    // verification, which would let a revoked node back in.
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(m.chain.clone(), m.key.clone_key())
        .map_err(|e| config_error(e.to_string()))?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// Client configuration for reaching `server`: the server's chain must
/// verify against the CA for the dialled name, and its certificate must
/// name `server` (any other node, even one of the same CA, is refused at the
/// handshake); presents this node's certificate. ALPN `h2`.
pub fn client_config(m: &TlsMaterial, server: &NodeId) -> Result<Arc<ClientConfig>, TlsError> {
    client_config_with(m, server, &Revocations::new())
}

/// [`client_config`] whose verifier also refuses a revoked server certificate.
pub fn client_config_with(
    m: &TlsMaterial,
    server: &NodeId,
    revocations: &Revocations,
) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = ring_provider();
    let config_error = |reason: String| TlsError::Config {
        side: "client",
        reason,
    };
    let webpki = WebPkiServerVerifier::builder_with_provider(m.roots.clone(), provider.clone())
        .build()
        .map_err(|e| config_error(e.to_string()))?;
    let verifier = Arc::new(LiandongServerVerifier {
        inner: webpki,
        revocations: revocations.clone(),
        expected: server.clone(),
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(m.chain.clone(), m.key.clone_key())
        .map_err(|e| config_error(e.to_string()))?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    // Full handshakes only (see server_config_with).
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

fn ring_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_file(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|e| TlsError::ReadFile {
        path: path.to_path_buf(),
        source: Arc::new(e),
    })
}

/// All certificates in a PEM file, in order; at least one.
fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read_file(path)?;
    let no_cert = |reason: String| TlsError::NoCertificate {
        path: path.to_path_buf(),
        reason,
    };
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| no_cert(e.to_string()))?;
    if certs.is_empty() {
        return Err(no_cert("no CERTIFICATE section found".to_string()));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read_file(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::NoPrivateKey {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}
