//! The county's replication port: the replication service, gRPC health and
//! server reflection (v1 and v1alpha) on one HTTP/2 server over whatever
//! connection stream the caller hands in — our mutual-TLS accept stream
//! ([`crate::tls::tls_incoming`]) in a real node, a simulated network's
//! stream in a simulation.

use std::future::Future;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::transport::server::Connected;

use crate::driver::LinkContext;
use crate::health::reflection_routes;
use crate::rpc::pb;
use crate::rpc::server::ReplicationService;
use crate::tls::{server_builder, Revocations};

/// Why the replication server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves replication, health and reflection on `incoming` until `stop` is
/// cancelled. Sessions run as tasks of `tracker`.
pub fn serve_replication<I, IO, IE>(
    incoming: I,
    ctx: LinkContext,
    tracker: TaskTracker,
    revocations: Revocations,
    stop: CancellationToken,
) -> impl Future<Output = Result<(), ServeError>> + Send
where
    I: Stream<Item = Result<IO, IE>> + Send + 'static,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    IO::ConnectInfo: Clone + Send + Sync + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (health_reporter, health) = tonic_health::server::health_reporter();
    let routes = reflection_routes(tonic::service::Routes::new(health));
    let service = ReplicationService::new(ctx, tracker, revocations);
    async move {
        health_reporter
            .set_serving::<pb::replication_server::ReplicationServer<ReplicationService>>()
            .await;
        server_builder()
            .add_routes(routes)
            .add_service(service.into_server())
            .serve_with_incoming_shutdown(incoming, stop.cancelled())
            .await?;
        Ok(())
    }
}
