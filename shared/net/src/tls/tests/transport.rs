//! The accept stream and the connector: concurrency of handshakes, refusals
//! that do not end the stream, shutdown, and gRPC with peer identity.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsConnector;
use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::service::interceptor::InterceptedService;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use super::*;
use crate::tls::transport::server_builder;

/// Guard against hangs: each test is far quicker than this.
const DEADLINE: Duration = Duration::from_secs(30);

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Runs the accept stream in a task and hands its items over a channel.
fn forward(mut incoming: TlsIncoming) -> mpsc::Receiver<std::io::Result<ServerStream>> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        while let Some(item) = incoming.next().await {
            if tx.send(item).await.is_err() {
                break;
            }
        }
    });
    rx
}

type ServerStream = tokio_rustls::server::TlsStream<TcpStream>;

/// A plain tokio-rustls client handshake (no confirmation read).
async fn raw_client(
    material: &TlsMaterial,
    addr: SocketAddr,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let connector = TlsConnector::from(client_config(material, &county()).unwrap());
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").unwrap();
    connector.connect(name, tcp).await
}

/// Handshake, then read: a server that refused us sends an alert (TLS 1.3)
/// or fails the handshake itself (TLS 1.2).
async fn refused_client(material: &TlsMaterial, addr: SocketAddr) -> std::io::Result<usize> {
    let mut tls = raw_client(material, addr).await?;
    tls.read(&mut [0u8; 1]).await
}

fn identity_of(stream: &ServerStream) -> NodeId {
    let certs = stream.get_ref().1.peer_certificates().unwrap();
    peer_identity(&certs[0]).unwrap()
}

#[tokio::test]
async fn tls_incoming_keeps_accepting_while_a_silent_client_stalls() {
    let net = Network::new();
    let (listener, addr) = bind().await;
    let options = IncomingOptions {
        handshake_timeout: Duration::from_secs(3600),
        ..IncomingOptions::default()
    };
    let config = server_config(&net.county).unwrap();
    let mut accepted = forward(tls_incoming_with(
        listener,
        config,
        CancellationToken::new(),
        options,
    ));
    let _silent = TcpStream::connect(addr).await.unwrap();
    tokio::time::timeout(DEADLINE, async {
        raw_client(&net.township, addr).await.unwrap();
        let stream = accepted.recv().await.unwrap().unwrap();
        assert_eq!(identity_of(&stream), township());
    })
    .await
    .expect("a silent client must not block other handshakes");
}

/// A TCP connection from another loopback address that never speaks.
async fn silent_from(source: &str, addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

#[tokio::test]
async fn silent_connections_from_one_address_cannot_take_every_handshake_slot() {
    let net = Network::new();
    let (listener, addr) = bind().await;
    let options = IncomingOptions {
        handshake_timeout: Duration::from_secs(3600),
        max_concurrent_handshakes: 4,
        max_handshakes_per_address: 2,
        ..IncomingOptions::default()
    };
    let config = server_config(&net.county).unwrap();
    let mut accepted = forward(tls_incoming_with(
        listener,
        config,
        CancellationToken::new(),
        options,
    ));
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(silent_from("127.0.0.2", addr).await);
    }
    tokio::time::timeout(Duration::from_secs(5), async {
        raw_client(&net.township, addr).await.unwrap();
        let stream = accepted.recv().await.unwrap().unwrap();
        assert_eq!(identity_of(&stream), township());
    })
    .await
    .expect("silent connections from one address kept a township out");
    // The two beyond the bound were closed at once; the first two still wait.
    let mut closed = 0;
    for conn in &mut silent {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(200), conn.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 2,
        "connections beyond the per-address bound were not closed"
    );
}

