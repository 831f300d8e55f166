//! The network's certificate authority and node certificates as files.
//!
//! Layout of a PKI directory: `ca.pem` (CA certificate, public), `ca.key`
//! (CA key: only on the CA machine, or on a development machine), and per
//! node `<role>-<name>.pem` / `<role>-<name>.key` (see [`NodeTlsFiles`]).
//!
//! Invariants: private keys are written with mode 0600; files are replaced
//! atomically (temporary file + rename), and the CA is never overwritten
//! ([`init_ca`] keeps an existing one and refuses a half-present one). Every
//! node certificate carries its [`NodeId`] as SAN URI, the given DNS/IP SANs,
//! and both server-auth and client-auth usages.
//!
//! Not done yet: revocation, CA rotation, intermediate CAs.

use std::fs;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use super::verify::{cert_not_after, peer_identity};
use super::PkiError;
use crate::model::NodeId;

/// CA certificate file name inside a PKI directory.
pub const CA_CERT_FILE: &str = "ca.pem";
/// CA private key file name inside a PKI directory.
pub const CA_KEY_FILE: &str = "ca.key";
/// Validity of a CA made by [`init_ca`].
pub const CA_VALID_DAYS: u32 = 3650;
/// Validity of certificates issued by [`ensure_dev_node_cert`].
pub const DEV_CERT_VALID_DAYS: u32 = 365;
/// Certificates start this long before issuance, to tolerate clock skew.
const BACKDATE: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// Result of [`init_ca`]: where the CA lives and whether it was made now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCreated {
    pub created: bool,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

/// A freshly issued node certificate and its private key, PEM-encoded.
#[derive(Clone)]
pub struct IssuedCert {
    pub cert_pem: String,
    pub key_pem: String,
}

impl std::fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCert")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

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

/// Creates `dir/ca.pem` and `dir/ca.key` (0600) if neither exists; keeps an
/// existing CA unchanged.
pub fn init_ca(dir: &Path) -> Result<CaCreated, PkiError> {
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    let incomplete = |present: &Path, missing: &Path| PkiError::CaIncomplete {
        dir: dir.to_path_buf(),
        present: present.to_path_buf(),
        missing: missing.to_path_buf(),
    };
    match (cert_path.exists(), key_path.exists()) {
        (true, true) => {
            return Ok(CaCreated {
                created: false,
                cert_path,
                key_path,
            })
        }
        (true, false) => return Err(incomplete(&cert_path, &key_path)),
        (false, true) => return Err(incomplete(&key_path, &cert_path)),
        (false, false) => {}
    }
    create_dir(dir)?;
    let key = generate_key("the CA key")?;
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name("Liandong CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = SystemTime::now();
    params.not_before = (now - BACKDATE).into();
    params.not_after = (now + DAY * CA_VALID_DAYS).into();
    let cert = params
        .self_signed(&key)
        .map_err(|source| PkiError::Generate {
            what: "the CA certificate",
            source,
        })?;
    // Key first: a crash in between leaves `CaIncomplete`, never a CA
    // certificate whose key is lost.
    write_file(&key_path, &key.serialize_pem(), FileMode::Private)?;
    write_file(&cert_path, &cert.pem(), FileMode::Public)?;
    Ok(CaCreated {
        created: true,
        cert_path,
        key_path,
    })
}

/// The CA, loaded with its key: can issue node certificates.
pub struct Ca {
    cert_pem: String,
    key: KeyPair,
    not_after: DateTime<Utc>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl Ca {
    /// Loads `dir/ca.pem` and `dir/ca.key` and checks that they belong together.
    pub fn load(dir: &Path) -> Result<Ca, PkiError> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if !cert_path.exists() {
            return Err(PkiError::CaMissing {
                dir: dir.to_path_buf(),
            });
        }
        if !key_path.exists() {
            return Err(PkiError::CaKeyMissing {
                dir: dir.to_path_buf(),
            });
        }
        let cert_pem = read_string(&cert_path)?;
        let bad_key = |reason: String| PkiError::BadKey {
            path: key_path.clone(),
            reason,
        };
        let key = KeyPair::from_pem(&read_string(&key_path)?).map_err(|e| bad_key(e.to_string()))?;
        let der = pem_cert(&cert_path, cert_pem.as_bytes())?;
        let (_, parsed) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| bad_cert(&cert_path, e.to_string()))?;
        if !parsed.is_ca() {
            return Err(bad_cert(&cert_path, "it is not a CA certificate".into()));
        }
        if parsed.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
            return Err(bad_key(format!("it does not match {}", cert_path.display())));
        }
        let not_after =
            cert_not_after(&der).map_err(|e| bad_cert(&cert_path, e.to_string()))?;
        Ok(Ca {
            cert_pem,
            key,
            not_after,
        })
    }

    /// The CA certificate, PEM-encoded.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// When the CA certificate expires.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// Issues a leaf certificate for `node`: SAN URI `node.uri()`, DNS/IP SANs
    /// from `hosts`, server-auth and client-auth usages, CN `role/name`.
    pub fn issue(
        &self,
        node: &NodeId,
        hosts: &[String],
        valid_days: u32,
    ) -> Result<IssuedCert, PkiError> {
        if valid_days == 0 {
            return Err(PkiError::InvalidValidity { days: valid_days });
        }
        let now = SystemTime::now();
        let not_after = now + DAY * valid_days;
        if DateTime::<Utc>::from(not_after) > self.not_after {
            return Err(PkiError::ValidityBeyondCa {
                node: node.clone(),
                days: valid_days,
                ca_not_after: self.not_after,
            });
        }
        let mut params = CertificateParams::default();
        params.subject_alt_names = subject_alt_names(node, hosts)?;
        params.distinguished_name = distinguished_name(&node.to_string());
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.use_authority_key_identifier_extension = true;
        params.not_before = (now - BACKDATE).into();
        params.not_after = not_after.into();
        let key = generate_key("the node key")?;
        let issuer = Issuer::from_ca_cert_pem(&self.cert_pem, &self.key).map_err(|source| {
            PkiError::Generate {
                what: "an issuer from the CA certificate",
                source,
            }
        })?;
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|source| PkiError::Generate {
                what: "the node certificate",
                source,
            })?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
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

