//! Tests of the TLS layer: PKI files, rustls configs, raw handshakes, gRPC
//! over the accept stream and connector, and the client's check of the
//! server's identity. All on temporary directories and `127.0.0.1:0`.
//!
//! Fixtures: one network CA with a county certificate (hosts `localhost`,
//! `127.0.0.1`) and a township certificate; a second, foreign CA; and
//! certificates without a liandong identity made with rcgen directly.

mod handshake;
mod pki;
mod server_identity;
mod transport;

use std::path::Path;
use std::sync::Arc;

use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tempfile::TempDir;

use super::*;
use liandong_model::{NodeId, Role};

pub(super) fn county() -> NodeId {
    NodeId::new(Role::County, "county").unwrap()
}

pub(super) fn township() -> NodeId {
    NodeId::new(Role::Township, "T01").unwrap()
}

pub(super) fn server_hosts() -> Vec<String> {
    vec!["localhost".to_string(), "127.0.0.1".to_string()]
}

/// A PKI directory with a CA and the county and township certificates.
pub(super) struct Network {
    pub dir: TempDir,
    pub county: TlsMaterial,
    pub township: TlsMaterial,
}

/// Shows `warn!` lines (refusals) in the output of failing tests.
fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("shared=debug")
        .try_init();
}

impl Network {
    pub fn new() -> Network {
        init_logs();
        let dir = TempDir::new().unwrap();
        init_ca(dir.path()).unwrap();
        let county = issue_into(dir.path(), &county(), &server_hosts());
        let township = issue_into(dir.path(), &township(), &[]);
        Network {
            county: TlsMaterial::load(&county).unwrap(),
            township: TlsMaterial::load(&township).unwrap(),
            dir,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A client config presenting an EXPIRED certificate for `node` from
    /// this network's CA (identity and usages otherwise valid).
    pub fn expired_client(&self, node: &NodeId) -> Arc<ClientConfig> {
        let ca_pem = std::fs::read_to_string(self.path().join("ca.pem")).unwrap();
        let ca_key =
            KeyPair::from_pem(&std::fs::read_to_string(self.path().join("ca.key")).unwrap())
                .unwrap();
        let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key).unwrap();
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![rcgen::SanType::URI(
            rcgen::string::Ia5String::try_from(node.uri()).unwrap(),
        )];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = std::time::SystemTime::now();
        params.not_before = (now - std::time::Duration::from_secs(3 * 86_400)).into();
        params.not_after = (now - std::time::Duration::from_secs(86_400)).into();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        let chain = vec![CertificateDer::from_pem_slice(cert.pem().as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap();
        anonymous_configs(&self.path().join("ca.pem"), chain, key).0
    }

    /// Client and server configs of a node without a liandong SAN URI,
    /// issued by this network's CA.
    pub fn anonymous_configs(&self) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
        let issued = cert_without_identity(self.path());
        let chain = vec![CertificateDer::from_pem_slice(issued.cert_pem.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(issued.key_pem.as_bytes()).unwrap();
        anonymous_configs(&self.path().join("ca.pem"), chain, key)
    }
}

/// Issues a certificate for `node` from the CA in `ca_dir` and writes it there.
pub(super) fn issue_into(ca_dir: &Path, node: &NodeId, hosts: &[String]) -> NodeTlsFiles {
    let issued = Ca::load(ca_dir).unwrap().issue(node, hosts, 30).unwrap();
    write_node_cert(ca_dir, node, &issued, ca_dir).unwrap()
}

/// Material for `node` whose certificate comes from a different CA (same
/// names, wrong issuer) but which trusts the network's CA in `trusted_ca_dir`:
/// so the peer, not this side, is the one that refuses.
pub(super) fn foreign_material(
    trusted_ca_dir: &Path,
    node: &NodeId,
    hosts: &[String],
) -> (TempDir, TlsMaterial) {
    let dir = TempDir::new().unwrap();
    init_ca(dir.path()).unwrap();
    let mut files = issue_into(dir.path(), node, hosts);
    files.ca = trusted_ca_dir.join("ca.pem");
    let material = TlsMaterial::load(&files).unwrap();
    (dir, material)
}

/// A leaf from the CA in `ca_dir` with DNS/IP SANs and both usages but no
/// `liandong://` URI.
fn cert_without_identity(ca_dir: &Path) -> IssuedCert {
    let ca_pem = std::fs::read_to_string(ca_dir.join("ca.pem")).unwrap();
    let ca_key =
        KeyPair::from_pem(&std::fs::read_to_string(ca_dir.join("ca.key")).unwrap()).unwrap();
    let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key).unwrap();
    let mut params = CertificateParams::new(server_hosts()).unwrap();
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    IssuedCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Plain rustls configs (no identity checks) presenting `chain`, trusting `ca`.
fn anonymous_configs(
    ca: &Path,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut client = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain.clone(), key.clone_key())
        .unwrap();
    client.alpn_protocols = vec![b"h2".to_vec()];
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec()];
    (Arc::new(client), Arc::new(server))
}
