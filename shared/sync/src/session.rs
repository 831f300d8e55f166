//! The sans-IO replication session: one per stream, symmetric on both ends.
//!
//! It takes inputs (a peer message, an outbox chunk read, a batch made
//! durable, the outbox growing, a timer tick) and returns [`Action`]s (send a
//! message, read the outbox, apply a batch). It holds no socket, spawns no
//! task and reads no clock; the driver in [`super::driver`] does the I/O.
//!
//! Protocol, per direction:
//! 1. Each side sends a [`Hello`] carrying its cursor into the peer's outbox
//!    for it. Nothing else is sent before the peer's hello arrives.
//! 2. The sender streams [`Batch`]es from that cursor: consecutive outbox
//!    entries, bounded in count and bytes, with at most `window` batches
//!    unacknowledged (backpressure).
//! 3. The receiver applies batches in order; only after a batch is durable
//!    (cursor written in the same atomic write) does it send an [`Ack`].
//!    Batches that arrive while a commit runs are queued and applied
//!    together in the next commit (up to `max_apply_ops`), so the sender's
//!    window keeps the link busy while the receiver commits; one ack for
//!    the last of them acknowledges them all (acks are cumulative).
//!
//! Invariants: a cut at any point loses nothing (the next hello resumes at
//! the last durable cursor) and duplicates nothing that matters (the store
//! dedups by op id; a replayed batch is re-acknowledged). A cursor for
//! another incarnation of our outbox restarts from zero; a cursor beyond our
//! head (the peer saw a store we no longer have) is never trusted: we
//! restart from zero and report it. A misbehaving peer (gap, wrong
//! incarnation, second hello) ends the session with a [`SessionError`]; an
//! ack for a batch not in flight is counted and ignored.

use std::collections::VecDeque;

use super::message::{Ack, Batch, Heartbeat, Hello, Message, PROTOCOL_VERSION};
use liandong_model::NodeId;
use liandong_model::{Cursor, OutboxChunk};

/// Bounds of the session; both ends use their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    pub max_batch_ops: usize,
    pub max_batch_bytes: usize,
    /// Unacknowledged batches in flight.
    pub window: usize,
    /// Batches a receiver queues before it calls the peer abusive.
    pub max_receive_queue: usize,
    /// Operations a receiver applies in one commit: batches queued while
    /// the previous commit ran are applied together up to this many (a
    /// single batch is never split), and acknowledged with one cumulative
    /// ack for the last of them.
    pub max_apply_ops: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_batch_ops: 1000,
            max_batch_bytes: 768 * 1024,
            window: 8,
            max_receive_queue: 64,
            max_apply_ops: 4000,
        }
    }
}

/// What this node brings to a session, read from the store when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalState {
    pub hello: Hello,
    /// The peer the certificate names.
    pub peer: NodeId,
}

/// Work for the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Send(Message),
    /// Read our outbox for the peer after `after`; answer with
    /// [`Session::on_outbox_read`].
    ReadOutbox {
        after: u64,
        max_ops: usize,
        max_bytes: usize,
    },
    /// Apply these operations with this cursor atomically and durably;
    /// answer with [`Session::on_applied`].
    Apply {
        batch_id: u64,
        cursor: Cursor,
        ops: Vec<Vec<u8>>,
    },
    /// The peer's hello arrived (the driver checks its store id).
    PeerHello(Box<Hello>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("{peer} sent {got} before its hello")]
    ExpectedHello { peer: NodeId, got: &'static str },
    #[error("{peer} sent a second hello")]
    DuplicateHello { peer: NodeId },
    #[error("{peer} speaks protocol {theirs}, this node speaks {PROTOCOL_VERSION}; upgrade the older node")]
    Version { peer: NodeId, theirs: u32 },
    #[error("hello claims to be {claimed} but the certificate says {peer}")]
    WrongNode { peer: NodeId, claimed: NodeId },
    #[error(
        "{peer} sent batch {batch_id} for another outbox incarnation than its hello announced"
    )]
    WrongIncarnation { peer: NodeId, batch_id: u64 },
    #[error("{peer} sent batch {batch_id} starting at {first} but {expected} was next")]
    Gap {
        peer: NodeId,
        batch_id: u64,
        first: u64,
        expected: u64,
    },
    #[error("{peer} sent a malformed batch {batch_id} ({detail})")]
    MalformedBatch {
        peer: NodeId,
        batch_id: u64,
        detail: &'static str,
    },
    #[error("{peer} exceeded the receive window ({queued} batches queued)")]
    WindowExceeded { peer: NodeId, queued: usize },
}

