//! Raw mutual-TLS handshakes with our rustls configs (no tonic): who is
//! accepted, who is refused, and what reason the refusing side reports.

use std::io;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{client, server, TlsAcceptor, TlsConnector};

use super::*;

struct Outcome {
    /// Handshake plus reading the server's first byte: under TLS 1.3 a
    /// refusal of the client's certificate only shows up on that read.
    client: io::Result<client::TlsStream<TcpStream>>,
    server: io::Result<server::TlsStream<TcpStream>>,
}

async fn handshake(
    client_config: Arc<ClientConfig>,
    server_config: Arc<ServerConfig>,
    server_name: &str,
) -> Outcome {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = async {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = TlsAcceptor::from(server_config).accept(tcp).await?;
        tls.write_all(b"k").await?;
        tls.flush().await?;
        Ok(tls)
    };
    let name = ServerName::try_from(server_name.to_string()).unwrap();
    let client = async {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = TlsConnector::from(client_config).connect(name, tcp).await?;
        let mut first = [0u8; 1];
        tls.read_exact(&mut first).await?;
        Ok(tls)
    };
    let (client, server) = tokio::join!(client, server);
    Outcome { client, server }
}

fn reason<T>(result: &io::Result<T>) -> String {
    match result {
        Ok(_) => panic!("expected this side to refuse the handshake"),
        Err(e) => describe_handshake_error(e),
    }
}

fn leaf_identity(certs: Option<&[CertificateDer<'_>]>) -> NodeId {
    peer_identity(&certs.expect("peer presented certificates")[0]).unwrap()
}

#[tokio::test]
async fn mutual_tls_handshake_succeeds_and_each_side_reads_the_other_identity() {
    let net = Network::new();
    let outcome = handshake(
        client_config(&net.township, &county()).unwrap(),
        server_config(&net.county).unwrap(),
        "localhost",
    )
    .await;
    let server = outcome.server.expect("server accepts the township");
    let client = outcome.client.expect("client accepts the county");
    assert_eq!(
        leaf_identity(server.get_ref().1.peer_certificates()),
        township()
    );
    assert_eq!(
        leaf_identity(client.get_ref().1.peer_certificates()),
        county()
    );
    assert_eq!(server.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
}

#[tokio::test]
async fn client_cert_from_another_ca_is_refused_on_both_sides() {
    let net = Network::new();
    let (_foreign_dir, foreign) = foreign_material(net.path(), &township(), &[]);
    let outcome = handshake(
        client_config(&foreign, &county()).unwrap(),
        server_config(&net.county).unwrap(),
        "localhost",
    )
    .await;
    let server_reason = reason(&outcome.server);
    assert!(
        server_reason.starts_with("unknown issuer"),
        "the server itself refuses: {server_reason}"
    );
    let client_reason = reason(&outcome.client);
    assert!(
        client_reason
            .contains("peer refused the connection: our certificate is from an unknown issuer"),
        "{client_reason}"
    );
}

#[tokio::test]
async fn client_cert_without_liandong_uri_is_refused_on_both_sides() {
    let net = Network::new();
    let (anonymous_client, _) = net.anonymous_configs();
    let outcome = handshake(
        anonymous_client,
        server_config(&net.county).unwrap(),
        "localhost",
    )
    .await;
    let server_reason = reason(&outcome.server);
    assert!(
        server_reason.starts_with("certificate has no liandong identity"),
        "{server_reason}"
    );
    let client_reason = reason(&outcome.client);
    assert!(
        client_reason.contains("peer refused the connection"),
        "{client_reason}"
    );
}

#[tokio::test]
async fn an_expired_client_certificate_is_refused_and_the_refusal_is_recorded_with_its_reason() {
    let net = Network::new();
    let refusals = Revocations::new();
    let outcome = handshake(
        net.expired_client(&township()),
        server_config_with(&net.county, &refusals).unwrap(),
        "localhost",
    )
    .await;
    let server_reason = reason(&outcome.server);
    assert!(server_reason.contains("expired"), "{server_reason}");
    let recorded = refusals.refusals();
    let (_, why) = recorded.get(&township()).expect("refusal recorded for T01");
    assert!(why.contains("expired"), "{why}");
}

#[tokio::test]
async fn client_without_certificate_is_refused() {
    let net = Network::new();
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(net.path().join("ca.pem")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let no_cert =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let outcome = handshake(
        Arc::new(no_cert),
        server_config(&net.county).unwrap(),
        "localhost",
    )
    .await;
    let server_reason = reason(&outcome.server);
    assert!(server_reason.contains("no certificate"), "{server_reason}");
    let client_reason = reason(&outcome.client);
    assert!(
        client_reason.starts_with("peer refused the connection"),
        "{client_reason}"
    );
}

#[tokio::test]
async fn server_cert_from_another_ca_is_refused_by_the_client() {
    let net = Network::new();
    let (_foreign_dir, foreign) = foreign_material(net.path(), &county(), &server_hosts());
    let outcome = handshake(
        client_config(&net.township, &county()).unwrap(),
        server_config(&foreign).unwrap(),
        "localhost",
    )
    .await;
    let client_reason = reason(&outcome.client);
    assert!(
        client_reason.starts_with("unknown issuer"),
        "{client_reason}"
    );
    let server_reason = reason(&outcome.server);
    assert!(
        server_reason.starts_with("peer refused the connection"),
        "{server_reason}"
    );
}

#[tokio::test]
async fn server_cert_without_liandong_uri_is_refused_by_the_client() {
    let net = Network::new();
    let (_, anonymous_server) = net.anonymous_configs();
    let outcome = handshake(
        client_config(&net.township, &county()).unwrap(),
        anonymous_server,
        "localhost",
    )
    .await;
    let client_reason = reason(&outcome.client);
    assert!(
        client_reason.starts_with("certificate has no liandong identity"),
        "{client_reason}"
    );
    let server_reason = reason(&outcome.server);
    assert!(
        server_reason.starts_with("peer refused the connection"),
        "{server_reason}"
    );
}

#[tokio::test]
async fn server_name_missing_from_the_certificate_is_refused() {
    let net = Network::new();
    let outcome = handshake(
        client_config(&net.township, &county()).unwrap(),
        server_config(&net.county).unwrap(),
        "county.example.org",
    )
    .await;
    let client_reason = reason(&outcome.client);
    assert!(
        client_reason.contains("server name mismatch"),
        "{client_reason}"
    );
}

#[test]
fn peer_identity_reads_the_san_uri_and_refuses_certs_without_one() {
    let net = Network::new();
    let der = |pem: &[u8]| CertificateDer::from_pem_slice(pem).unwrap();
    let township_pem = std::fs::read(NodeTlsFiles::in_dir(net.path(), &township()).cert).unwrap();
    assert_eq!(peer_identity(&der(&township_pem)).unwrap(), township());

    let anonymous = cert_without_identity(net.path());
    let err = peer_identity(&der(anonymous.cert_pem.as_bytes())).unwrap_err();
    assert!(matches!(err, TlsError::NoIdentity), "{err}");
    assert!(matches!(
        peer_identity(b"not a certificate"),
        Err(TlsError::ParseCert { .. })
    ));
}
