//! The township's admin HTTP port, for monitoring and tools: `/healthz`,
//! `/metrics` (Prometheus text, [`crate::metrics`]) and `/api/status`
//! ([`crate::NodeStatus`] as JSON), and the centre's web console
//! ([`crate::console`], `/` its sign-in page). The network admin's page
//! lives at the county only; a township's health also reaches the county in its
//! heartbeats. Health, metrics and status are
//! read-only and unauthenticated; the console needs a staff session. Bind it to loopback (the
//! default, 127.0.0.1:7081) or the admin network.

use crate::shutdown::Shutdown;
use crate::NodeCore;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use liandong_net::http::{serve_http, HttpLimits};
use tokio::net::TcpListener;

pub fn router(core: NodeCore) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/status", get(status))
        .route("/metrics", get(metrics))
        .with_state(core.clone())
        .merge(crate::console::router(core))
        .merge(liandong_net::health::grpc_router())
}

/// Serves the admin router on `listener` until shutdown.
pub fn serve(listener: TcpListener, core: NodeCore, shutdown: &Shutdown) {
    crate::metrics::process_start_ms();
    let server = serve_http(
        listener,
        router(core),
        HttpLimits::default(),
        shutdown.tracker(),
        shutdown.token(),
    );
    shutdown.spawn("admin-http", server);
}

async fn status(State(core): State<NodeCore>) -> Response {
    match tokio::task::spawn_blocking(move || core.status()).await {
        Ok(Ok(s)) => Json(s).into_response(),
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn metrics(State(core): State<NodeCore>) -> Response {
    match tokio::task::spawn_blocking(move || crate::metrics::scrape_text(&core)).await {
        Ok(Ok(text)) => {
            ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response()
        }
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
