//! The township node binary: an offline-first service centre. Its windows
//! accept and process cases against the local store whether or not the
//! county is reachable; an uplink replicates both ways whenever the link is
//! up. The node itself lives in `liandong-node` ([`start`] is its township
//! boot); this crate holds the clerk's commands.

pub mod commands;

pub use liandong_node::boot::township::{
    start_township as start, start_township_with as start_with, Township,
};
pub use liandong_node::boot::Seams;
pub use liandong_node::config::township::TownshipConfig;
