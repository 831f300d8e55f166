//! The county's admin HTTP port: node status as JSON for tools and the
//! `status` command's `--json` form. The admin web page, metrics and SSE
//! are a later slice.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use shared::node::NodeCore;
use shared::shutdown::Shutdown;
use tokio::net::TcpListener;

pub fn router(core: NodeCore) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/status", get(status))
        .with_state(core)
}

async fn status(State(core): State<NodeCore>) -> Response {
    let res = tokio::task::spawn_blocking(move || core.status()).await;
    match res {
        Ok(Ok(s)) => Json(s).into_response(),
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Serves the admin router on `listener` until shutdown.
pub fn serve(listener: TcpListener, core: NodeCore, shutdown: &Shutdown) {
    let token = shutdown.token();
    shutdown.spawn("admin-http", async move {
        let app = router(core);
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(async move { token.cancelled().await })
            .await
        {
            tracing::error!(error = %e, "admin HTTP server failed");
        }
    });
}
