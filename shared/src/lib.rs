//! Liandong core library shared by every node.
//!
//! Layers, from the inside out: [`model`] (operations, ids, clocks: pure
//! data), [`store`] (the only module that names sled), [`sync`] (the sans-IO
//! replication session and its async driver), [`rpc`] (the only module that
//! names prost/tonic types), [`tls`] (mutual TLS and the development PKI),
//! [`config`] and [`shutdown`].

pub mod cli;
pub mod config;
pub mod control;
pub mod domain;
pub mod health;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod node;
pub mod rpc;
pub mod shutdown;
pub mod store;
pub mod sync;
pub mod table;
pub mod tls;
