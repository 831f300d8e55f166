//! PKI files: CA creation, issuance, node files, development enrolment, listing.

use std::fs;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

use tempfile::TempDir;
use x509_parser::extensions::GeneralName;

use super::*;
use crate::tls::pki::{CA_CERT_FILE, CA_KEY_FILE};

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_ca_creates_the_ca_once_and_keeps_it_afterwards() {
    let dir = TempDir::new().unwrap();
    let first = init_ca(dir.path()).unwrap();
    assert!(first.created);
    assert_eq!(first.cert_path, dir.path().join(CA_CERT_FILE));
    let cert = fs::read(&first.cert_path).unwrap();
    let key = fs::read(&first.key_path).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&first.key_path), 0o600);

    let second = init_ca(dir.path()).unwrap();
    assert!(!second.created);
    assert_eq!(fs::read(&second.cert_path).unwrap(), cert);
    assert_eq!(fs::read(&second.key_path).unwrap(), key);
}

#[test]
fn init_ca_refuses_a_half_present_ca() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join(CA_CERT_FILE), "x").unwrap();
    let err = init_ca(dir.path()).unwrap_err();
    assert!(matches!(err, PkiError::CaIncomplete { .. }), "{err}");
    assert!(!dir.path().join(CA_KEY_FILE).exists());
}

#[test]
fn issued_cert_carries_node_uri_hosts_and_both_usages() {
    let dir = TempDir::new().unwrap();
    init_ca(dir.path()).unwrap();
    let issued = Ca::load(dir.path())
        .unwrap()
        .issue(&county(), &server_hosts(), 30)
        .unwrap();
    let der = CertificateDer::from_pem_slice(issued.cert_pem.as_bytes()).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();

    let sans = &cert
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names;
    assert!(sans.contains(&GeneralName::URI("liandong://county/county")));
    assert!(sans.contains(&GeneralName::DNSName("localhost")));
    assert!(sans.contains(&GeneralName::IPAddress(&[127, 0, 0, 1])));
    let eku = cert.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && eku.client_auth);
    let cn = cert.subject().iter_common_name().next().unwrap();
    assert_eq!(cn.as_str().unwrap(), "county/county");
    assert!(!cert.is_ca());
    assert_eq!(peer_identity(&der).unwrap(), county());
}

#[test]
fn issue_refuses_bad_hosts_zero_days_and_outliving_the_ca() {
    let dir = TempDir::new().unwrap();
    init_ca(dir.path()).unwrap();
    let ca = Ca::load(dir.path()).unwrap();
    let bad_host = ca.issue(&township(), &["not a host".to_string()], 30);
    assert!(matches!(bad_host, Err(PkiError::InvalidHost { .. })));
    let zero = ca.issue(&township(), &[], 0);
    assert!(matches!(zero, Err(PkiError::InvalidValidity { days: 0 })));
    let too_long = ca.issue(&township(), &[], 100 * 365);
    assert!(matches!(too_long, Err(PkiError::ValidityBeyondCa { .. })));
}

#[test]
fn write_node_cert_writes_conventional_files_and_copies_the_ca() {
    let ca_dir = TempDir::new().unwrap();
    let out = TempDir::new().unwrap();
    init_ca(ca_dir.path()).unwrap();
    let issued = Ca::load(ca_dir.path())
        .unwrap()
        .issue(&township(), &[], 30)
        .unwrap();

    let files = write_node_cert(out.path(), &township(), &issued, ca_dir.path()).unwrap();
    assert_eq!(files, NodeTlsFiles::in_dir(out.path(), &township()));
    assert_eq!(files.cert, out.path().join("township-T01.pem"));
    assert_eq!(files.key, out.path().join("township-T01.key"));
    assert_eq!(fs::read_to_string(&files.cert).unwrap(), issued.cert_pem);
    assert_eq!(fs::read_to_string(&files.key).unwrap(), issued.key_pem);
    assert_eq!(
        fs::read(&files.ca).unwrap(),
        fs::read(ca_dir.path().join(CA_CERT_FILE)).unwrap()
    );
    #[cfg(unix)]
    assert_eq!(mode(&files.key), 0o600);
    assert_eq!(TlsMaterial::load(&files).unwrap().identity(), &township());
}