fn subject_alt_names(node: &NodeId, hosts: &[String]) -> Result<Vec<SanType>, PkiError> {
    let uri = Ia5String::try_from(node.uri()).map_err(|_| PkiError::InvalidHost {
        host: node.uri(),
    })?;
    let mut sans = vec![SanType::URI(uri)];
    for host in hosts {
        let invalid = || PkiError::InvalidHost { host: host.clone() };
        let san = match host.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => {
                rustls::pki_types::DnsName::try_from(host.as_str()).map_err(|_| invalid())?;
                SanType::DnsName(Ia5String::try_from(host.as_str()).map_err(|_| invalid())?)
            }
        };
        sans.push(san);
    }
    Ok(sans)
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Liandong");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn generate_key(what: &'static str) -> Result<KeyPair, PkiError> {
    KeyPair::generate().map_err(|source| PkiError::Generate { what, source })
}

fn pem_cert(path: &Path, pem: &[u8]) -> Result<CertificateDer<'static>, PkiError> {
    CertificateDer::from_pem_slice(pem).map_err(|e| bad_cert(path, e.to_string()))
}

fn bad_cert(path: &Path, reason: String) -> PkiError {
    PkiError::BadCert {
        path: path.to_path_buf(),
        reason,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn create_dir(dir: &Path) -> Result<(), PkiError> {
    fs::create_dir_all(dir).map_err(|source| PkiError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

fn read_string(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(|source| PkiError::Read {
        path: path.to_path_buf(),
        source,
    })
}

#[derive(Clone, Copy)]
enum FileMode {
    /// Readable by everyone (0644): certificates.
    Public,
    /// Readable by the owner only (0600): private keys.
    Private,
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, created with the final mode, synced, then renamed over `path`.
fn write_file(path: &Path, contents: &str, mode: FileMode) -> Result<(), PkiError> {
    let write_error = |source| PkiError::Write {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_file_name(format!(".{}.tmp", file_name(path)));
    // A stale temporary file may have another mode: start afresh.
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(write_error(e)),
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match mode {
            FileMode::Public => 0o644,
            FileMode::Private => 0o600,
        });
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(write_error)?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_error)?;
    fs::rename(&tmp, path).map_err(write_error)
}
