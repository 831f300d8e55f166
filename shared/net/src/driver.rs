//! The async driver of one [`Session`]: moves messages between the stream
//! and the session, and runs the session's store actions on the blocking
//! pool. One `select!` loop: peer messages, outbox growth, finished store
//! work, heartbeat ticks, shutdown.
//!
//! No sled call and no file-system scan runs on an async worker: the hello
//! (which counts operations per origin), peer registration (which may
//! rebuild a whole outbox), outbox reads, and decoding, authorising and
//! applying a received batch all run on the blocking pool. What the loop
//! itself reads is in memory (the store's published peer records, the link
//! board, the node's cached health report). Time comes from the node's
//! injected clock ([`LinkContext::clock`]).
//!
//! Sends never block the loop: the outgoing channel is sized for the
//! protocol's bounds (window batches, acks for the peer's window,
//! heartbeats); a full channel means the peer stopped reading, and the
//! session ends so the link can be re-established. A heartbeat is simply
//! skipped when the channel is busy.
//!
//! Received operations are decoded and authorised against the peer's
//! certificate identity before they reach the store; a refused or
//! undecodable operation is counted and logged, and the rest of its batch
//! is applied (the cursor still advances past it). An operation stamped
//! beyond the store's clock-skew bound is applied and relayed all the same;
//! the store moves the node's clock only to the bound and says so in its
//! apply report, and the driver counts it as a `clock-skew` rejection.
//!
//! What a peer says about itself is bounded where it is received: a
//! heartbeat's send time feeds the skew figure with saturating arithmetic,
//! and its health report is cut to size and stripped of control characters
//! in the wire conversion ([`NodeReport::bounded`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use liandong_model::{EncodedOp, NodeId, Rejection, SharedClock};
use liandong_store::{Cursor, OutboxChunk, Source, Store, StoreError};
use liandong_sync::board::LinkBoard;
use liandong_sync::message::{Hello, Message, NodeReport, PROTOCOL_VERSION};
use liandong_sync::session::{Action, LocalState, Session, SessionConfig, SessionError};

/// Capacity of the outgoing channel of one link (see module docs).
pub const OUTGOING_CAPACITY: usize = 256;

/// Heartbeat period.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// Why a frame from the peer could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The frame was malformed (unknown kind, bad field): counted, skipped.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// The stream itself failed: the session ends.
    #[error("stream failed: {0}")]
    Transport(String),
}

