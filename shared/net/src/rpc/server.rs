//! The replication service a parent node serves to its children
//! (townships and department bridges).
//!
//! Each `Sync` call: the peer's identity comes from its client certificate
//! (SAN URI), never from the message; its first frame must be a hello that
//! names the same node; the peer is registered (its outbox filled if new or
//! restored: a restore's refill at most once per [`REFILL_INTERVAL`] per
//! peer, on the blocking pool); then a tracked task runs the session
//! driver. A second session from the same peer replaces the first (the old
//! one is cancelled and finishes its in-flight apply), so one peer never has
//! two writers racing on its cursor.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::task::{Context, Poll};

use tokio::sync::{mpsc, oneshot};
use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::{Request, Response, Status, Streaming};

use super::pb;
use super::pb::replication_server::{Replication, ReplicationServer};
use super::MAX_MESSAGE_BYTES;
use crate::driver::SessionEnd;
use crate::driver::{run_session, FrameError, LinkContext, OUTGOING_CAPACITY};
use liandong_model::{NodeId, Role};
use liandong_store::StoreError;
use liandong_sync::{Hello, Message};

/// How long a child has to send its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// A peer whose store id changes (restored, rebuilt) makes this node refill
/// its whole outbox; a peer may cause that at most once per this interval,
/// so one that presents a new store id in every hello cannot keep the hub
/// refilling. A refused peer is told when to come back.
pub const REFILL_INTERVAL: Duration = Duration::from_secs(60);

type FrameStream = Pin<Box<dyn Stream<Item = Result<pb::SyncFrame, Status>> + Send>>;

/// The service; clone-cheap.
#[derive(Clone)]
pub struct ReplicationService {
    ctx: LinkContext,
    tracker: TaskTracker,
    sessions: Arc<Mutex<HashMap<NodeId, CancellationToken>>>,
    revocations: crate::tls::Revocations,
    /// When each peer last made us refill its outbox.
    refills: Arc<Mutex<HashMap<NodeId, std::time::Instant>>>,
}

impl ReplicationService {
    pub fn new(
        ctx: LinkContext,
        tracker: TaskTracker,
        revocations: crate::tls::Revocations,
    ) -> Self {
        ReplicationService {
            ctx,
            tracker,
            sessions: Arc::default(),
            revocations,
            refills: Arc::default(),
        }
    }

    /// Ends the session (cancels `token`) as soon as the certificate it was
    /// opened with is revoked.
    fn end_on_revocation(&self, peer: &NodeId, leaf: Vec<u8>, token: CancellationToken) {
        let revocations = self.revocations.clone();
        let mut changes = revocations.subscribe();
        let peer = peer.clone();
        self.tracker.spawn(async move {
            loop {
                if revocations.revokes(&leaf) {
                    tracing::warn!(%peer, "certificate revoked: ending its session");
                    token.cancel();
                    return;
                }
                tokio::select! {
                    _ = token.cancelled() => return,
                    r = changes.changed() => if r.is_err() { return },
                }
            }
        });
    }

    /// The tonic server with explicit message limits.
    pub fn into_server(self) -> ReplicationServer<Self> {
        ReplicationServer::new(self)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
    }

    /// Whether a hello with `store_id` may be served: a changed store id
    /// means a full outbox refill, allowed once per [`REFILL_INTERVAL`].
    fn allow_refill(
        &self,
        peer: &NodeId,
        store_id: liandong_model::Incarnation,
    ) -> Result<(), Status> {
        let changed = self
            .ctx
            .store
            .peer(peer)
            .is_ok_and(|rec| rec.store_id.is_some_and(|known| known != store_id));
        if !changed {
            return Ok(());
        }
        let mut refills = self.refills.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        match refills.get(peer) {
            Some(last) if now.duration_since(*last) < REFILL_INTERVAL => {
                let wait = REFILL_INTERVAL.saturating_sub(now.duration_since(*last));
                Err(Status::unavailable(format!(
                    "{peer} presented a new store id again within {} s; its outbox is refilled at most once per {} s: retry in {} s",
                    REFILL_INTERVAL.as_secs(),
                    REFILL_INTERVAL.as_secs(),
                    wait.as_secs().max(1)
                )))
            }
            _ => {
                refills.insert(peer.clone(), now);
                Ok(())
            }
        }
    }

