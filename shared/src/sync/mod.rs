//! Replication: the sans-IO [`session::Session`], its async
//! [`driver`], the protocol [`message`]s and the [`board::LinkBoard`] that
//! status reads.

pub mod board;
pub mod driver;
pub mod message;
pub mod session;

pub use board::{LinkBoard, LinkState};
pub use driver::{run_session, FrameError, LinkContext, SessionEnd};
pub use message::{Ack, Batch, Heartbeat, Hello, Message, NodeReport, PROTOCOL_VERSION};
pub use session::{Action, LocalState, Session, SessionConfig, SessionError, SessionStats};