#[test]
fn ensure_dev_node_cert_without_ca_key_says_how_to_enrol() {
    let dir = TempDir::new().unwrap();
    let err = ensure_dev_node_cert(dir.path(), &township(), &[]).unwrap_err();
    assert!(matches!(err, PkiError::NodeCertMissing { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("county-node pki issue --role township --id T01"),
        "{message}"
    );
    assert!(message.contains("township-T01.pem"), "{message}");
}

#[test]
fn ensure_dev_node_cert_issues_with_the_local_ca_then_reuses_the_files() {
    let dir = TempDir::new().unwrap();
    init_ca(dir.path()).unwrap();
    let files = ensure_dev_node_cert(dir.path(), &county(), &server_hosts()).unwrap();
    let cert = fs::read(&files.cert).unwrap();
    assert_eq!(TlsMaterial::load(&files).unwrap().identity(), &county());

    let again = ensure_dev_node_cert(dir.path(), &county(), &server_hosts()).unwrap();
    assert_eq!(again, files);
    assert_eq!(
        fs::read(&again.cert).unwrap(),
        cert,
        "existing cert must be reused"
    );
}

#[test]
fn ensure_dev_node_cert_refuses_files_issued_for_another_node() {
    let net = Network::new();
    let township_files = NodeTlsFiles::in_dir(net.path(), &township());
    let county_files = NodeTlsFiles::in_dir(net.path(), &county());
    fs::copy(&county_files.cert, &township_files.cert).unwrap();
    let err = ensure_dev_node_cert(net.path(), &township(), &[]).unwrap_err();
    assert!(matches!(err, PkiError::WrongIdentity { .. }), "{err}");
}

#[test]
fn list_certs_reports_ca_and_nodes_with_expiry() {
    let net = Network::new();
    let certs = list_certs(net.path()).unwrap();
    let names: Vec<_> = certs
        .iter()
        .map(|c| c.path.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["ca.pem", "county-county.pem", "township-T01.pem"]);
    assert!(certs[0].is_ca && certs[0].node.is_none());
    assert_eq!(certs[1].node, Some(county()));
    assert_eq!(certs[2].node, Some(township()));
    let line = certs[2].to_string();
    assert!(
        line.contains("township/T01") && line.contains("expires"),
        "{line}"
    );
    assert!(certs[0].to_string().contains("CA ("), "{}", certs[0]);
    let now = chrono::Utc::now();
    assert!(certs[2].not_after > now + chrono::Duration::days(29));
    assert!(certs[2].not_after < now + chrono::Duration::days(31));
}

#[test]
fn cert_not_after_reads_pem_and_der_alike() {
    let net = Network::new();
    let pem = fs::read(NodeTlsFiles::in_dir(net.path(), &township()).cert).unwrap();
    let der = CertificateDer::from_pem_slice(&pem).unwrap();
    let from_pem = cert_not_after(&pem).unwrap();
    assert_eq!(from_pem, cert_not_after(&der).unwrap());
    assert_eq!(from_pem, net.township.not_after());
}

#[test]
fn tls_material_load_names_the_missing_file() {
    let net = Network::new();
    let mut files = NodeTlsFiles::in_dir(net.path(), &township());
    files.key = net.path().join("nope.key");
    let err = TlsMaterial::load(&files).unwrap_err();
    assert!(matches!(err, TlsError::ReadFile { .. }), "{err}");
    assert!(err.to_string().contains("nope.key"), "{err}");
}

#[test]
fn tls_material_load_refuses_a_certificate_without_identity() {
    let net = Network::new();
    let mut files = NodeTlsFiles::in_dir(net.path(), &township());
    files.cert = net.path().join("anonymous.pem");
    fs::write(&files.cert, cert_without_identity(net.path()).cert_pem).unwrap();
    let err = TlsMaterial::load(&files).unwrap_err();
    assert!(matches!(err, TlsError::OwnIdentity { .. }), "{err}");
    assert!(err.to_string().contains("anonymous.pem"), "{err}");
    assert!(err.to_string().contains("no liandong identity"), "{err}");
}

#[test]
fn install_crypto_provider_is_idempotent() {
    install_crypto_provider();
    install_crypto_provider();
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
}
