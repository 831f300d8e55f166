//! A running Liandong node, whatever its role.
//!
//! - [`NodeCore`] ([`node_core`]): what every node does the same way behind
//!   the control socket: the hall's work on cases, the county's registries,
//!   e-supervision, status and health reports, backups and revocations;
//! - [`boot`]: the start-up sequence of each role (county, township,
//!   department bridge);
//! - [`bridge`]: the department bridge's HTTP/JSON API and webhook;
//! - [`control`]: the local control socket the clerk commands talk to;
//! - [`error`]: [`NodeError`], what the node's operations fail with, and
//!   its serialisable form on the control socket ([`ErrorReply`]);
//! - [`admin`]: the admin HTTP port; [`metrics`]: Prometheus text;
//! - [`config`]: typed configuration per role, file → environment → flags;
//! - [`shutdown`]: the one shutdown primitive (token + task tracker);
//! - [`logging`]: `tracing` set-up, human or JSON.
//!
//! Below it are the model, domain, store, sync and network crates; above it
//! only presentation (`liandong-cli`) and the thin binaries. This crate
//! names no wire, TLS or storage type itself: servers, uplinks and stores
//! are started through the network and store crates' functions.

pub mod admin;
pub mod boot;
pub mod bridge;
mod cases;
pub mod config;
pub mod console;
pub mod control;
pub mod error;
mod evaluation;
mod handler;
mod held_back;
pub mod identity;
pub mod logging;
pub mod metrics;
pub mod node_core;
pub mod output;
mod registry;
pub mod report;
mod routing;
pub mod shutdown;
mod staffing;
mod steps;
mod supervision;

pub use error::{ErrorKind, ErrorReply, NodeError};
pub use node_core::{cst, cst_date, fmt_time, NodeCore, NodeStatus, PeerStatus, WarningCounts};
pub use output::{CaseDetail, CaseSummary, HistoryLine, StaffLine, SupervisionLine};
pub use staffing::ComplaintLine;
pub use supervision::{PassOutcome, SUPERVISION_PERIOD};