#[tokio::test]
async fn tls_incoming_skips_refused_handshakes_and_yields_the_next_good_one() {
    let net = Network::new();
    let (_foreign_dir, foreign) = foreign_material(net.path(), &township(), &[]);
    let (listener, addr) = bind().await;
    let config = server_config(&net.county).unwrap();
    let mut accepted = forward(tls_incoming(listener, config, CancellationToken::new()));
    tokio::time::timeout(DEADLINE, async {
        let refused = refused_client(&foreign, addr).await;
        assert!(refused.is_err(), "foreign client refused: {refused:?}");
        raw_client(&net.township, addr).await.unwrap();
        let first = accepted.recv().await.unwrap();
        assert_eq!(identity_of(&first.unwrap()), township());
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn tls_incoming_closes_a_handshake_that_exceeds_the_timeout() {
    let net = Network::new();
    let (listener, addr) = bind().await;
    let options = IncomingOptions {
        handshake_timeout: Duration::from_millis(100),
        ..IncomingOptions::default()
    };
    let config = server_config(&net.county).unwrap();
    let _accepted = forward(tls_incoming_with(
        listener,
        config,
        CancellationToken::new(),
        options,
    ));
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(DEADLINE, silent.read(&mut buf))
        .await
        .expect("server closes the stalled handshake");
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "connection closed: {read:?}"
    );
}

#[tokio::test]
async fn tls_incoming_ends_when_shutdown_is_cancelled() {
    let net = Network::new();
    let (listener, _addr) = bind().await;
    let shutdown = CancellationToken::new();
    let mut incoming = tls_incoming(
        listener,
        server_config(&net.county).unwrap(),
        shutdown.clone(),
    );
    shutdown.cancel();
    let next = tokio::time::timeout(DEADLINE, incoming.next())
        .await
        .unwrap();
    assert!(next.is_none());
    assert!(incoming.next().await.is_none(), "stays ended");
}

/// A county health server over our accept stream whose interceptor records
/// the caller's identity from `peer_certs()`.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<NodeId>>>,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

async fn start_server(net: &Network) -> Server {
    let (listener, addr) = bind().await;
    let shutdown = CancellationToken::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = seen.clone();
    let interceptor = move |req: tonic::Request<()>| {
        let certs = req
            .peer_certs()
            .ok_or_else(|| tonic::Status::unauthenticated("no peer certificates"))?;
        let peer =
            peer_identity(&certs[0]).map_err(|e| tonic::Status::unauthenticated(e.to_string()))?;
        recorder.lock().unwrap().push(peer);
        Ok(req)
    };
    let (_reporter, health) = tonic_health::server::health_reporter();
    let incoming = tls_incoming(
        listener,
        server_config(&net.county).unwrap(),
        shutdown.clone(),
    );
    let serve = server_builder()
        .add_service(InterceptedService::new(health, interceptor))
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    Server {
        addr,
        seen,
        shutdown,
        task: tokio::spawn(serve),
    }
}

async fn check_health(channel: tonic::transport::Channel) -> i32 {
    let request = HealthCheckRequest {
        service: String::new(),
    };
    let response = HealthClient::new(channel).check(request).await.unwrap();
    response.into_inner().status
}

#[tokio::test]
async fn grpc_handlers_see_the_client_identity_through_peer_certs() {
    let net = Network::new();
    let server = start_server(&net).await;
    tokio::time::timeout(DEADLINE, async {
        let config = client_config(&net.township, &county()).unwrap();
        let channel = connect_channel(
            &server.addr.to_string(),
            "localhost",
            config,
            ChannelOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(check_health(channel).await, ServingStatus::Serving as i32);
        assert_eq!(*server.seen.lock().unwrap(), vec![township()]);
        server.shutdown.cancel();
        server.task.await.unwrap().unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn connect_channel_reports_a_server_refusing_our_certificate() {
    let net = Network::new();
    let server = start_server(&net).await;
    let (_foreign_dir, foreign) = foreign_material(net.path(), &township(), &[]);
    let addr = server.addr.to_string();
    tokio::time::timeout(DEADLINE, async {
        let refused = connect_channel(
            &addr,
            "localhost",
            client_config(&foreign, &county()).unwrap(),
            ChannelOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, TlsError::Handshake { .. }), "{refused}");
        assert!(
            refused
                .to_string()
                .contains("peer refused the connection: our certificate is from an unknown issuer"),
            "{refused}"
        );
        assert!(!refused.is_retryable() && refused.is_certificate_problem());

        // The server keeps serving good clients after the refusal.
        let config = client_config(&net.township, &county()).unwrap();
        let channel = connect_channel(&addr, "localhost", config, ChannelOptions::default())
            .await
            .unwrap();
        assert_eq!(check_health(channel).await, ServingStatus::Serving as i32);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn connect_channel_refuses_a_server_from_another_ca() {
    let net = Network::new();
    let (_foreign_dir, foreign_county) = foreign_material(net.path(), &county(), &server_hosts());
    let (listener, addr) = bind().await;
    let shutdown = CancellationToken::new();
    let _accepted = forward(tls_incoming(
        listener,
        server_config(&foreign_county).unwrap(),
        shutdown,
    ));
    let config = client_config(&net.township, &county()).unwrap();
    let err = tokio::time::timeout(
        DEADLINE,
        connect_channel(
            &addr.to_string(),
            "localhost",
            config,
            ChannelOptions::default(),
        ),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
    assert!(err.to_string().contains("failed: unknown issuer"), "{err}");
    assert!(err.to_string().contains("localhost at 127.0.0.1"), "{err}");
}

#[tokio::test]
async fn connect_channel_to_a_closed_port_is_a_retryable_dial_error() {
    let net = Network::new();
    let (listener, addr) = bind().await;
    drop(listener);
    let config = client_config(&net.township, &county()).unwrap();
    let err = connect_channel(
        &addr.to_string(),
        "localhost",
        config,
        ChannelOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, TlsError::Dial { .. }), "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn connect_channel_refuses_malformed_addresses_and_names() {
    let net = Network::new();
    let config = client_config(&net.township, &county()).unwrap();
    let opts = ChannelOptions::default;
    let no_port = connect_channel("localhost", "localhost", config.clone(), opts()).await;
    assert!(matches!(no_port, Err(TlsError::InvalidAddress { .. })));
    let bad_name = connect_channel("127.0.0.1:1", "not a name", config, opts()).await;
    assert!(matches!(bad_name, Err(TlsError::InvalidServerName { .. })));
}
