//! Certificate checks that webpki does not do: a peer is only accepted when
//! its leaf certificate carries exactly one `liandong://ROLE/NAME` SAN URI,
//! and a client only accepts the server whose identity it was built to
//! expect (a township dialling its county refuses another township's, a
//! bridge's or another county's certificate, all from the same CA).
//!
//! Invariants: the wrappers here only ever add a check after the wrapped
//! webpki verifier has accepted the chain (CA, validity, key usage, and for
//! servers the DNS/IP name); they never relax one. The one thing they change
//! is a reason: when webpki refuses a server's name after the chain has
//! verified and that certificate names another node than expected, the
//! refusal says so ([`UnexpectedServer`]) instead of "name mismatch". Which
//! client may do what is not decided here: the server reads
//! [`peer_identity`] and authorises.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};
use x509_parser::extensions::GeneralName;

use super::{TlsError, UnexpectedServer};
use liandong_model::node::URI_SCHEME;
use liandong_model::NodeId;

/// Reads the node identity from a DER leaf certificate's SAN URI.
pub fn peer_identity(leaf_der: &[u8]) -> Result<NodeId, TlsError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(leaf_der).map_err(|e| TlsError::ParseCert {
            reason: e.to_string(),
        })?;
    let san = cert
        .subject_alternative_name()
        .map_err(|e| TlsError::ParseCert {
            reason: format!("subjectAltName: {e}"),
        })?;
    let mut found: Option<&str> = None;
    for name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
        if let GeneralName::URI(uri) = name {
            if !uri.starts_with(URI_SCHEME) {
                continue;
            }
            if let Some(first) = found {
                return Err(TlsError::AmbiguousIdentity {
                    first: first.to_string(),
                    second: uri.to_string(),
                });
            }
            found = Some(uri);
        }
    }
    let uri = found.ok_or(TlsError::NoIdentity)?;
    NodeId::from_uri(uri).map_err(|source| TlsError::BadIdentity {
        uri: uri.to_string(),
        source,
    })
}

/// Expiry of a certificate given as PEM (first certificate) or DER.
pub fn cert_not_after(pem_or_der: &[u8]) -> Result<chrono::DateTime<chrono::Utc>, TlsError> {
    let der: CertificateDer<'_> = if pem_or_der.starts_with(b"-----") {
        CertificateDer::from_pem_slice(pem_or_der).map_err(|e| TlsError::ParseCert {
            reason: format!("PEM: {e}"),
        })?
    } else {
        CertificateDer::from(pem_or_der)
    };
    let (_, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| TlsError::ParseCert {
        reason: e.to_string(),
    })?;
    let secs = cert.validity().not_after.timestamp();
    chrono::DateTime::from_timestamp(secs, 0).ok_or_else(|| TlsError::ParseCert {
        reason: format!("notAfter {secs} is out of range"),
    })
}

/// Turns one of our identity errors into a rustls certificate error whose
/// text is our message (it ends up in the peer's log line).
fn identity_error(e: impl std::error::Error + Send + Sync + 'static) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e))))
}

/// The liandong node a leaf names, as a rustls error when it names none.
fn leaf_identity(end_entity: &CertificateDer<'_>) -> Result<NodeId, rustls::Error> {
    peer_identity(end_entity).map_err(identity_error)
}

/// Refuses a certificate the live revocation list revokes.
fn check_not_revoked(
    revocations: &super::Revocations,
    end_entity: &CertificateDer<'_>,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    if revocations.is_revoked(end_entity, (now.as_secs() as i64).saturating_mul(1000)) {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Revoked));
    }
    Ok(())
}

/// Server side: webpki client verification (mandatory), then the identity check.
#[derive(Debug)]
pub(super) struct LiandongClientVerifier {
    pub(super) inner: Arc<dyn ClientCertVerifier>,
    pub(super) revocations: super::Revocations,
}

impl ClientCertVerifier for LiandongClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let now_ms = (now.as_secs() as i64).saturating_mul(1000);
        let verified = match self
            .inner
            .verify_client_cert(end_entity, intermediates, now)
        {
            Ok(v) => v,
            Err(e) => {
                // Remember who was refused and why (expired, not yet
                // valid, …) so status can say it, when the certificate
                // names a node at all.
                if let Ok(node) = peer_identity(end_entity) {
                    self.revocations
                        .record_refusal(node, now_ms, describe_rustls_error(&e));
                }
                return Err(e);
            }
        };
        leaf_identity(end_entity)?;
        check_not_revoked(&self.revocations, end_entity, now)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Client side: webpki server verification (chain and name), then the
