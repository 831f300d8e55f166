//! The replication protocol's messages as domain types. `rpc` converts them
//! to and from protobuf; the session never sees wire types.

use std::collections::BTreeMap;

use liandong_model::NodeId;
use liandong_model::{Cursor, Incarnation};

/// Protocol version spoken by this build. A peer with another major version
/// is refused in the hello.
pub const PROTOCOL_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Hello(Hello),
    Batch(Batch),
    Ack(Ack),
    Heartbeat(Heartbeat),
}

/// First message on each side of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub node: NodeId,
    pub protocol_version: u32,
    /// The sender's store identity (new after a restore or rebuild).
    pub store_id: Incarnation,
    /// The outbox the sender keeps for the receiver.
    pub outbox: Incarnation,
    pub outbox_head: u64,
    /// How far the sender durably holds the receiver's outbox for it.
    pub resume: Cursor,
    /// Operations held per origin (status only; never drives resumption).
    pub version_vector: BTreeMap<NodeId, u64>,
}

/// A run of consecutive outbox entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Per-session sequence number of the batch, from 1.
    pub batch_id: u64,
    pub incarnation: Incarnation,
    pub first_seq: u64,
    pub last_seq: u64,
    /// Encoded operations, exactly as stored at the sender.
    pub ops: Vec<Vec<u8>>,
}

/// The receiver durably holds everything up to `cursor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    pub batch_id: u64,
    pub cursor: Cursor,
}

/// Periodic liveness and lag report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    pub outbox_head: u64,
    pub sent_at_ms: u64,
    /// The sender's health; filled in by the driver, not the session.
    pub report: Option<NodeReport>,
}

/// A node's health as it reports it to its parent. Carries no personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeReport {
    pub version: String,
    pub ops_held: u64,
    pub disk_bytes: u64,
    pub cert_not_after_ms: i64,
    pub cases: u64,
    pub cases_yellow: u64,
    pub cases_red: u64,
    pub cases_overdue: u64,
    pub outbox_pending: u64,
    pub rejections: BTreeMap<String, u64>,
    pub write_refusals: u64,
    /// Empty when the store is healthy.
    pub store_problem: String,
}
