//! Health and reflection: every node's admin port answers `grpc.health.v1`
//! and server reflection in plain HTTP/2 (what grpc_health_probe and
//! grpcurl use); the county's mutual-TLS port answers health too.

use std::net::SocketAddr;

use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
use tonic_reflection::pb::v1::ServerReflectionRequest;

use tests::{township_id, Net};

async fn plain(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("plain HTTP/2 connection to the admin port")
}

async fn serving(channel: Channel) -> ServingStatus {
    let reply = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health answers");
    reply.into_inner().status()
}

async fn services(channel: Channel) -> Vec<String> {
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut replies = ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection answers")
        .into_inner();
    let reply = replies.message().await.expect("reply").expect("one reply");
    match reply.message_response {
        Some(MessageResponse::ListServicesResponse(list)) => {
            list.service.into_iter().map(|s| s.name).collect()
        }
        other => panic!("unexpected reflection reply {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_port_answers_health_and_reflection_and_the_tls_port_answers_health() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    for addr in [county.inner.admin_addr, town.inner.admin_addr] {
        assert_eq!(
            serving(plain(addr).await).await,
            ServingStatus::Serving,
            "{addr}"
        );
        let names = services(plain(addr).await).await;
        assert!(
            names.iter().any(|n| n == "grpc.health.v1.Health"),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n == "liandong.v1.Replication"),
            "{names:?}"
        );
    }
    // Over mutual TLS on the replication port, with a township certificate.
    let files =
        liandong_net::tls::ensure_dev_node_cert(&net.pki(), &township_id("T01"), &[]).unwrap();
    let county_id = liandong_model::NodeId::county("HQ").unwrap();
    let material = liandong_net::tls::TlsMaterial::load(&files).unwrap();
    let tls = liandong_net::tls::client_config(&material, &county_id).unwrap();
    let channel = liandong_net::tls::connect_channel(
        &format!("127.0.0.1:{}", county.port()),
        "localhost",
        tls,
        liandong_net::tls::ChannelOptions::default(),
    )
    .await
    .expect("mutual TLS");
    assert_eq!(serving(channel).await, ServingStatus::Serving);
}
