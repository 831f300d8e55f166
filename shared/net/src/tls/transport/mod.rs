//! Moving bytes over mutual TLS for tonic: the server's accept stream
//! ([`tls_incoming`], for `Server::serve_with_incoming_shutdown`) and the
//! client's connector ([`connect_channel`]).
//!
//! Invariants: TLS is always ours (tokio-rustls with the configs from
//! [`super::config`]); tonic only sees plain `http://` endpoints and already
//! encrypted streams. Both sides use the tuned HTTP/2 windows below (tonic's
//! 64 KiB defaults cut streaming throughput by 10x or more) and HTTP/2
//! keepalive pings, so a dead link is noticed within seconds.
//!
//! These are the seams for simulation: a server serves whatever incoming
//! stream it is given (`crate::serve::serve_replication`), and a client
//! dials through a [`Dialer`]; a simulated network supplies both and keeps
//! the rest.

mod connect;
pub mod dial;
mod incoming;

use std::time::Duration;

pub use connect::{
    connect_channel, connect_channel_lazy, connect_channel_via, ChannelOptions, NodeConnector,
};
pub use dial::{BoxConnection, Connection, DialFuture, Dialer, SharedDialer, TcpDialer};
pub use incoming::{
    tls_incoming, tls_incoming_from, tls_incoming_with, IncomingOptions, Listener, TlsIncoming,
};

/// HTTP/2 streams (and requests in flight) one connection may have open.
pub const MAX_STREAMS_PER_CONNECTION: u32 = 16;
/// HTTP/2 initial stream window (4 MiB).
pub const STREAM_WINDOW: u32 = 4 << 20;
/// HTTP/2 initial connection window (8 MiB).
pub const CONNECTION_WINDOW: u32 = 8 << 20;
/// Interval between HTTP/2 keepalive pings.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// How long to wait for a keepalive ping's answer before closing the connection.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(5);

/// A tonic server builder with the tuned windows and keepalive; serve it with
/// `serve_with_incoming_shutdown(tls_incoming(..), shutdown.cancelled())`.
/// A child needs one long-lived stream and the odd status call: HTTP/2
/// streams and in-flight requests per connection are bounded, so one
/// authenticated peer cannot open thousands of streams on the hub.
pub fn server_builder() -> tonic::transport::Server {
    tonic::transport::Server::builder()
        .max_concurrent_streams(Some(MAX_STREAMS_PER_CONNECTION))
        .concurrency_limit_per_connection(MAX_STREAMS_PER_CONNECTION as usize)
        .initial_stream_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
}
