//! gRPC health (`grpc.health.v1`) and server reflection for the admin port
//! of every node, in plain HTTP/2 next to the admin pages, so
//! `grpc_health_probe -addr=HOST:ADMIN` and `grpcurl -plaintext` work
//! without a client certificate. (The county's mutual-TLS replication port
//! serves both as well, see [`crate::serve`].) The health service reports
//! SERVING while the node runs; it carries no data.
//!
//! Reflection is served in both versions: `grpc.reflection.v1` and
//! `grpc.reflection.v1alpha` (Python's grpcio-reflection and older tools
//! speak only v1alpha).

use tonic::service::Routes;

use crate::rpc::pb;

/// Routes for health and reflection, to merge into an admin router.
pub fn grpc_router() -> axum::Router {
    let (_reporter, health) = tonic_health::server::health_reporter();
    reflection_routes(Routes::new(health)).into_axum_router()
}

/// `routes` plus reflection v1 and v1alpha over our descriptors and the
/// health service's. A descriptor that fails to load is logged and that
/// reflection version left out; the other services still answer.
pub fn reflection_routes(mut routes: Routes) -> Routes {
    let builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    match builder().build_v1() {
        Ok(v1) => routes = routes.add_service(v1),
        Err(e) => tracing::error!(error = %e, "gRPC reflection v1 unavailable"),
    }
    match builder().build_v1alpha() {
        Ok(v1alpha) => routes = routes.add_service(v1alpha),
        Err(e) => tracing::error!(error = %e, "gRPC reflection v1alpha unavailable"),
    }
    routes
}
