//! The county node: hub of the county's replication tree. It serves the
//! replication stream to its townships over mutual TLS, holds every case,
//! writes the catalogue, and reports every link's health. `demo` runs a
//! whole county with townships in one process.

pub mod admin;
pub mod config;
pub mod node;

pub use config::CountyConfig;
pub use node::{start, County};
pub mod commands;
pub mod demo;
