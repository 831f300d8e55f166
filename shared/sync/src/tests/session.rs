//! Scripted-message tests for the replication session.
//!
//! A [`Link`] wires two sessions back to back, A (township `T01`) and B
//! (county `C01`), through one in-memory queue per direction. Each side has a
//! [`Node`]: a fake outbox for the peer (answering `ReadOutbox`) and a fake
//! durable store (answering `Apply`; it keeps what it holds and its cursor).
//! A test moves the link one step at a time and can drop, duplicate, reorder
//! or hold messages, or cut the link: both sessions and everything in flight
//! are lost and new sessions start from what each store holds.
//!
//! Tests marked `#[ignore]` fail because of a bug in `session.rs` named in
//! the reason; remove the attribute once it is fixed.

use std::collections::VecDeque;

use super::{Action, LocalState, Session, SessionConfig, SessionError};
use crate::message::{Ack, Batch, Hello, Message, PROTOCOL_VERSION};
use liandong_model::NodeId;
use liandong_model::{Cursor, Incarnation, OutboxChunk};

const A: usize = 0;
const B: usize = 1;
/// The incarnation of each side's outbox for the other.
const OUTBOX: [Incarnation; 2] = [[1; 16], [2; 16]];

fn node_id(side: usize) -> NodeId {
    let id = [NodeId::township("T01"), NodeId::county("C01")];
    id[side].clone().expect("valid node id")
}

fn cfg(max_batch_ops: usize, window: usize) -> SessionConfig {
    let default = SessionConfig::default();
    SessionConfig {
        max_batch_ops,
        window,
        ..default
    }
}

fn text(ops: &[Vec<u8>]) -> Vec<String> {
    let text = ops.iter().map(|op| String::from_utf8_lossy(op));
    text.map(String::from).collect()
}

/// A cursor into A's outbox.
fn a_cursor(seq: u64) -> Cursor {
    let incarnation = OUTBOX[A];
    Cursor { incarnation, seq }
}

/// An ack from B.
fn ack(batch_id: u64, seq: u64) -> Message {
    let cursor = a_cursor(seq);
    Message::Ack(Ack { batch_id, cursor })
}

/// What one side keeps across a cut.
#[derive(Default)]
struct Node {
    /// Our outbox for the peer: `outbox[i]` has seq `i + 1`.
    outbox_inc: Incarnation,
    outbox: Vec<Vec<u8>>,
    /// Bumped by a restore, so operations written after it are new ones.
    generation: u8,
    /// Operations received from the peer, deduplicated as the store does by
    /// op id, in arrival order; written together with `cursor`.
    held: Vec<Vec<u8>>,
    cursor: Cursor,
    /// Operations an apply offered that were already held.
    dups_offered: usize,
}

impl Node {
    fn new(side: usize, ops: u64) -> Node {
        let outbox_inc = OUTBOX[side];
        let mut node = Node {
            outbox_inc,
            ..Node::default()
        };
        node.write(side, ops);
        node
    }

    fn write(&mut self, side: usize, n: u64) {
        for _ in 0..n {
            let seq = self.outbox.len() + 1;
            let op = format!("{}{}-{seq}", ["A", "B"][side], self.generation);
            self.outbox.push(op.into_bytes());
        }
    }

    fn head(&self) -> u64 {
        self.outbox.len() as u64
    }

    /// What a starting node reads from its store to open a session.
    fn local_state(&self, side: usize) -> LocalState {
        let hello = Hello {
            node: node_id(side),
            protocol_version: PROTOCOL_VERSION,
            store_id: [side as u8 + 10; 16],
            outbox: self.outbox_inc,
            outbox_head: self.head(),
            resume: self.cursor,
            version_vector: Default::default(),
        };
        let peer = node_id(1 - side);
        LocalState { hello, peer }
    }

    fn read(&self, after: u64, max_ops: usize) -> OutboxChunk {
        let seqs = (after + 1..=self.head()).take(max_ops);
        let ops = seqs.map(|s| (s, self.outbox[s as usize - 1].clone()));
        let head = self.head();
        OutboxChunk {
            ops: ops.collect(),
            head,
        }
    }

