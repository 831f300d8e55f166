//! The admin HTTP port of every node: health, metrics and status for
//! monitoring tools, gRPC health and reflection beside them, and at the
//! county the network admin's page and the e-supervision lists.
//!
//! - [`county`]: `/admin`, `/api/status`, `/api/history`, `/metrics`,
//!   `/supervision`, `/api/cases`, `/api/supervision`, `/healthz`, and
//!   sign-in ([`session`]: the lists need a staff session);
//! - [`township`]: `/healthz`, `/metrics`, `/api/status`.

pub mod county;
pub mod history;
pub mod session;
mod supervision;
pub mod township;

pub use history::{LagHistory, LagSample, SAMPLE_EVERY, SPAN};
