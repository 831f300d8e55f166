//! Pure data of the replication network: node ids, operation ids, hybrid
//! logical clocks, entities, operations and the views folded from them.
//! No I/O, no wire types, no storage.

pub mod case;
pub mod hlc;
pub mod node;
pub mod op;
pub mod personal;
pub mod scope;

pub use case::CaseId;
pub use hlc::{Hlc, HybridClock};
pub use node::{NodeId, NodeIdError, Role};
pub use op::{DecodeError, EncodedOp, EntityId, Envelope, OpBody, OpId, Operation, MAX_OP_BYTES};
pub use personal::Personal;
pub use scope::{authorise, Scope};