    fn apply(&mut self, cursor: Cursor, ops: Vec<Vec<u8>>) {
        for op in ops {
            if self.held.contains(&op) {
                self.dups_offered += 1;
            } else {
                self.held.push(op);
            }
        }
        self.cursor = cursor;
    }
}

struct Link {
    cfg: SessionConfig,
    nodes: [Node; 2],
    sessions: [Session; 2],
    /// `inbox[i]`: messages on their way to side `i`, in stream order.
    inbox: [VecDeque<Message>; 2],
    /// `work[i]`: store work side `i`'s session asked for, not done yet.
    work: [VecDeque<Action>; 2],
    /// Last seq of every batch side `i` sent in this session.
    sent: [Vec<u64>; 2],
    /// The most batches side `i` ever had unacknowledged.
    max_unacked: [usize; 2],
}

impl Link {
    /// A link whose sessions have sent their hellos.
    fn new(cfg: SessionConfig, a_ops: u64, b_ops: u64) -> Link {
        let nodes = [Node::new(A, a_ops), Node::new(B, b_ops)];
        let sessions = [A, B].map(|i| Session::new(cfg, nodes[i].local_state(i)));
        let mut link = Link {
            cfg,
            nodes,
            sessions,
            inbox: Default::default(),
            work: Default::default(),
            sent: Default::default(),
            max_unacked: [0; 2],
        };
        link.cut();
        link
    }

    /// Loses both sessions and everything in flight (an apply not done is
    /// not durable); new sessions start from each node's durable state and
    /// send their hellos.
    fn cut(&mut self) {
        for i in [A, B] {
            self.sessions[i] = Session::new(self.cfg, self.nodes[i].local_state(i));
            self.inbox[i].clear();
            self.work[i].clear();
            self.sent[i].clear();
        }
        for i in [A, B] {
            let hello = self.sessions[i].start();
            self.route(i, hello);
        }
    }

    fn route(&mut self, from: usize, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Send(msg) => {
                    if let Message::Batch(b) = &msg {
                        self.sent[from].push(b.last_seq);
                        let acked = self.sessions[from].stats().acked_seq;
                        let unacked = self.sent[from].iter().filter(|&&s| s > acked).count();
                        self.max_unacked[from] = self.max_unacked[from].max(unacked);
                    }
                    self.inbox[1 - from].push_back(msg);
                }
                Action::PeerHello(_) => {}
                work => self.work[from].push_back(work),
            }
        }
    }

    /// Delivers the next message to side `to`; false if none was waiting.
    fn deliver(&mut self, to: usize) -> Result<bool, SessionError> {
        let Some(msg) = self.inbox[to].pop_front() else {
            return Ok(false);
        };
        let actions = self.sessions[to].on_message(msg)?;
        self.route(to, actions);
        Ok(true)
    }

    /// Does side `side`'s next piece of store work; false if none was asked.
    fn do_work(&mut self, side: usize) -> bool {
        let (node, session) = (&mut self.nodes[side], &mut self.sessions[side]);
        let actions = match self.work[side].pop_front() {
            None => return false,
            Some(Action::ReadOutbox { after, max_ops, .. }) => {
                session.on_outbox_read(node.read(after, max_ops))
            }
            Some(Action::Apply {
                batch_id,
                cursor,
                ops,
            }) => {
                node.apply(cursor, ops);
                session.on_applied(batch_id, cursor)
            }
            Some(other) => panic!("not store work: {other:?}"),
        };
        self.route(side, actions);
        true
    }

    /// Runs until nothing is left to deliver or do.
    fn run(&mut self) -> Result<(), SessionError> {
        while self.deliver(A)? | self.deliver(B)? | self.do_work(A) | self.do_work(B) {}
        Ok(())
    }

    /// Both hellos delivered, then A's reads done while B does nothing.
    fn greet_and_fill_a(&mut self) {
        self.deliver(A).unwrap();
        self.deliver(B).unwrap();
        while self.do_work(A) {}
    }

    /// A local write of `n` operations committed at `side`.
    fn write(&mut self, side: usize, n: u64) {
        self.nodes[side].write(side, n);
        let actions = self.sessions[side].on_outbox_grew(self.nodes[side].head());
        self.route(side, actions);
    }

    fn tick(&mut self, side: usize, now_ms: u64) {
        let actions = self.sessions[side].on_tick(now_ms);
        self.route(side, actions);
    }

    /// Queues a second copy of the next message to `to` (unless a hello)
    /// `later` messages further down the stream, capped at its end.
    fn duplicate_next(&mut self, to: usize, later: usize) {
        let inbox = &mut self.inbox[to];
        match inbox.front() {
            None | Some(Message::Hello(_)) => {}
            Some(msg) => inbox.insert(1 + later.min(inbox.len() - 1), msg.clone()),
        }
    }

    /// Each side holds its peer's whole outbox in order, its cursor is the
    /// peer's head, and each sender saw its head acknowledged.
    fn assert_converged(&self) {
        for i in [A, B] {
            let (held, peer) = (&self.nodes[i].held, &self.nodes[1 - i]);
            assert_eq!(text(held), text(&peer.outbox), "side {i} holds");
            let cursor = self.nodes[i].cursor;
            assert_eq!(cursor.seq, peer.head(), "side {i} cursor");
            if peer.head() > 0 {
                assert_eq!(cursor.incarnation, peer.outbox_inc, "side {i} cursor");
            }
            let acked = self.sessions[1 - i].stats().acked_seq;
            assert_eq!(acked, peer.head(), "side {} acked_seq", 1 - i);
        }
    }
}