/// How a session ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionEnd {
    #[error("peer closed the stream")]
    PeerClosed,
    #[error("shutting down")]
    Shutdown,
    #[error("peer store changed; restarting replication from zero")]
    PeerStoreChanged,
    #[error("{0}")]
    Protocol(#[from] SessionError),
    #[error("stream failed: {0}")]
    Transport(String),
    #[error("peer stopped reading (send queue full)")]
    Stalled,
    #[error("store failed: {0}")]
    Store(#[from] StoreError),
}

impl SessionEnd {
    /// Ends that call for an immediate reconnect rather than a backoff.
    pub fn reconnect_now(&self) -> bool {
        matches!(self, SessionEnd::PeerStoreChanged)
    }
}

/// Produces this node's health report for heartbeats (cheap: no scans).
pub type Reporter = Arc<dyn Fn() -> NodeReport + Send + Sync>;

/// Everything a driver needs from its node.
#[derive(Clone)]
pub struct LinkContext {
    pub store: Arc<Store>,
    pub board: LinkBoard,
    /// The node's clock: contact times, heartbeats and skew read it.
    pub clock: SharedClock,
    pub config: SessionConfig,
    pub shutdown: CancellationToken,
    /// Attached to outgoing heartbeats when set (children report upward).
    pub reporter: Option<Reporter>,
}

enum Done {
    Read(Result<OutboxChunk, StoreError>),
    Applied {
        batch_id: u64,
        cursor: Cursor,
        result: Result<(), StoreError>,
    },
}

/// Our hello to `peer`, read from the store (a prefix scan for the counts:
/// call it on the blocking pool).
pub fn local_hello(store: &Store, peer: &NodeId) -> Result<Hello, StoreError> {
    let rec = store.peer(peer)?;
    let stats = store.stats()?;
    Ok(Hello {
        node: store.me().clone(),
        protocol_version: PROTOCOL_VERSION,
        store_id: store.store_id(),
        outbox: rec.outbox.incarnation,
        outbox_head: rec.outbox.head,
        resume: store.cursor(peer)?,
        version_vector: stats.origin_counts,
    })
}

/// Runs one session until the stream ends, the peer misbehaves or shutdown.
/// `peer_hello`: the peer's hello when the caller already read it (server).
pub async fn run_session<S>(
    ctx: LinkContext,
    peer: NodeId,
    incoming: S,
    outgoing: mpsc::Sender<Message>,
    peer_hello: Option<Hello>,
) -> SessionEnd
where
    S: Stream<Item = Result<Message, FrameError>> + Unpin,
{
    use tracing::Instrument;
    let span = tracing::info_span!("link", node = %ctx.store.me(), %peer);
    session_loop(ctx, peer, incoming, outgoing, peer_hello)
        .instrument(span)
        .await
}

async fn session_loop<S>(
    ctx: LinkContext,
    peer: NodeId,
    mut incoming: S,
    outgoing: mpsc::Sender<Message>,
    peer_hello: Option<Hello>,
) -> SessionEnd
where
    S: Stream<Item = Result<Message, FrameError>> + Unpin,
{
    // Listen for commits before reading the outbox head for the hello: a
    // commit between that read and a later subscription would wake nobody,
    // and its operations would wait for the next write. Subscribed first,
    // such a commit wakes the loop (at worst for a head it already knows).
    let mut changes = ctx.store.subscribe();
    let (store, p) = (ctx.store.clone(), peer.clone());
    let hello = match tokio::task::spawn_blocking(move || local_hello(&store, &p)).await {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => return SessionEnd::Store(e),
        Err(join) => return SessionEnd::Store(StoreError::Io(std::io::Error::other(join))),
    };
    let now_ms = || ctx.clock.now_ms();
    let mut session = Session::new(
        ctx.config,
        LocalState {
            hello,
            peer: peer.clone(),
        },
    );
    ctx.board.connected(&peer, now_ms());
    let base = ctx.board.totals(&peer);
    let mut work: JoinSet<Done> = JoinSet::new();
    let mut ticker = tokio::time::interval(HEARTBEAT);
    let mut actions = session.start();
    if let Some(h) = peer_hello {
        match session.on_message(Message::Hello(h)) {
            Ok(more) => actions.extend(more),
            Err(e) => return finish(&ctx, &peer, &mut work, e.into()).await,
        }
    }
    loop {
        if let Err(end) = execute(&ctx, &peer, &outgoing, &mut work, actions).await {
            return finish(&ctx, &peer, &mut work, end).await;
        }
        ctx.board
            .session_stats(&peer, base, &session.stats(), now_ms());
        actions = tokio::select! {
            _ = ctx.shutdown.cancelled() => {
                return finish(&ctx, &peer, &mut work, SessionEnd::Shutdown).await;
            }
            msg = incoming.next() => match msg {
                None => return finish(&ctx, &peer, &mut work, SessionEnd::PeerClosed).await,
                Some(Err(FrameError::Transport(e))) => {
                    return finish(&ctx, &peer, &mut work, SessionEnd::Transport(e)).await;
                }
                Some(Err(FrameError::Malformed(e))) => {
                    tracing::warn!(%peer, error = %e, "skipping malformed frame");
                    ctx.board.reject(&peer, "malformed-frame");
                    vec![]
                }
                Some(Ok(msg)) => {
                    let now = now_ms();
                    ctx.board.contact(&peer, now);
                    if let Message::Heartbeat(h) = &msg {
                        ctx.board.skew(&peer, skew_ms(h.sent_at_ms, now));
                        if let Some(report) = &h.report {
                            ctx.board.report(&peer, report.clone(), now);
                        }
                    }
                    match session.on_message(msg) {
                        Ok(a) => a,
                        Err(e) => return finish(&ctx, &peer, &mut work, e.into()).await,
                    }
                }
            },
            Ok(()) = changes.changed() => match ctx.store.peer(&peer) {
                Ok(rec) => session.on_outbox_grew(rec.outbox.head),
                Err(e) => return finish(&ctx, &peer, &mut work, e.into()).await,
            },
            Some(done) = work.join_next() => match done {
                Ok(Done::Read(Ok(chunk))) => session.on_outbox_read(chunk),
                Ok(Done::Applied { batch_id, cursor, result: Ok(()) }) => {
                    session.on_applied(batch_id, cursor)
                }
                Ok(Done::Read(Err(e))) | Ok(Done::Applied { result: Err(e), .. }) => {
                    return finish(&ctx, &peer, &mut work, e.into()).await;
                }
                Err(join) => {
                    let e = StoreError::Io(std::io::Error::other(join.to_string()));
                    return finish(&ctx, &peer, &mut work, e.into()).await;
                }
            },
            _ = ticker.tick() => session.on_tick(now_ms()),
        };
    }
}

/// The peer's clock minus ours (ms), saturated at the ends of `i64` however
/// hostile the peer's `sent_at_ms`.
fn skew_ms(sent_at_ms: u64, now_ms: u64) -> i64 {
    if sent_at_ms >= now_ms {
        i64::try_from(sent_at_ms - now_ms).unwrap_or(i64::MAX)
    } else {
        i64::try_from(now_ms - sent_at_ms).map_or(i64::MIN, |d| -d)
    }
}

/// Waits for in-flight store work (an apply already started is finished, so
/// its cursor is durable), then records the end on the board.
async fn finish(
    ctx: &LinkContext,
    peer: &NodeId,
    work: &mut JoinSet<Done>,
    end: SessionEnd,
) -> SessionEnd {
    while work.join_next().await.is_some() {}
    let error = match &end {
        SessionEnd::Shutdown | SessionEnd::PeerClosed => None,
        other => Some(other.to_string()),
    };
    ctx.board.disconnected(peer, error);
    end
}

async fn execute(
    ctx: &LinkContext,
    peer: &NodeId,
    outgoing: &mpsc::Sender<Message>,
    work: &mut JoinSet<Done>,
    actions: Vec<Action>,
) -> Result<(), SessionEnd> {
    for action in actions {
        tracing::trace!(%peer, action = ?ActionSummary(&action), "session action");
        match action {
            Action::Send(mut msg) => {
                let is_heartbeat = matches!(msg, Message::Heartbeat(_));
                if let (Message::Heartbeat(h), Some(reporter)) = (&mut msg, &ctx.reporter) {
                    h.report = Some(reporter());
                }
                match outgoing.try_send(msg) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) if is_heartbeat => {}
                    Err(mpsc::error::TrySendError::Full(_)) => return Err(SessionEnd::Stalled),
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        return Err(SessionEnd::Transport("outgoing stream closed".into()))
                    }
                }
            }
            Action::ReadOutbox {
                after,
                max_ops,
                max_bytes,
            } => {
                let store = ctx.store.clone();
                let peer = peer.clone();
                work.spawn_blocking(move || {
                    Done::Read(store.read_outbox(&peer, after, max_ops, max_bytes))
                });
            }
            Action::Apply {
                batch_id,
                cursor,
                ops,
            } => {
                let (ctx, peer) = (ctx.clone(), peer.clone());
                work.spawn_blocking(move || {
                    let (accepted, undecodable) = screen(&ctx, &peer, ops);
                    let source = Source::Peer {
                        node: peer.clone(),
                        cursor,
                    };
                    let result = ctx.store.apply_received(source, accepted, undecodable).map(|report| {
                        for (op, rejection) in report.refused {
                            tracing::warn!(%peer, %op, reason = rejection.reason(), error = %rejection,
                                "refused operation (kept as a rejection record)");
                            ctx.board.reject(&peer, rejection.reason());
                        }
                        for (op, rejection) in report.held {
                            tracing::warn!(%peer, %op, reason = rejection.reason(), error = %rejection,
                                "operation held back until this node's clock is within the skew bound of its stamp");
                            ctx.board.reject(&peer, rejection.reason());
                        }
                    });
                    Done::Applied {
                        batch_id,
                        cursor,
                        result,
                    }
                });
            }
            Action::PeerHello(h) => {
                // May rebuild the peer's whole outbox: on the blocking pool,
                // awaited here so nothing reads the outbox before it is done.
                let (store, p) = (ctx.store.clone(), peer.clone());
                let registered =
                    tokio::task::spawn_blocking(move || store.ensure_peer(&p, Some(h.store_id)))
                        .await
                        .map_err(|join| StoreError::Io(std::io::Error::other(join)))?;
                let (_, rebuilt) = registered?;
                if rebuilt {
                    tracing::warn!(%peer, "peer store changed (restored or rebuilt): refilled its outbox");
                    return Err(SessionEnd::PeerStoreChanged);
                }
            }
        }
    }
    Ok(())
}

