//! The township node: an offline-first service centre. Its windows accept
//! and process cases against the local store whether or not the county is
//! reachable; an uplink replicates both ways whenever the link is up.

pub mod admin;
pub mod config;
pub mod node;

pub use config::TownshipConfig;
pub use node::{start, Township};
pub mod commands;