#[test]

fn full_transfer_delivers_every_op_both_ways_in_order_exactly_once() {
    let mut link = Link::new(cfg(2, 2), 7, 5);
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.nodes[A].dups_offered + link.nodes[B].dups_offered, 0);
    assert_eq!(link.sessions[A].stats().ops_sent, 7);
    assert_eq!(link.sessions[B].stats().ops_sent, 5);
}

#[test]

fn resume_after_cut_mid_transfer_sends_only_what_is_not_durable() {
    // One batch per apply, so each step below makes one batch durable.
    let one_batch_per_apply = SessionConfig {
        max_apply_ops: 2,
        ..cfg(2, 4)
    };
    let mut link = Link::new(one_batch_per_apply, 10, 0);
    link.greet_and_fill_a();
    assert_eq!(link.inbox[B].len(), 4, "A fills its window: seqs 1..=8");
    for _ in 0..3 {
        link.deliver(B).unwrap();
    }
    link.do_work(B);
    link.do_work(B); // 1..=4 durable; batch 3 being applied, batch 4 in flight
    link.inbox[A].pop_back(); // and the ack of batch 2 lost
    assert_eq!(link.nodes[B].cursor.seq, 4);
    link.cut();
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.nodes[B].dups_offered, 0, "nothing offered twice");
    assert_eq!(link.sessions[A].stats().ops_sent, 6, "resent 5..=10 only");
}

#[test]
fn duplicate_batch_is_applied_once_and_reacknowledged_once_durable() {
    let mut link = Link::new(SessionConfig::default(), 3, 0);
    link.greet_and_fill_a();
    let batch = link.inbox[B].front().cloned().expect("A sent its batch");
    link.deliver(B).unwrap();
    link.inbox[B].push_back(batch.clone());
    link.deliver(B).unwrap(); // while the first copy is being applied
    assert_eq!(link.work[B].len(), 1, "one apply only");
    assert!(link.inbox[A].is_empty(), "no ack before it is durable");
    link.do_work(B);
    link.inbox[B].push_back(batch);
    link.deliver(B).unwrap(); // after it is durable
    assert_eq!(Vec::from(link.inbox[A].clone()), [ack(1, 3), ack(1, 3)]);
    assert!(link.work[B].is_empty(), "the duplicate is not applied");
    assert_eq!(link.sessions[B].stats().duplicate_batches, 2);
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.nodes[B].dups_offered, 0);
    assert_eq!(link.sessions[A].stats().ignored_acks, 1, "the re-ack");
}