/// Decodes received operations; undecodable ones are counted (and get a
/// rejection record with the batch they came in). What each
/// operation says is authorised in the store's write path, against what
/// the store holds (`liandong_store`'s screen). CPU work proportional to
/// the batch: runs on the blocking pool with the apply it feeds.
fn screen(ctx: &LinkContext, peer: &NodeId, ops: Vec<Vec<u8>>) -> (Vec<EncodedOp>, Vec<Rejection>) {
    let mut accepted = Vec::with_capacity(ops.len());
    let mut undecodable = Vec::new();
    for bytes in ops {
        match EncodedOp::decode(bytes) {
            Ok(op) => accepted.push(op),
            Err(e) => {
                let rejection = Rejection::Malformed(e.to_string());
                tracing::warn!(%peer, reason = rejection.reason(), error = %rejection, "refused operation");
                ctx.board.reject(peer, rejection.reason());
                undecodable.push(rejection);
            }
        }
    }
    (accepted, undecodable)
}

/// Compact `Debug` of an action for trace logs (no operation bytes).
struct ActionSummary<'a>(&'a Action);

impl std::fmt::Debug for ActionSummary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Action::Send(Message::Batch(b)) => {
                write!(
                    f,
                    "send batch {} [{}..={}]",
                    b.batch_id, b.first_seq, b.last_seq
                )
            }
            Action::Send(Message::Ack(a)) => write!(f, "send ack {} @{}", a.batch_id, a.cursor.seq),
            Action::Send(Message::Hello(h)) => write!(
                f,
                "send hello head {} resume {}",
                h.outbox_head, h.resume.seq
            ),
            Action::Send(Message::Heartbeat(_)) => write!(f, "send heartbeat"),
            Action::ReadOutbox { after, .. } => write!(f, "read outbox after {after}"),
            Action::Apply {
                batch_id,
                cursor,
                ops,
            } => {
                write!(
                    f,
                    "apply batch {batch_id} ({} ops) to @{}",
                    ops.len(),
                    cursor.seq
                )
            }
            Action::PeerHello(h) => write!(
                f,
                "peer hello head {} resume {}",
                h.outbox_head, h.resume.seq
            ),
        }
    }
}

#[cfg(test)]
mod tests;