impl SessionError {
    /// Every session error is the peer's doing: the link is reset and the
    /// next session resumes from the durable cursor.
    pub fn is_peer_fault(&self) -> bool {
        true
    }
}

/// Counters for status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub ops_sent: u64,
    pub batches_sent: u64,
    pub ops_received: u64,
    pub batches_applied: u64,
    /// Highest outbox seq the peer acknowledged.
    pub acked_seq: u64,
    pub outbox_head: u64,
    pub peer_outbox_head: u64,
    /// Our durable position in the peer's outbox.
    pub durable_seq: u64,
    pub ignored_acks: u64,
    pub duplicate_batches: u64,
    /// The peer's cursor was beyond our outbox head.
    pub future_cursor: bool,
    pub last_peer_heartbeat_ms: u64,
}

impl SessionStats {
    /// Operations we hold for the peer that it has not acknowledged.
    pub fn lag_out(&self) -> u64 {
        self.outbox_head.saturating_sub(self.acked_seq)
    }

    /// Operations the peer holds for us that we have not made durable.
    pub fn lag_in(&self) -> u64 {
        self.peer_outbox_head.saturating_sub(self.durable_seq)
    }
}

#[derive(Debug)]
struct InFlight {
    batch_id: u64,
    last_seq: u64,
}

/// One replication session.
#[derive(Debug)]
pub struct Session {
    cfg: SessionConfig,
    local: LocalState,
    /// The outbox head our hello announced (fixed for the session).
    announced_head: u64,
    peer_hello: Option<Hello>,
    // Sending side.
    send_next: u64,
    next_batch_id: u64,
    inflight: VecDeque<InFlight>,
    reading: bool,
    // Receiving side.
    durable: Cursor,
    expected_next: u64,
    /// Batches in the apply under way (0: none).
    applying: u64,
    queue: VecDeque<Batch>,
    stats: SessionStats,
}

impl Session {
    pub fn new(cfg: SessionConfig, local: LocalState) -> Self {
        let durable = local.hello.resume;
        let stats = SessionStats {
            outbox_head: local.hello.outbox_head,
            durable_seq: durable.seq,
            ..Default::default()
        };
        Session {
            cfg,
            announced_head: local.hello.outbox_head,
            peer_hello: None,
            send_next: 1,
            next_batch_id: 1,
            inflight: VecDeque::new(),
            reading: false,
            expected_next: durable.seq + 1,
            durable,
            applying: 0,
            queue: VecDeque::new(),
            stats,
            local,
        }
    }

    pub fn peer(&self) -> &NodeId {
        &self.local.peer
    }

    pub fn stats(&self) -> SessionStats {
        self.stats
    }

    pub fn peer_hello(&self) -> Option<&Hello> {
        self.peer_hello.as_ref()
    }

    /// The first actions: our hello.
    pub fn start(&self) -> Vec<Action> {
        vec![Action::Send(Message::Hello(self.local.hello.clone()))]
    }

    pub fn on_message(&mut self, msg: Message) -> Result<Vec<Action>, SessionError> {
        let peer = self.local.peer.clone();
        match (msg, self.peer_hello.is_some()) {
            (Message::Hello(h), false) => self.on_hello(h),
            (Message::Hello(_), true) => Err(SessionError::DuplicateHello { peer }),
            (Message::Batch(_), false) => Err(SessionError::ExpectedHello {
                peer,
                got: "a batch",
            }),
            (Message::Ack(_), false) => Err(SessionError::ExpectedHello {
                peer,
                got: "an ack",
            }),
            (Message::Heartbeat(_), false) => Err(SessionError::ExpectedHello {
                peer,
                got: "a heartbeat",
            }),
            (Message::Batch(b), true) => self.on_batch(b),
            (Message::Ack(a), true) => Ok(self.on_ack(a)),
            (Message::Heartbeat(h), true) => {
                // The report is the driver's business (it goes to the board).
                self.stats.peer_outbox_head = h.outbox_head;
                self.stats.last_peer_heartbeat_ms = h.sent_at_ms;
                Ok(vec![])
            }
        }
    }