#[test]
fn ack_for_unsent_or_already_acked_batch_is_ignored_and_counted() {
    let mut link = Link::new(SessionConfig::default(), 3, 0);
    link.greet_and_fill_a(); // batch 1 (seqs 1..=3) in flight
    link.inbox[A].extend([ack(7, 3), ack(1, 2)]); // never sent; wrong cursor
    link.deliver(A).expect("ignored, not an error");
    link.deliver(A).expect("ignored, not an error");
    let stats = link.sessions[A].stats();
    assert_eq!((stats.ignored_acks, stats.acked_seq), (2, 0));
    link.run().expect("the session keeps working");
    link.assert_converged();
    link.inbox[A].push_back(ack(1, 3)); // already acknowledged
    link.deliver(A).expect("ignored, not an error");
    assert_eq!(link.sessions[A].stats().ignored_acks, 3);
}

#[test]

fn reordered_acks_drain_cumulatively_and_the_stale_one_is_ignored() {
    let mut link = Link::new(cfg(1, 4), 2, 0);
    link.greet_and_fill_a();
    while link.deliver(B).unwrap() | link.do_work(B) {}
    assert_eq!(Vec::from(link.inbox[A].clone()), [ack(1, 1), ack(2, 2)]);
    link.inbox[A].swap(0, 1);
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.sessions[A].stats().ignored_acks, 1);
    link.write(A, 3);
    link.run().expect("the session keeps working");
    link.assert_converged();
}

#[test]

fn peer_restored_to_older_cursor_gets_everything_after_it_again() {
    let mut link = Link::new(cfg(3, 2), 8, 0);
    link.run().expect("no protocol error");
    link.assert_converged();
    link.nodes[B].held.truncate(2); // B restores a backup taken at A's seq 2
    link.nodes[B].cursor.seq = 2;
    link.cut();
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.nodes[B].dups_offered, 0);
    assert_eq!(link.sessions[A].stats().ops_sent, 6, "resent 3..=8");
}

/// A alone, given B's hello with `resume`: where A starts reading, if at all,
/// and whether it reported a future cursor.
fn first_read_after(a_head: u64, resume: Cursor) -> (Option<u64>, bool) {
    let local = Node::new(A, a_head).local_state(A);
    let mut a = Session::new(SessionConfig::default(), local);
    let mut hello = Node::new(B, 0).local_state(B).hello;
    hello.resume = resume;
    let actions = a.on_message(Message::Hello(hello)).unwrap();
    (read_after(&actions), a.stats().future_cursor)
}

/// Where the outbox read among `actions` starts, if there is one.
fn read_after(actions: &[Action]) -> Option<u64> {
    actions.iter().find_map(|a| match a {
        Action::ReadOutbox { after, .. } => Some(*after),
        _ => None,
    })
}

#[test]
fn sending_starts_after_cursor_or_at_one_for_other_incarnation_or_future_cursor() {
    let incarnation = [9; 16];
    let other = Cursor {
        incarnation,
        seq: 2,
    };
    assert_eq!(first_read_after(5, a_cursor(2)), (Some(2), false));
    assert_eq!(first_read_after(5, a_cursor(5)), (None, false), "caught up");
    assert_eq!(first_read_after(5, other), (Some(0), false));
    assert_eq!(first_read_after(5, a_cursor(7)), (Some(0), true));
}

#[test]
fn new_outbox_incarnation_is_resent_from_one_and_deduplicated() {
    let mut link = Link::new(SessionConfig::default(), 5, 0);
    link.run().expect("no protocol error");
    link.nodes[A].outbox_inc = [7; 16]; // A rebuilt its outbox for B
    link.cut();
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.nodes[B].dups_offered, 5, "all resent from seq 1");
}

#[test]

fn future_cursor_after_sender_restore_delivers_the_new_ops() {
    let mut link = Link::new(SessionConfig::default(), 7, 0);
    link.run().expect("no protocol error");
    link.nodes[A].outbox.truncate(3); // A restores a backup taken at seq 3
    link.nodes[A].generation = 1;
    link.nodes[A].write(A, 2); // and writes seqs 4 and 5 anew
    link.cut();
    link.run().expect("no protocol error");
    assert!(link.sessions[A].stats().future_cursor);
    let held = text(&link.nodes[B].held);
    let mut missing = text(&link.nodes[A].outbox);
    missing.retain(|op| !held.contains(op));
    assert!(missing.is_empty(), "B lacks {missing:?}");
    assert_eq!(link.nodes[B].cursor.seq, 5);
    assert_eq!(link.sessions[A].stats().acked_seq, 5);
}

