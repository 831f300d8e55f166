//! The county's admin HTTP port, for the network admin and for tools:
//!
//! - `/admin` — the network admin's page: one self-contained HTML file compiled in (no
//!   external assets, works on an air-gapped hall network). It polls
//!   `/api/status` and draws a detail chart from `/api/history`.
//! - `/api/status` — [`crate::NodeStatus`] as JSON (`status --json`).
//! - `/api/history?peer=township/T01` — that link's lag over the last hour.
//! - `/metrics` — Prometheus text ([`crate::metrics`]).
//! - `/healthz` — `ok` while the process serves.
//!
//! - `POST /api/login`, `POST /api/logout` — a staff session
//!   ([`super::session`]); the lists above with personal data need one.
//!
//! - everything else: the web console ([`crate::console`]), `/` its
//!   sign-in page.
//!
//! Nothing above changes the node's data. Health, status and metrics carry
//! no personal data and need no session: bind the port to loopback or the
//! admin network only (the default is 127.0.0.1:7080).

use crate::shutdown::Shutdown;
use crate::NodeCore;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use liandong_model::NodeId;
use liandong_net::http::{serve_http, HttpLimits};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use super::history::{LagHistory, LagSample, SAMPLE_EVERY, SPAN};
use super::supervision;

/// The admin page (Chinese by default; `?lang=en` for English).
pub const PAGE: &str = include_str!("page.html");

#[derive(Clone)]
pub(super) struct Admin {
    pub(super) core: NodeCore,
    pub(super) history: LagHistory,
}

pub fn router(core: NodeCore, history: LagHistory) -> Router {
    Router::new()
        .route("/admin", get(page))
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/status", get(status))
        .route("/api/history", get(lag_history))
        .route("/metrics", get(metrics))
        .route("/api/cases", get(supervision::cases))
        .route("/api/supervision", get(supervision::items))
        .route("/api/login", post(super::session::login))
        .route("/api/logout", post(super::session::logout))
        .with_state(Admin {
            core: core.clone(),
            history,
        })
        .merge(crate::console::router(core))
        .merge(liandong_net::health::grpc_router())
}

/// Serves the admin router on `listener` and samples lag history, both
/// until shutdown.
pub fn serve(listener: TcpListener, core: NodeCore, shutdown: &Shutdown) {
    crate::metrics::process_start_ms();
    let history = LagHistory::default();
    history.spawn_sampler(core.board.clone(), core.clock.clone(), shutdown);
    let app = router(core, history);
    let server = serve_http(
        listener,
        app,
        HttpLimits::default(),
        shutdown.tracker(),
        shutdown.token(),
    );
    shutdown.spawn("admin-http", server);
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response()
}

async fn status(State(admin): State<Admin>) -> Response {
    let core = admin.core;
    match tokio::task::spawn_blocking(move || core.status()).await {
        Ok(Ok(s)) => Json(s).into_response(),
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn metrics(State(admin): State<Admin>) -> Response {
    let core = admin.core;
    match tokio::task::spawn_blocking(move || crate::metrics::scrape_text(&core)).await {
        Ok(Ok(text)) => {
            ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response()
        }
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    peer: Option<String>,
}

/// One link's lag over the last hour, oldest sample first.
#[derive(Debug, Serialize)]
struct HistoryReply {
    peer: String,
    interval_s: u64,
    span_s: u64,
    samples: Vec<LagSample>,
}

/// A peer the county knows but has not sampled yet gets no samples, not
/// an error: the chart says "no data yet".
async fn lag_history(State(admin): State<Admin>, Query(q): Query<HistoryQuery>) -> Response {
    let Some(peer) = q.peer.filter(|p| !p.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            "peer=NODE is required, e.g. /api/history?peer=township/T01",
        )
            .into_response();
    };
    if let Err(e) = peer.parse::<NodeId>() {
        return (StatusCode::BAD_REQUEST, format!("peer `{peer}`: {e}")).into_response();
    }
    let samples = admin.history.get(&peer).unwrap_or_default();
    Json(HistoryReply {
        peer,
        interval_s: SAMPLE_EVERY.as_secs(),
        span_s: SPAN.as_secs(),
        samples,
    })
    .into_response()
}
