//! A node's certificate files: their conventional names, writing them,
//! development enrolment, and listing what a PKI directory holds.
//!
//! Invariants: [`ensure_dev_node_cert`] only issues when the CA key is in
//! the same directory (development mode) and says so with `warn!`; files it
//! finds are checked to belong to the node asked for.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::files::{
    bad_cert, create_dir, file_name, pem_cert, read_string, same_dir, write_file, FileMode,
};
use super::{Ca, IssuedCert, CA_CERT_FILE, CA_KEY_FILE, DEV_CERT_VALID_DAYS};
use crate::tls::verify::{cert_not_after, peer_identity};
use crate::tls::PkiError;
use liandong_model::NodeId;

/// The three files a node needs for mutual TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl NodeTlsFiles {
    /// Conventional paths in `dir`: `ca.pem`, `<role>-<name>.pem`, `<role>-<name>.key`.
    pub fn in_dir(dir: &Path, node: &NodeId) -> NodeTlsFiles {
        let stem = format!("{}-{}", node.role(), node.name());
        NodeTlsFiles {
            ca: dir.join(CA_CERT_FILE),
            cert: dir.join(format!("{stem}.pem")),
            key: dir.join(format!("{stem}.key")),
        }
    }

    /// Whether all three files exist.
    pub fn all_exist(&self) -> bool {
        self.ca.is_file() && self.cert.is_file() && self.key.is_file()
    }
}

/// One certificate found by [`list_certs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub path: PathBuf,
    /// The liandong identity (SAN URI); `None` for the CA or foreign certificates.
    pub node: Option<NodeId>,
    pub subject: String,
    pub is_ca: bool,
    pub not_after: DateTime<Utc>,
}

/// One line for `pki list`: file, identity (or CA / subject), expiry.
impl std::fmt::Display for CertInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = match (&self.node, self.is_ca) {
            (Some(node), _) => node.to_string(),
            (None, true) => format!("CA ({})", self.subject),
            (None, false) => format!("no liandong identity ({})", self.subject),
        };
        write!(
            f,
            "{}  {}  expires {}",
            self.path.display(),
            who,
            self.not_after.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

/// Writes the node's `.pem` and `.key` (0600) into `out_dir`, and copies the
/// CA certificate there unless `out_dir` is `ca_dir`.
pub fn write_node_cert(
    out_dir: &Path,
    node: &NodeId,
    cert: &IssuedCert,
    ca_dir: &Path,
) -> Result<NodeTlsFiles, PkiError> {
    create_dir(out_dir)?;
    let files = NodeTlsFiles::in_dir(out_dir, node);
    write_file(&files.cert, &cert.cert_pem, FileMode::Public)?;
    write_file(&files.key, &cert.key_pem, FileMode::Private)?;
    if !same_dir(out_dir, ca_dir) {
        let ca_pem = read_string(&ca_dir.join(CA_CERT_FILE))?;
        write_file(&files.ca, &ca_pem, FileMode::Public)?;
    }
    Ok(files)
}

/// Returns the node's files in `pki_dir`, issuing them first if the CA key is
/// there (development mode, with a warning). Without the files or the CA key
/// the error says how to enrol the node.
pub fn ensure_dev_node_cert(
    pki_dir: &Path,
    node: &NodeId,
    hosts: &[String],
) -> Result<NodeTlsFiles, PkiError> {
    let files = NodeTlsFiles::in_dir(pki_dir, node);
    if files.all_exist() {
        check_identity(&files.cert, node)?;
        return Ok(files);
    }
    let ca_key = pki_dir.join(CA_KEY_FILE);
    if !ca_key.is_file() {
        return Err(PkiError::NodeCertMissing {
            node: node.clone(),
            dir: pki_dir.to_path_buf(),
            cert_file: file_name(&files.cert),
            key_file: file_name(&files.key),
        });
    }
    tracing::warn!(
        %node,
        ca_key = %ca_key.display(),
        "development mode: the CA key is on this machine, issuing this node's certificate \
         here; for a real deployment keep the CA offline, issue certificates with \
         `county-node pki issue` and copy only the node's files"
    );
    let ca = Ca::load(pki_dir)?;
    let issued = ca.issue(node, hosts, DEV_CERT_VALID_DAYS)?;
    write_node_cert(pki_dir, node, &issued, pki_dir)
}

/// Every certificate (`*.pem`) in `dir`, sorted by path.
pub fn list_certs(dir: &Path) -> Result<Vec<CertInfo>, PkiError> {
    let list_error = |source| PkiError::ListDir {
        dir: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(list_error)? {
        let path = entry.map_err(list_error)?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "pem") {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(|path| cert_info(path)).collect()
}

fn cert_info(path: &Path) -> Result<CertInfo, PkiError> {
    let der = pem_cert(path, read_string(path)?.as_bytes())?;
    let (_, parsed) =
        x509_parser::parse_x509_certificate(&der).map_err(|e| bad_cert(path, e.to_string()))?;
    let not_after = cert_not_after(&der).map_err(|e| bad_cert(path, e.to_string()))?;
    Ok(CertInfo {
        path: path.to_path_buf(),
        node: peer_identity(&der).ok(),
        subject: parsed.subject().to_string(),
        is_ca: parsed.is_ca(),
        not_after,
    })
}

fn check_identity(cert_path: &Path, expected: &NodeId) -> Result<(), PkiError> {
    let der = pem_cert(cert_path, read_string(cert_path)?.as_bytes())?;
    match peer_identity(&der) {
        Ok(found) if &found == expected => Ok(()),
        Ok(found) => Err(PkiError::WrongIdentity {
            path: cert_path.to_path_buf(),
            expected: expected.clone(),
            found: found.to_string(),
        }),
        Err(e) => Err(bad_cert(cert_path, e.to_string())),
    }
}