/// identity check, then the server must be the node this client expects.
#[derive(Debug)]
pub(super) struct LiandongServerVerifier {
    pub(super) inner: Arc<WebPkiServerVerifier>,
    pub(super) revocations: super::Revocations,
    /// The node this client dials (a child's parent): any other identity,
    /// even from the same CA, is refused.
    pub(super) expected: NodeId,
}

impl LiandongServerVerifier {
    /// Refuses a server whose certificate names another node than expected.
    fn check_expected(&self, presented: NodeId) -> Result<(), rustls::Error> {
        if presented == self.expected {
            return Ok(());
        }
        Err(identity_error(UnexpectedServer {
            expected: self.expected.clone(),
            presented,
        }))
    }

    /// webpki checks the chain before the name, so a name refusal comes from
    /// a certificate of our CA; when it names another node than expected
    /// (a township's certificate carries no DNS name), that is the reason to
    /// give. Any other refusal is returned as it is.
    fn explain_refusal(
        &self,
        err: rustls::Error,
        end_entity: &CertificateDer<'_>,
    ) -> rustls::Error {
        let name_refused = matches!(
            err,
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        );
        if !name_refused {
            return err;
        }
        match peer_identity(end_entity) {
            Ok(presented) => self.check_expected(presented).err().unwrap_or(err),
            Err(_) => err,
        }
    }
}

impl ServerCertVerifier for LiandongServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| self.explain_refusal(e, end_entity))?;
        self.check_expected(leaf_identity(end_entity)?)?;
        check_not_revoked(&self.revocations, end_entity, now)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A short, operator-readable reason for a failed handshake, from the
/// `io::Error` tokio-rustls returns (which wraps a `rustls::Error` when the
/// TLS layer refused, and is a plain socket error otherwise).
pub fn describe_handshake_error(err: &std::io::Error) -> String {
    match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(tls) => describe_rustls_error(tls),
        None => err.to_string(),
    }
}

/// The mismatch our verifier refused a server for, from the `io::Error`
/// tokio-rustls returns, if that was the refusal.
pub(super) fn unexpected_server(err: &std::io::Error) -> Option<UnexpectedServer> {
    let tls = err.get_ref()?.downcast_ref::<rustls::Error>()?;
    match tls {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            other.0.downcast_ref::<UnexpectedServer>().cloned()
        }
        _ => None,
    }
}

/// Whether a handshake error came from the TLS layer (a certificate or
/// protocol refusal) rather than from the socket.
pub(super) fn is_tls_refusal(err: &std::io::Error) -> bool {
    err.get_ref()
        .is_some_and(|e| e.downcast_ref::<rustls::Error>().is_some())
}

fn describe_rustls_error(err: &rustls::Error) -> String {
    use rustls::AlertDescription as Alert;
    match err {
        rustls::Error::InvalidCertificate(cert) => describe_certificate_error(cert),
        rustls::Error::NoCertificatesPresented => {
            "peer presented no certificate (mutual TLS requires a node certificate)".to_string()
        }
        rustls::Error::AlertReceived(alert) => {
            let why = match alert {
                Alert::UnknownCA => "our certificate is from an unknown issuer",
                Alert::BadCertificate
                | Alert::UnsupportedCertificate
                | Alert::CertificateUnknown
                | Alert::AccessDenied => {
                    "our certificate was not accepted (is it a liandong node certificate?)"
                }
                Alert::CertificateExpired => "our certificate has expired",
                Alert::CertificateRevoked => "our certificate has been revoked by the county",
                Alert::DecryptError => {
                    "our certificate's signature did not verify (issued by another CA?)"
                }
                Alert::CertificateRequired => "it requires a client certificate",
                _ => "it ended the handshake",
            };
            format!("peer refused the connection: {why} (alert {alert:?})")
        }
        other => other.to_string(),
    }
}

fn describe_certificate_error(err: &CertificateError) -> String {
    match err {
        CertificateError::UnknownIssuer => {
            "unknown issuer: certificate not signed by this network's CA".to_string()
        }
        CertificateError::BadSignature => {
            "certificate has a bad signature: not signed by this network's CA \
             (another CA with the same name?)"
                .to_string()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("certificate expired ({err})")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("certificate not valid yet ({err}); check both clocks")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("server name mismatch: {err}")
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            format!("wrong key usage: {err}")
        }
        // Our own identity checks: their Display is the message.
        CertificateError::Other(other) => other.0.to_string(),
        other => format!("invalid certificate: {other}"),
    }
}
