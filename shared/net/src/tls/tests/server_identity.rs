//! The client's check that the server it dialled is the node its config
//! was built for: every server here holds a certificate of the network's CA
//! valid for `localhost`, so only the identity check can tell them apart.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use super::*;
use crate::tls::transport::server_builder;

/// Guard against hangs: each test is far quicker than this.
const DEADLINE: Duration = Duration::from_secs(30);

fn node(role: Role, name: &str) -> NodeId {
    NodeId::new(role, name).unwrap()
}

fn hq() -> NodeId {
    node(Role::County, "HQ")
}

/// Material for `node` from the network's CA, valid for `hosts`.
fn material(net: &Network, node: &NodeId, hosts: &[String]) -> TlsMaterial {
    TlsMaterial::load(&issue_into(net.path(), node, hosts)).unwrap()
}

/// A gRPC health server on `127.0.0.1:0` presenting `material`'s
/// certificate; stops when the returned token is cancelled.
async fn serve_as(material: &TlsMaterial) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let incoming = tls_incoming(listener, server_config(material).unwrap(), shutdown.clone());
    let (_reporter, health) = tonic_health::server::health_reporter();
    let serve = server_builder()
        .add_service(health)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    tokio::spawn(serve);
    (addr, shutdown)
}

/// Township T01 dials `addr` as `localhost`, expecting the server to be `expected`.
async fn dial(
    net: &Network,
    addr: SocketAddr,
    expected: &NodeId,
    revocations: &Revocations,
) -> Result<tonic::transport::Channel, TlsError> {
    let config = client_config_with(&net.township, expected, revocations).unwrap();
    let addr = addr.to_string();
    let connect = connect_channel(&addr, "localhost", config, ChannelOptions::default());
    tokio::time::timeout(DEADLINE, connect)
        .await
        .expect("connect finished")
}

/// Serves `presented`'s certificate (valid for `hosts`) and has a client
/// expecting `expected` dial it.
async fn dial_server_as(
    presented: &NodeId,
    hosts: &[String],
    expected: &NodeId,
) -> Result<tonic::transport::Channel, TlsError> {
    let net = Network::new();
    let (addr, shutdown) = serve_as(&material(&net, presented, hosts)).await;
    let result = dial(&net, addr, expected, &Revocations::new()).await;
    shutdown.cancel();
    result
}

/// Asserts a refusal of `presented` by a client expecting `expected`,
/// typed and worded for an operator.
fn assert_wrong_server(result: Result<tonic::transport::Channel, TlsError>, presented: &NodeId) {
    let err = result.expect_err("the client accepted a server it did not expect");
    assert_eq!(
        err.unexpected_server(),
        Some(&UnexpectedServer {
            expected: hq(),
            presented: presented.clone(),
        }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&format!("server is {presented}, expected county/HQ")),
        "{message}"
    );
    assert!(message.contains("localhost at 127.0.0.1"), "{message}");
    assert!(err.is_certificate_problem() && !err.is_retryable(), "{err}");
}

async fn serving(channel: tonic::transport::Channel) -> i32 {
    let request = HealthCheckRequest {
        service: String::new(),
    };
    let response = HealthClient::new(channel).check(request).await.unwrap();
    response.into_inner().status
}

#[tokio::test]
async fn a_client_expecting_county_hq_connects_to_county_hq() {
    let channel = dial_server_as(&hq(), &server_hosts(), &hq())
        .await
        .expect("county/HQ accepted");
    assert_eq!(serving(channel).await, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn a_client_expecting_county_hq_refuses_another_townships_certificate() {
    let t02 = node(Role::Township, "T02");
    let result = dial_server_as(&t02, &server_hosts(), &hq()).await;
    assert_wrong_server(result, &t02);
}

#[tokio::test]
async fn a_township_certificate_without_the_dialled_name_is_refused_as_the_wrong_server() {
    // Township certificates carry no DNS name: webpki refuses the name
    // first, and the reason given is still who the server is.
    let t02 = node(Role::Township, "T02");
    let result = dial_server_as(&t02, &[], &hq()).await;
    assert_wrong_server(result, &t02);
}

#[tokio::test]
async fn a_client_expecting_county_hq_refuses_a_county_of_another_name() {
    let other = node(Role::County, "OTHER");
    let result = dial_server_as(&other, &server_hosts(), &hq()).await;
    assert_wrong_server(result, &other);
}

#[tokio::test]
async fn a_client_expecting_county_hq_refuses_a_bridge_certificate() {
    let bridge = node(Role::Bridge, "D03");
    let result = dial_server_as(&bridge, &server_hosts(), &hq()).await;
    assert_wrong_server(result, &bridge);
}

#[tokio::test]
async fn the_expected_server_may_have_any_role() {
    let bridge = node(Role::Bridge, "D03");
    let channel = dial_server_as(&bridge, &server_hosts(), &bridge)
        .await
        .expect("bridge/D03 accepted by a client expecting it");
    assert_eq!(serving(channel).await, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn a_revoked_certificate_of_the_expected_server_is_still_refused() {
    let net = Network::new();
    let (addr, shutdown) = serve_as(&material(&net, &hq(), &server_hosts())).await;
    let revocations = Revocations::new();
    revocations.replace([(hq(), i64::MAX)].into_iter().collect());
    let err = dial(&net, addr, &hq(), &revocations)
        .await
        .expect_err("a revoked county/HQ was accepted");
    shutdown.cancel();
    assert!(err.unexpected_server().is_none(), "{err}");
    assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
    assert!(err.to_string().to_lowercase().contains("revoked"), "{err}");
}