#[test]

fn window_of_two_never_leaves_more_than_two_batches_unacknowledged() {
    let mut link = Link::new(cfg(1, 2), 6, 0);
    link.greet_and_fill_a();
    assert_eq!(link.inbox[B].len(), 2, "A stops at its window");
    link.run().expect("no protocol error");
    link.assert_converged();
    assert_eq!(link.max_unacked[A], 2, "the window is used, never exceeded");
}

/// xorshift64: enough randomness for test schedules, without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]

fn random_cuts_duplicates_and_delays_still_deliver_every_op_exactly_once() {
    for seed in 1..=200u64 {
        eprintln!("seed {seed}"); // shown only if the test fails
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let window = 1 + rng.below(3);
        let (a_ops, b_ops) = (rng.below(8) as u64, rng.below(8) as u64);
        let mut link = Link::new(cfg(1 + rng.below(3), window), a_ops, b_ops);
        for step in 0..200 {
            let side = rng.below(2);
            match rng.below(20) {
                0 => link.cut(),
                1 => link.write(side, 1 + rng.below(2) as u64),
                2 => link.tick(side, step),
                3 | 4 => link.duplicate_next(side, rng.below(4)),
                5..=12 => _ = link.deliver(side).expect("no protocol error"),
                _ => _ = link.do_work(side),
            }
        }
        link.run().expect("no protocol error");
        link.assert_converged();
        for i in [A, B] {
            assert_eq!(link.nodes[i].dups_offered, 0, "side {i} offered twice");
            assert!(link.max_unacked[i] <= window, "side {i} overran its window");
        }
    }
}

/// B alone, with A's hello already received if `greeted`.
fn county(greeted: bool) -> Session {
    let local = Node::new(B, 0).local_state(B);
    let mut b = Session::new(SessionConfig::default(), local);
    if greeted {
        let hello = Node::new(A, 3).local_state(A).hello;
        b.on_message(Message::Hello(hello)).unwrap();
    }
    b
}

/// Batch 1 from A, with `n` operations numbered from `first_seq`.
fn batch(incarnation: Incarnation, first_seq: u64, last_seq: u64, n: u64) -> Message {
    let ops = (first_seq..first_seq + n).map(|s| format!("A0-{s}").into_bytes());
    Message::Batch(Batch {
        batch_id: 1,
        incarnation,
        first_seq,
        last_seq,
        ops: ops.collect(),
    })
}

/// Asserts that `msg` ends a session of B (greeted or not) with `$err`.
macro_rules! assert_violation {
    ($greeted:expr, $msg:expr, $err:pat) => {
        let err = county($greeted).on_message($msg).unwrap_err();
        assert!(matches!(err, $err), "{err:?}");
    };
}

#[test]
fn protocol_violations_end_the_session_with_the_matching_error() {
    use SessionError::*;
    let a = OUTBOX[A];
    assert_violation!(
        false,
        batch(a, 1, 1, 1),
        ExpectedHello { got: "a batch", .. }
    );
    let hello = Node::new(A, 3).local_state(A).hello;
    let err = county(true).on_message(Message::Hello(hello.clone()));
    assert_eq!(err, Err(DuplicateHello { peer: node_id(A) }));
    let claimed = NodeId::township("T02").unwrap();
    let node = claimed.clone();
    let err = county(false).on_message(Message::Hello(Hello { node, ..hello }));
    let peer = node_id(A);
    assert_eq!(err, Err(WrongNode { peer, claimed }));
    assert_violation!(
        true,
        batch(a, 2, 2, 1),
        Gap {
            first: 2,
            expected: 1,
            ..
        }
    );
    assert_violation!(true, batch([9; 16], 1, 1, 1), WrongIncarnation { .. });
    assert_violation!(true, batch(a, 1, 3, 2), MalformedBatch { .. });
}

