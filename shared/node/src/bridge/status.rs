//! The bridge's own health on its API port: `/api/status` (the node's
//! [`crate::NodeStatus`] as every node reports it, plus the bridge's
//! department and webhook) and `/metrics` (the node's Prometheus text plus
//! the webhook's gauges). Both need the bearer token like the rest of the
//! API, so a Prometheus job scraping it sets `authorization` with the
//! token file.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::auth::Authorised;
use super::error::ApiError;
use super::webhook::WebhookStatus;
use super::{blocking, BridgeApi};
use crate::NodeStatus;

/// `/api/status`.
#[derive(Debug, Serialize)]
pub struct BridgeStatus {
    pub department: String,
    pub node: NodeStatus,
    /// `null` without `--webhook`.
    pub webhook: Option<WebhookStatus>,
}

pub async fn status(
    _: Authorised,
    State(api): State<BridgeApi>,
) -> Result<Json<BridgeStatus>, ApiError> {
    let webhook = api.webhook.as_ref().map(|w| w.status());
    let department = api.department.clone();
    let node = blocking(move || Ok(api.core.status()?)).await?;
    Ok(Json(BridgeStatus {
        department,
        node,
        webhook,
    }))
}

pub async fn metrics(_: Authorised, State(api): State<BridgeApi>) -> Result<Response, ApiError> {
    let webhook = api.webhook.as_ref().map(|w| w.status());
    let text = blocking(move || Ok(crate::metrics::scrape_text(&api.core)?)).await?;
    let mut text = text
        .strip_suffix("# EOF\n")
        .map(str::to_string)
        .unwrap_or(text);
    if let Some(w) = webhook {
        text.push_str(&webhook_metrics(&w));
    }
    Ok(([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response())
}

/// The webhook's gauges in the Prometheus text format.
fn webhook_metrics(w: &WebhookStatus) -> String {
    let gauge = |name: &str, help: &str, value: u64| {
        format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n")
    };
    [
        gauge(
            "liandong_webhook_pending",
            "Deliveries (new cases and events) not yet answered 2xx by the webhook.",
            w.pending,
        ),
        gauge(
            "liandong_webhook_delivered_seq",
            "Feed position the webhook has been delivered up to.",
            w.delivered_to,
        ),
        gauge(
            "liandong_webhook_failing",
            "1 while the last delivery attempt failed.",
            u64::from(w.last_error.is_some()),
        ),
        gauge(
            "liandong_webhook_attempts_failed",
            "Failed delivery attempts since this process started.",
            w.failed_attempts,
        ),
    ]
    .concat()
}
