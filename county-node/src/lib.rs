//! The county node binary: hub of the county's replication tree. It serves
//! the replication stream to its townships over mutual TLS, holds every
//! case, writes the catalogue, and reports every link's health. The node
//! itself lives in `liandong-node` ([`start`] is its county boot); this
//! crate holds the county's commands, `demo`, which runs a whole county
//! with townships and a department bridge in one process, and `bridge`,
//! which runs a department bridge.

pub mod bridge;
pub mod commands;
pub mod demo;

pub use liandong_node::boot::county::{
    start_county as start, start_county_on as start_on, start_county_with as start_with, County,
};
pub use liandong_node::boot::Seams;
pub use liandong_node::config::county::CountyConfig;