    fn on_hello(&mut self, h: Hello) -> Result<Vec<Action>, SessionError> {
        let peer = self.local.peer.clone();
        if h.node != peer {
            return Err(SessionError::WrongNode {
                peer,
                claimed: h.node,
            });
        }
        if h.protocol_version != PROTOCOL_VERSION {
            return Err(SessionError::Version {
                peer,
                theirs: h.protocol_version,
            });
        }
        // Where to start sending. Both ends judge a future cursor by the
        // same pair of numbers (the receiver's resume cursor against the head
        // the sender announced), so they agree on restarting from 1.
        self.send_next = if h.resume.incarnation != self.local.hello.outbox {
            1
        } else if h.resume.seq > self.announced_head {
            self.stats.future_cursor = true;
            1
        } else {
            h.resume.seq + 1
        };
        self.stats.acked_seq = self.send_next - 1;
        // Where we expect the peer to start.
        if h.outbox != self.durable.incarnation || self.durable.seq > h.outbox_head {
            self.durable = Cursor {
                incarnation: h.outbox,
                seq: 0,
            };
            self.expected_next = 1;
            self.stats.durable_seq = 0;
        }
        self.stats.peer_outbox_head = h.outbox_head;
        let mut actions = vec![Action::PeerHello(Box::new(h.clone()))];
        self.peer_hello = Some(h);
        actions.extend(self.maybe_read());
        Ok(actions)
    }

    fn on_batch(&mut self, mut b: Batch) -> Result<Vec<Action>, SessionError> {
        let peer = self.local.peer.clone();
        if b.incarnation != self.durable.incarnation {
            return Err(SessionError::WrongIncarnation {
                peer,
                batch_id: b.batch_id,
            });
        }
        let declared = b
            .last_seq
            .checked_sub(b.first_seq)
            .and_then(|d| d.checked_add(1));
        if declared != Some(b.ops.len() as u64) {
            return Err(SessionError::MalformedBatch {
                peer,
                batch_id: b.batch_id,
                detail: "sequence range does not match operation count",
            });
        }
        if b.last_seq < self.expected_next {
            self.stats.duplicate_batches += 1;
            if b.last_seq <= self.durable.seq {
                return Ok(vec![Action::Send(Message::Ack(Ack {
                    batch_id: b.batch_id,
                    cursor: Cursor {
                        incarnation: b.incarnation,
                        seq: b.last_seq,
                    },
                }))]);
            }
            return Ok(vec![]);
        }
        if b.first_seq > self.expected_next {
            return Err(SessionError::Gap {
                peer,
                batch_id: b.batch_id,
                first: b.first_seq,
                expected: self.expected_next,
            });
        }
        if b.first_seq < self.expected_next {
            // Partial overlap: keep only the new tail.
            let skip = (self.expected_next - b.first_seq) as usize;
            b.ops.drain(..skip);
            b.first_seq = self.expected_next;
        }
        self.expected_next = b.last_seq + 1;
        self.stats.peer_outbox_head = self.stats.peer_outbox_head.max(b.last_seq);
        self.queue.push_back(b);
        if self.queue.len() > self.cfg.max_receive_queue {
            return Err(SessionError::WindowExceeded {
                peer,
                queued: self.queue.len(),
            });
        }
        Ok(self.maybe_apply())
    }

    /// Starts applying the queued batches, merged up to `max_apply_ops`,
    /// unless an apply is under way.
    fn maybe_apply(&mut self) -> Vec<Action> {
        if self.applying > 0 {
            return vec![];
        }
        let Some(first) = self.queue.pop_front() else {
            return vec![];
        };
        let (mut batch_id, mut last_seq, incarnation) =
            (first.batch_id, first.last_seq, first.incarnation);
        let mut ops = first.ops;
        self.applying = 1;
        while let Some(next) = self.queue.front() {
            if ops.len() + next.ops.len() > self.cfg.max_apply_ops {
                break;
            }
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            // Queued batches are consecutive and of one incarnation
            // (`on_batch` checked both).
            batch_id = next.batch_id;
            last_seq = next.last_seq;
            ops.extend(next.ops);
            self.applying += 1;
        }
        self.stats.ops_received += ops.len() as u64;
        vec![Action::Apply {
            batch_id,
            cursor: Cursor {
                incarnation,
                seq: last_seq,
            },
            ops,
        }]
    }

