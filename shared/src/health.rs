//! gRPC health (`grpc.health.v1`) and server reflection for the admin port
//! of every node, in plain HTTP/2 next to the admin pages, so
//! `grpc_health_probe -addr=HOST:ADMIN` and `grpcurl -plaintext` work
//! without a client certificate. (The county's mutual-TLS replication port
//! serves both as well.) The health service reports SERVING while the node
//! runs; it carries no data.

use crate::rpc::pb;

/// Routes for health and reflection, to merge into an admin router.
pub fn grpc_router() -> axum::Router {
    let (_reporter, health) = tonic_health::server::health_reporter();
    let routes = tonic::service::Routes::new(health);
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1();
    match reflection {
        Ok(reflection) => routes.add_service(reflection).into_axum_router(),
        Err(e) => {
            tracing::error!(error = %e, "gRPC reflection unavailable");
            routes.into_axum_router()
        }
    }
}
