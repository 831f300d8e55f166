//! The network's certificate authority and node certificates as files.
//!
//! Layout of a PKI directory: `ca.pem` (CA certificate, public), `ca.key`
//! (CA key: only on the CA machine, or on a development machine), and per
//! node `<role>-<name>.pem` / `<role>-<name>.key` (see [`NodeTlsFiles`]).
//! This file holds the CA ([`init_ca`], [`Ca::issue`]); `node_files` the
//! node's files and enrolment; `files` the atomic file writes.
//!
//! Invariants: private keys are written with mode 0600; files are replaced
//! atomically (temporary file + rename), and the CA is never overwritten
//! ([`init_ca`] keeps an existing one and refuses a half-present one). Every
//! node certificate carries its [`NodeId`] as SAN URI, the given DNS/IP SANs,
//! and both server-auth and client-auth usages. Each CA's common name carries
//! a tag from its key, so two networks' CAs never share a name.
//!
//! Revocation is not a file here: it is replicated county data (see
//! [`super::revocation`]). Not done yet: CA rotation, intermediate CAs.

mod files;
mod node_files;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use self::files::{bad_cert, create_dir, pem_cert, read_string, write_file, FileMode};
pub use self::node_files::{
    ensure_dev_node_cert, list_certs, write_node_cert, CertInfo, NodeTlsFiles,
};
use super::verify::cert_not_after;
use super::PkiError;
use liandong_model::NodeId;

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

/// First byte of a serial number that records its issuance time.
pub const SERIAL_MARK: u8 = 0x4c;

/// A node certificate's serial: [`SERIAL_MARK`], the issuance time in Unix
/// milliseconds (8 bytes, big-endian), 7 random bytes. notBefore is
/// backdated for clock skew, so revocation ("every certificate issued until
/// now") reads the exact issuance time from here instead.
fn issuance_serial(now: SystemTime) -> rcgen::SerialNumber {
    let ms = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut bytes = vec![SERIAL_MARK];
    bytes.extend_from_slice(&ms.to_be_bytes());
    bytes.extend_from_slice(&rand::random::<[u8; 7]>());
    rcgen::SerialNumber::from_slice(&bytes)
}
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
    params.distinguished_name = distinguished_name(&ca_common_name(&key));
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
        let key =
            KeyPair::from_pem(&read_string(&key_path)?).map_err(|e| bad_key(e.to_string()))?;
        let der = pem_cert(&cert_path, cert_pem.as_bytes())?;
        let (_, parsed) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| bad_cert(&cert_path, e.to_string()))?;
        if !parsed.is_ca() {
            return Err(bad_cert(&cert_path, "it is not a CA certificate".into()));
        }
        if parsed.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
            return Err(bad_key(format!(
                "it does not match {}",
                cert_path.display()
            )));
        }
        let not_after = cert_not_after(&der).map_err(|e| bad_cert(&cert_path, e.to_string()))?;
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
        params.serial_number = Some(issuance_serial(now));
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

fn subject_alt_names(node: &NodeId, hosts: &[String]) -> Result<Vec<SanType>, PkiError> {
    let uri =
        Ia5String::try_from(node.uri()).map_err(|_| PkiError::InvalidHost { host: node.uri() })?;
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

/// "Liandong CA 1a2b3c4d": unique per CA key, so a certificate from another
/// network's CA is reported as "unknown issuer", not as a bad signature from
/// a same-named CA.
fn ca_common_name(key: &KeyPair) -> String {
    let tag: String = key
        .public_key_raw()
        .iter()
        .skip(1) // SEC1 point-format byte
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("Liandong CA {tag}")
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
