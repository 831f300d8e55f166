//! Replication, sans-IO: the [`session::Session`] state machine, the
//! protocol [`message`]s and the [`board::LinkBoard`] that status reads.
//!
//! Depends on the model only: no runtime, no store, no clock, no socket. The
//! session takes messages and store results and returns actions; the async
//! driver that moves those actions to and from a gRPC stream lives in the
//! network crate (`liandong_net::driver`), and times come in as arguments.

pub mod board;
pub mod message;
pub mod session;

pub use board::{LinkBoard, LinkState};
pub use message::{Ack, Batch, Heartbeat, Hello, Message, NodeReport, PROTOCOL_VERSION};
pub use session::{Action, LocalState, Session, SessionConfig, SessionError, SessionStats};
