//! Positions in a peer's outbox: incarnations, cursors and the chunks a
//! session ships. Plain data shared by the store (which keeps them durably)
//! and the sans-IO session (which reasons about them).

use serde::{Deserialize, Serialize};

/// A random 16-byte id: a store's identity, or one incarnation of an outbox.
pub type Incarnation = [u8; 16];

/// A position in one peer's outbox for us: everything up to `seq` of that
/// incarnation is durably held here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cursor {
    pub incarnation: Incarnation,
    pub seq: u64,
}

/// A run of consecutive outbox entries for one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxChunk {
    /// (outbox seq, operation bytes), in sequence order.
    pub ops: Vec<(u64, Vec<u8>)>,
    /// The outbox head when the chunk was read.
    pub head: u64,
}