    /// Cancels the peer's previous session (if any) and returns a token for
    /// the new one.
    fn claim(&self, peer: &NodeId) -> CancellationToken {
        let token = self.ctx.shutdown.child_token();
        let mut map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = map.insert(peer.clone(), token.clone()) {
            old.cancel();
        }
        token
    }
}

/// The peer named by the client certificate's liandong SAN URI.
pub fn peer_identity<T>(req: &Request<T>) -> Result<NodeId, Status> {
    let certs = req
        .peer_certs()
        .ok_or_else(|| Status::unauthenticated("no client certificate"))?;
    let leaf = certs
        .first()
        .ok_or_else(|| Status::unauthenticated("empty client certificate chain"))?;
    crate::tls::peer_identity(leaf.as_ref())
        .map_err(|e| Status::unauthenticated(format!("client certificate: {e}")))
}

/// Maps inbound frames to messages; malformed frames are kept as errors the
/// driver counts, a failed stream ends the session.
pub fn inbound_messages(
    inbound: Streaming<pb::SyncFrame>,
) -> impl Stream<Item = Result<Message, FrameError>> + Unpin + Send {
    inbound_messages_keeping_status(inbound, Arc::default())
}

/// Like [`inbound_messages`], also keeping the stream's failure status so
/// the server can answer with it.
fn inbound_messages_keeping_status(
    inbound: Streaming<pb::SyncFrame>,
    failure: Arc<Mutex<Option<Status>>>,
) -> impl Stream<Item = Result<Message, FrameError>> + Unpin + Send {
    inbound.map(move |frame| match frame {
        Ok(f) => Message::try_from(f).map_err(|e| FrameError::Malformed(e.to_string())),
        Err(status) => {
            let text = format!("{}: {}", status.code(), status.message());
            let mut slot = failure.lock().unwrap_or_else(|e| e.into_inner());
            slot.get_or_insert(status);
            Err(FrameError::Transport(text))
        }
    })
}

/// The status a child sees when its session ends for `end`.
fn end_status(end: &SessionEnd, inbound_failure: Option<Status>) -> Option<Status> {
    if let Some(status) = inbound_failure {
        // tonic reports a message over the decoding limit as OUT_OF_RANGE;
        // our contract (DESIGN.md "Security") is RESOURCE_EXHAUSTED.
        if status.code() == tonic::Code::OutOfRange {
            return Some(Status::resource_exhausted(status.message().to_string()));
        }
        return Some(status);
    }
    match end {
        SessionEnd::PeerClosed | SessionEnd::Shutdown => None,
        SessionEnd::PeerStoreChanged => Some(Status::aborted(end.to_string())),
        SessionEnd::Protocol(_) => Some(Status::failed_precondition(end.to_string())),
        SessionEnd::Transport(_) => Some(Status::unavailable(end.to_string())),
        SessionEnd::Stalled => Some(Status::resource_exhausted(end.to_string())),
        SessionEnd::Store(_) => Some(Status::unavailable(end.to_string())),
    }
}

/// The response stream: messages from the session, then (if the session
/// failed) one final status, so the child learns why.
struct Outbound {
    frames: mpsc::Receiver<Message>,
    end: Option<oneshot::Receiver<Status>>,
}

impl Stream for Outbound {
    type Item = Result<pb::SyncFrame, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.frames.poll_recv(cx) {
            Poll::Ready(Some(m)) => return Poll::Ready(Some(Ok(m.into()))),
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {}
        }
        let Some(end) = self.end.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(end).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.end = None;
                Poll::Ready(result.ok().map(Err))
            }
        }
    }
}

pub fn store_status(e: StoreError) -> Status {
    if e.is_corruption() {
        Status::data_loss(e.to_string())
    } else {
        Status::unavailable(e.to_string())
    }
}