#[test]
fn overlapping_batch_applies_only_the_operations_not_yet_received() {
    let mut b = county(true);
    b.on_message(batch(OUTBOX[A], 1, 2, 2)).unwrap();
    b.on_applied(1, a_cursor(2));
    let actions = b.on_message(batch(OUTBOX[A], 2, 4, 3)).unwrap();
    let Some(Action::Apply { cursor, ops, .. }) = actions.first() else {
        panic!("expected an apply: {actions:?}");
    };
    assert_eq!(*cursor, a_cursor(4));
    assert_eq!(text(ops), ["A0-3", "A0-4"]);
}

#[test]

fn batch_with_overflowing_seq_range_is_malformed_not_a_panic() {
    assert_violation!(
        true,
        batch(OUTBOX[A], 0, u64::MAX, 0),
        SessionError::MalformedBatch { .. }
    );
}

#[test]

fn sender_reads_again_after_each_batch() {
    let node = Node::new(A, 3);
    let mut a = Session::new(cfg(1, 8), node.local_state(A));
    let hello = Node::new(B, 0).local_state(B).hello;
    a.on_message(Message::Hello(hello)).unwrap();
    let actions = a.on_outbox_read(node.read(0, 1));
    assert!(matches!(actions[0], Action::Send(Message::Batch(_))));
    assert_eq!(read_after(&actions), Some(1), "{actions:?}");
}

/// Batch `id` from A with operations `first..=last`.
fn numbered_batch(id: u64, first: u64, last: u64) -> Message {
    let Message::Batch(b) = batch(OUTBOX[A], first, last, last - first + 1) else {
        unreachable!("batch() makes a batch");
    };
    Message::Batch(Batch { batch_id: id, ..b })
}

#[test]
fn batches_queued_during_a_commit_are_applied_together_and_acknowledged_once() {
    let mut b = county(true);
    let first = b.on_message(numbered_batch(1, 1, 2)).unwrap();
    assert!(matches!(
        first.as_slice(),
        [Action::Apply { batch_id: 1, .. }]
    ));
    // While batch 1 commits, batches 2 and 3 arrive: nothing is applied yet.
    assert!(b.on_message(numbered_batch(2, 3, 4)).unwrap().is_empty());
    assert!(b.on_message(numbered_batch(3, 5, 5)).unwrap().is_empty());
    let actions = b.on_applied(1, a_cursor(2));
    assert_eq!(
        actions[0],
        Action::Send(ack(1, 2)),
        "batch 1 is acknowledged once durable"
    );
    let Some(Action::Apply {
        batch_id,
        cursor,
        ops,
    }) = actions.get(1)
    else {
        panic!("expected one apply of batches 2 and 3: {actions:?}");
    };
    assert_eq!((*batch_id, *cursor), (3, a_cursor(5)));
    assert_eq!(text(ops), ["A0-3", "A0-4", "A0-5"]);
    assert_eq!(actions.len(), 2);
    let done = b.on_applied(3, a_cursor(5));
    assert_eq!(done, [Action::Send(ack(3, 5))]);
    assert_eq!(b.stats().batches_applied, 3);
    assert_eq!(b.stats().durable_seq, 5);
}

#[test]
fn a_merged_apply_stops_at_max_apply_ops_without_splitting_a_batch() {
    let local = Node::new(B, 0).local_state(B);
    let cfg = SessionConfig {
        max_apply_ops: 3,
        ..SessionConfig::default()
    };
    let mut b = Session::new(cfg, local);
    let hello = Node::new(A, 3).local_state(A).hello;
    b.on_message(Message::Hello(hello)).unwrap();
    b.on_message(numbered_batch(1, 1, 1)).unwrap();
    for (id, first, last) in [(2, 2, 3), (3, 4, 5), (4, 6, 6)] {
        assert!(b
            .on_message(numbered_batch(id, first, last))
            .unwrap()
            .is_empty());
    }
    let actions = b.on_applied(1, a_cursor(1));
    assert!(
        matches!(actions.get(1), Some(Action::Apply { batch_id: 2, ops, .. }) if ops.len() == 2),
        "batch 3 would pass the bound: {actions:?}"
    );
    let actions = b.on_applied(2, a_cursor(3));
    assert!(
        matches!(actions.get(1), Some(Action::Apply { batch_id: 4, ops, .. }) if ops.len() == 3),
        "batches 3 and 4 fit together: {actions:?}"
    );
}
