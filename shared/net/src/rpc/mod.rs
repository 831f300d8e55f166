//! The only module that names prost/tonic types: the generated protobuf
//! code ([`pb`]), conversions between wire and domain types ([`convert`]),
//! the replication service a parent serves ([`server`]) and the uplink a
//! child runs ([`client`]) with its reconnect schedule ([`reconnect`]).
//!
//! Message size limits are explicit: 1 MiB per message by default (a batch
//! is at most ~768 KiB); an oversized message gets `RESOURCE_EXHAUSTED`.

pub mod client;
pub mod convert;
pub mod reconnect;
pub mod server;

/// Generated protobuf types for package `liandong.v1`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod pb {
    tonic::include_proto!("liandong.v1");

    /// File descriptor set for gRPC server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/liandong_descriptor.bin"));
}

/// Largest gRPC message accepted or sent.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
