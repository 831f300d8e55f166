//! The network layer: the only crate that names tonic, prost, rustls and
//! hyper.
//!
//! - [`rpc`]: the generated protobuf code, wire ↔ model conversions, the
//!   replication service a parent serves and the uplink a child runs;
//! - [`tls`]: mutual TLS (our own rustls acceptor and connector), the PKI
//!   files, live revocation;
//! - [`driver`]: the async driver that runs one sans-IO session over a
//!   stream, with the store's work on the blocking pool;
//! - [`health`]: gRPC health and reflection for every admin port;
//! - [`webhook`]: a plain-HTTP POST with a timeout (the bridge's webhook).
//!
//! Above it, the node crate starts servers and uplinks through this crate's
//! functions and never names a wire or TLS type itself.

pub mod driver;
pub mod health;
pub mod http;
pub mod rpc;
pub mod serve;
pub mod tls;
pub mod webhook;
