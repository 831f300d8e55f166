//! Pure data of the replication network: node ids, operation and case ids,
//! hybrid logical clocks, operation envelopes, outbox cursors and
//! incarnations, scope and authority, and the [`Clock`] seam through which
//! every node reads the time.
//!
//! Depends on no async runtime, no storage and no network crate (the
//! layering check in `.ci/layers` refuses one). What an operation's body
//! says is the domain's business (`liandong_domain::OpBody`); here a body is
//! bytes behind a header every build can read.

pub mod case;
pub mod clock;
pub mod cursor;
pub mod hlc;
pub mod node;
pub mod op;
pub mod personal;
pub mod scope;

pub use case::{CaseId, CaseIdError, MAX_CASE_ID_BYTES};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use cursor::{Cursor, Incarnation, OutboxChunk};
pub use hlc::{Hlc, HybridClock, Observed, SkewBound, DEFAULT_MAX_CLOCK_SKEW_MS};
pub use node::{NodeId, NodeIdError, Role};
pub use op::{
    DecodeError, EncodedOp, EntityId, Envelope, FieldProblem, InvalidField, OpId,
    MAX_KEY_COMPONENT_BYTES, MAX_OP_BYTES, OP_FORMAT_V1,
};
pub use personal::Personal;
pub use scope::{Rejection, Scope};