    /// The store made an [`Action::Apply`] durable (with its cursor): the
    /// ack names the last batch it covered.
    pub fn on_applied(&mut self, batch_id: u64, cursor: Cursor) -> Vec<Action> {
        self.stats.batches_applied += self.applying.max(1);
        self.applying = 0;
        self.durable = cursor;
        self.stats.durable_seq = cursor.seq;
        let mut actions = vec![Action::Send(Message::Ack(Ack { batch_id, cursor }))];
        actions.extend(self.maybe_apply());
        actions
    }

    fn on_ack(&mut self, a: Ack) -> Vec<Action> {
        let Some(pos) = self.inflight.iter().position(|f| f.batch_id == a.batch_id) else {
            self.stats.ignored_acks += 1;
            return vec![];
        };
        let acked = &self.inflight[pos];
        if a.cursor.incarnation != self.local.hello.outbox || a.cursor.seq != acked.last_seq {
            self.stats.ignored_acks += 1;
            return vec![];
        }
        self.stats.acked_seq = acked.last_seq;
        // Acks are cumulative: everything before it is durable too.
        self.inflight.drain(..=pos);
        self.maybe_read()
    }

    /// A write committed; `head` is our outbox head for this peer.
    pub fn on_outbox_grew(&mut self, head: u64) -> Vec<Action> {
        if head > self.local.hello.outbox_head {
            self.local.hello.outbox_head = head;
            self.stats.outbox_head = head;
        }
        self.maybe_read()
    }

    fn maybe_read(&mut self) -> Vec<Action> {
        let can_send = self.peer_hello.is_some()
            && !self.reading
            && self.inflight.len() < self.cfg.window
            && self.send_next <= self.local.hello.outbox_head;
        if !can_send {
            return vec![];
        }
        self.reading = true;
        vec![Action::ReadOutbox {
            after: self.send_next - 1,
            max_ops: self.cfg.max_batch_ops,
            max_bytes: self.cfg.max_batch_bytes,
        }]
    }

    /// The driver read our outbox as asked.
    pub fn on_outbox_read(&mut self, chunk: OutboxChunk) -> Vec<Action> {
        self.reading = false;
        // Not `on_outbox_grew`: that would start the next read before this
        // batch is accounted for.
        if chunk.head > self.local.hello.outbox_head {
            self.local.hello.outbox_head = chunk.head;
            self.stats.outbox_head = chunk.head;
        }
        let (Some(first), Some(last)) = (chunk.ops.first(), chunk.ops.last()) else {
            return vec![];
        };
        let (first_seq, last_seq) = (first.0, last.0);
        let batch = Batch {
            batch_id: self.next_batch_id,
            incarnation: self.local.hello.outbox,
            first_seq,
            last_seq,
            ops: chunk.ops.into_iter().map(|(_, bytes)| bytes).collect(),
        };
        self.next_batch_id += 1;
        self.send_next = last_seq + 1;
        self.stats.ops_sent += batch.ops.len() as u64;
        self.stats.batches_sent += 1;
        self.inflight.push_back(InFlight {
            batch_id: batch.batch_id,
            last_seq,
        });
        let mut actions = vec![Action::Send(Message::Batch(batch))];
        actions.extend(self.maybe_read());
        actions
    }

    /// Timer tick: a heartbeat carrying our head, for the peer's lag figures.
    pub fn on_tick(&mut self, now_ms: u64) -> Vec<Action> {
        if self.peer_hello.is_none() {
            return vec![];
        }
        vec![Action::Send(Message::Heartbeat(Heartbeat {
            outbox_head: self.local.hello.outbox_head,
            sent_at_ms: now_ms,
            report: None,
        }))]
    }
}

#[cfg(test)]
#[path = "tests/session.rs"]
mod tests;
