//! The uplink a child runs: one long-lived `Sync` stream to its parent,
//! re-established after any failure on the schedule of [`super::reconnect`]
//! (fast retries for the first seconds after a loss, then jittered
//! exponential waits capped at [`BACKOFF_MAX`]). Changes flow live as soon
//! as the session is up; there is no polling interval.
//!
//! The parent is authenticated at the handshake: [`Uplink::tls`] is built
//! for [`Uplink::parent`], so an address that reaches another node (another
//! township, a bridge, a county of another name) is refused there, and the
//! link board's error for the parent names both identities
//! ([`UplinkError::wrong_parent`]). Such an attempt is retried like any
//! other, so the link comes up once the address or that server is fixed.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;

use super::pb;
use super::pb::replication_client::ReplicationClient;
use super::reconnect::Reconnect;
use super::server::inbound_messages;
use super::MAX_MESSAGE_BYTES;
use crate::driver::SessionEnd;
use crate::driver::{run_session, LinkContext, OUTGOING_CAPACITY};
use crate::tls::{connect_channel_via, ChannelOptions, SharedDialer, TlsError, UnexpectedServer};
use liandong_model::NodeId;

/// Longest wait between reconnect attempts (before jitter), reached only
/// once the parent has been unreachable for a while (see
/// [`super::reconnect`]).
pub const BACKOFF_MAX: Duration = super::reconnect::SLOW_MAX;

/// Where and how to reach the parent.
#[derive(Clone)]
pub struct Uplink {
    pub parent: NodeId,
    /// Address to dial, "host:port".
    pub dial: String,
    /// Name the parent's certificate must be valid for.
    pub server_name: String,
    /// Built with [`crate::tls::client_config_with`] for `parent`: the
    /// handshake refuses a server whose certificate names any other node.
    pub tls: Arc<ClientConfig>,
    /// Opens the byte stream TLS runs over: TCP in a real node
    /// ([`crate::tls::TcpDialer`]), a proxy or a simulated network in tests.
    pub dialer: SharedDialer,
}

/// Keeps the uplink up until shutdown.
pub async fn run_uplink(ctx: LinkContext, uplink: Uplink) {
    use tracing::Instrument;
    let span = tracing::info_span!("uplink", node = %ctx.store.me());
    uplink_loop(ctx, uplink).instrument(span).await
}

async fn uplink_loop(ctx: LinkContext, uplink: Uplink) {
    let mut schedule = Reconnect::default();
    let parent = uplink.parent.clone();
    while !ctx.shutdown.is_cancelled() {
        let attempt = tokio::time::Instant::now();
        let moved_before = ctx.board.totals(&parent);
        match session_once(&ctx, &uplink).await {
            Ok(end) => {
                if matches!(end, SessionEnd::Shutdown) {
                    break;
                }
                tracing::info!(%parent, reason = %end, "uplink session ended");
                let moved_data = ctx.board.totals(&parent) != moved_before;
                schedule.session_ended(attempt, tokio::time::Instant::now(), moved_data);
                if end.reconnect_now() {
                    continue;
                }
            }
            Err(e) => {
                match e.wrong_parent() {
                    Some(mismatch) => tracing::warn!(
                        %parent,
                        presented = %mismatch.presented,
                        dial = %uplink.dial,
                        error = %e,
                        "the parent's address answers as another node"
                    ),
                    None => tracing::warn!(%parent, error = %e, "cannot reach parent"),
                }
                ctx.board.unreachable(&parent, e.to_string());
            }
        }
        let wait = schedule.next_wait(tokio::time::Instant::now());
        tokio::select! {
            _ = ctx.shutdown.cancelled() => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Why an uplink attempt did not get as far as a session.
#[derive(Debug, thiserror::Error)]
pub enum UplinkError {
    /// Dial, TLS handshake or HTTP/2 set-up failed (see [`TlsError`]'s
    /// `is_retryable` and `is_certificate_problem`).
    #[error(transparent)]
    Connect(#[from] TlsError),
    /// The parent answered the `Sync` call with an error status.
    #[error("{code}: {message}")]
    Refused { code: tonic::Code, message: String },
}

impl UplinkError {
    /// When the parent's address answered with another node's certificate:
    /// who was expected and who answered. Retrying alone cannot fix it; the
    /// configured address or the certificate on that server must change.
    pub fn wrong_parent(&self) -> Option<&UnexpectedServer> {
        match self {
            UplinkError::Connect(e) => e.unexpected_server(),
            UplinkError::Refused { .. } => None,
        }
    }
}

/// One connection attempt and, if it succeeds, one session.
async fn session_once(ctx: &LinkContext, uplink: &Uplink) -> Result<SessionEnd, UplinkError> {
    let channel = connect_channel_via(
        uplink.dialer.clone(),
        &uplink.dial,
        &uplink.server_name,
        uplink.tls.clone(),
        ChannelOptions::default(),
    )
    .await?;
    let mut client = ReplicationClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let (tx, rx) = mpsc::channel(OUTGOING_CAPACITY);
    let outbound = ReceiverStream::new(rx).map(pb::SyncFrame::from);
    let response = tokio::select! {
        _ = ctx.shutdown.cancelled() => return Ok(SessionEnd::Shutdown),
        r = client.sync(outbound) => r.map_err(|s| UplinkError::Refused {
            code: s.code(),
            message: s.message().to_string(),
        })?,
    };
    tracing::info!(parent = %uplink.parent, "uplink session opened");
    let inbound = inbound_messages(response.into_inner());
    Ok(run_session(ctx.clone(), uplink.parent.clone(), inbound, tx, None).await)
}