async fn first_hello(
    inbound: &mut Streaming<pb::SyncFrame>,
    peer: &NodeId,
) -> Result<Hello, Status> {
    let frame = tokio::time::timeout(HELLO_TIMEOUT, inbound.message())
        .await
        .map_err(|_| Status::deadline_exceeded("no hello within 10 s"))??
        .ok_or_else(|| Status::cancelled("stream closed before hello"))?;
    let hello = match Message::try_from(frame) {
        Ok(Message::Hello(h)) => h,
        Ok(_) => return Err(Status::failed_precondition("first frame must be a hello")),
        Err(e) => return Err(Status::invalid_argument(format!("hello: {e}"))),
    };
    if &hello.node != peer {
        return Err(Status::permission_denied(format!(
            "hello names {} but the certificate is {peer}",
            hello.node
        )));
    }
    Ok(hello)
}

impl ReplicationService {
    /// Runs one child's session; returns the status to end its stream with.
    async fn serve_peer(
        &self,
        peer: NodeId,
        leaf: Vec<u8>,
        mut inbound: Streaming<pb::SyncFrame>,
        tx: mpsc::Sender<Message>,
    ) -> Option<Status> {
        let admitted = match first_hello(&mut inbound, &peer).await {
            Ok(hello) => self.allow_refill(&peer, hello.store_id).map(|()| hello),
            Err(status) => Err(status),
        };
        let hello = match admitted {
            Ok(hello) => hello,
            Err(status) => {
                tracing::warn!(%peer, error = %status.message(), "refused replication session");
                self.ctx
                    .board
                    .unreachable(&peer, status.message().to_string());
                return Some(status);
            }
        };
        let store = self.ctx.store.clone();
        let (p, sid) = (peer.clone(), hello.store_id);
        let registered =
            tokio::task::spawn_blocking(move || store.ensure_peer(&p, Some(sid))).await;
        if let Err(e) = registered
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        {
            tracing::error!(%peer, error = %e, "cannot register peer");
            return Some(Status::unavailable(format!(
                "county cannot register {peer}: {e}"
            )));
        }
        let token = self.claim(&peer);
        self.end_on_revocation(&peer, leaf, token.clone());
        let ctx = LinkContext {
            shutdown: token,
            ..self.ctx.clone()
        };
        tracing::info!(%peer, "replication session opened");
        let failure = Arc::new(Mutex::new(None));
        let messages = inbound_messages_keeping_status(inbound, failure.clone());
        let end = run_session(ctx, peer.clone(), messages, tx, Some(hello)).await;
        match &end {
            SessionEnd::Shutdown | SessionEnd::PeerClosed => {
                tracing::info!(%peer, reason = %end, "replication session closed")
            }
            other => tracing::warn!(%peer, reason = %other, "replication session ended"),
        }
        let failure = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
        end_status(&end, failure)
    }
}

#[tonic::async_trait]
impl Replication for ReplicationService {
    type SyncStream = FrameStream;

    async fn sync(
        &self,
        req: Request<Streaming<pb::SyncFrame>>,
    ) -> Result<Response<Self::SyncStream>, Status> {
        let peer = peer_identity(&req)?;
        let leaf = req
            .peer_certs()
            .and_then(|c| c.first().map(|l| l.as_ref().to_vec()))
            .unwrap_or_default();
        // Children only: townships and department bridges dial their
        // county; what each may send is authorised per operation.
        if !matches!(peer.role(), Role::Township | Role::Bridge) {
            return Err(Status::permission_denied(format!(
                "{peer} may not replicate with this node (only townships and bridges)"
            )));
        }
        let inbound = req.into_inner();
        let (tx, rx) = mpsc::channel(OUTGOING_CAPACITY);
        let (end_tx, end_rx) = oneshot::channel();
        let this = self.clone();
        // The response must return before the hello arrives: the child's
        // hello only flows once its call has been answered.
        self.tracker.spawn(async move {
            if let Some(status) = this.serve_peer(peer, leaf, inbound, tx).await {
                let _ = end_tx.send(status);
            }
        });
        let out = Outbound {
            frames: rx,
            end: Some(end_rx),
        };
        Ok(Response::new(Box::pin(out)))
    }

    async fn status(
        &self,
        _req: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::StatusReply>, Status> {
        let store = self.ctx.store.clone();
        let stats = tokio::task::spawn_blocking(move || store.stats())
            .await
            .map_err(|e| Status::internal(e.to_string()))?
            .map_err(store_status)?;
        Ok(Response::new(pb::StatusReply {
            node: self.ctx.store.me().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            ops_held: stats.ops_held,
            digest: stats.digest_all.short(),
        }))
    }
}
