//! The department bridge's HTTP/JSON API (部门前置机接口): how a
//! department's own system, on its private network, sees the cases routed
//! to its department and records its opinions and decisions, through the
//! bridge node that replicates with the county.
//!
//! - [`Endpoint`]: every path the API serves; the router is built from
//!   [`Endpoint::ALL`] and the OpenAPI document ([`openapi`], served at
//!   `/openapi.json`) describes the same list, so neither can drift;
//! - [`auth`]: the bearer token (every path but `/openapi.json`);
//! - [`cases`]: `GET /v1/cases` (a `_changes`-style feed with an opaque
//!   cursor) and `GET /v1/cases/{id}`, as [`view`] shapes a case for one
//!   department;
//! - [`writes`]: `POST /v1/cases/{id}/opinions` and `/decisions`, through
//!   [`NodeCore::case_action`] so the domain's checks apply, made from the
//!   bodies in [`actions`], idempotent with [`idempotency`];
//! - [`webhook`]: pushes new cases and events, signed, retried, from a
//!   durable cursor; [`status`]: `/api/status` and `/metrics` with the
//!   webhook's figures; [`error`]: the JSON errors.
//!
//! Invariants: a request never sees a case that is not routed to this
//! bridge's department (even if the store holds one); bad input is a 4xx
//! with a JSON error, never a 500; bodies are limited to [`MAX_BODY`].
//! The API is plain HTTP, served on loopback by default (the department
//! system runs beside the bridge).

mod actions;
mod auth;
mod cases;
mod error;
mod idempotency;
pub mod openapi;
mod status;
mod view;
pub mod webhook;
mod writes;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tokio::net::TcpListener;

use crate::shutdown::Shutdown;
use crate::NodeCore;
use liandong_net::http::{serve_http, HttpLimits};

pub use actions::OpinionResult;
pub use auth::{ensure_token, Token, TokenError};
pub use error::ApiError;
pub use idempotency::{Journal, JournalError};
pub use webhook::{Webhook, WebhookStatus};

/// Largest request body (larger → 413).
pub const MAX_BODY: usize = 64 * 1024;

/// What every handler reads.
#[derive(Clone)]
pub struct BridgeApi {
    pub core: NodeCore,
    /// The department this bridge serves, e.g. D03.
    pub department: String,
    pub token: Token,
    pub journal: Arc<Journal>,
    pub webhook: Option<Webhook>,
}

/// Every path the API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    OpenApi,
    ListCases,
    GetCase,
    PostOpinion,
    PostDecision,
    Status,
    Metrics,
}

impl Endpoint {
    pub const ALL: [Endpoint; 7] = [
        Endpoint::OpenApi,
        Endpoint::ListCases,
        Endpoint::GetCase,
        Endpoint::PostOpinion,
        Endpoint::PostDecision,
        Endpoint::Status,
        Endpoint::Metrics,
    ];

    /// The path, in OpenAPI's template syntax (axum's too).
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::OpenApi => "/openapi.json",
            Endpoint::ListCases => "/v1/cases",
            Endpoint::GetCase => "/v1/cases/{id}",
            Endpoint::PostOpinion => "/v1/cases/{id}/opinions",
            Endpoint::PostDecision => "/v1/cases/{id}/decisions",
            Endpoint::Status => "/api/status",
            Endpoint::Metrics => "/metrics",
        }
    }

    /// The HTTP method, lower case (as OpenAPI writes it).
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::PostOpinion | Endpoint::PostDecision => "post",
            _ => "get",
        }
    }

    /// Whether the path needs the bearer token (all but the document).
    pub fn needs_token(self) -> bool {
        self != Endpoint::OpenApi
    }

    fn handler(self) -> MethodRouter<BridgeApi> {
        match self {
            Endpoint::OpenApi => get(openapi::serve),
            Endpoint::ListCases => get(cases::list),
            Endpoint::GetCase => get(cases::show),
            Endpoint::PostOpinion => post(writes::opinion),
            Endpoint::PostDecision => post(writes::decision),
            Endpoint::Status => get(status::status),
            Endpoint::Metrics => get(status::metrics),
        }
    }
}

/// The API's router: [`Endpoint::ALL`], a JSON 404 for any other path
/// and a JSON 405 for another method on one of them.
pub fn router(api: BridgeApi) -> Router {
    let mut router = Router::new();
    for endpoint in Endpoint::ALL {
        router = router.route(endpoint.path(), endpoint.handler());
    }
    router
        .fallback(|uri: axum::http::Uri| async move { ApiError::not_found(uri.path()) })
        .method_not_allowed_fallback(
            |method: axum::http::Method, uri: axum::http::Uri| async move {
                ApiError::method_not_allowed(&method, uri.path())
            },
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(api)
}

/// Serves the API on `listener` until shutdown.
pub fn serve(listener: TcpListener, api: BridgeApi, shutdown: &Shutdown) {
    crate::metrics::process_start_ms();
    let server = serve_http(
        listener,
        router(api),
        HttpLimits::default(),
        shutdown.tracker(),
        shutdown.token(),
    );
    shutdown.spawn("bridge-api", server);
}

/// Runs blocking work (store reads and writes) off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}
