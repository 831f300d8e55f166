//! The client side: a tower connector that dials TCP and runs the TLS
//! handshake, and [`connect_channel`], which builds a tonic `Channel` on it.
//!
//! Invariants: the dial address and the TLS server name are separate (tests
//! and bridges put a TCP proxy in between); the endpoint URI is `http://` so
//! tonic never adds TLS of its own. Dial, handshake and the confirmation
//! below share one `connect_timeout`. A handshake failure is logged with
//! `warn!` (server and reason) and returned as a typed [`TlsError`]; a
//! server that is not the node the config expects is
//! [`TlsError::WrongServer`], naming both identities.
//!
//! Dialling goes through a [`Dialer`] (TCP by default): the seam a
//! simulated network or a test proxy plugs into.
//!
//! Confirmation: under TLS 1.3 a client finishes its handshake before the
//! server has checked the client's certificate, so a refusal would only show
//! up as a failed first RPC. With `confirm_accepted` (the default) the
//! connector waits, without consuming anything, for the server's first
//! application bytes (tonic's HTTP/2 server speaks first, with SETTINGS), so
//! "the server refused our certificate" is reported by the connect itself.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::AsyncBufReadExt;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use super::dial::{BoxConnection, SharedDialer, TcpDialer};
use super::{CONNECTION_WINDOW, KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT, STREAM_WINDOW};
use crate::tls::verify::{describe_handshake_error, is_tls_refusal, unexpected_server};
use crate::tls::TlsError;

/// Client connection settings; the defaults are the tuned ones.
#[derive(Debug, Clone)]
pub struct ChannelOptions {
    /// Limit for dial + TLS handshake + confirmation (default 10 s).
    pub connect_timeout: Duration,
    /// HTTP/2 initial stream window (default 4 MiB).
    pub initial_stream_window_size: u32,
    /// HTTP/2 initial connection window (default 8 MiB).
    pub initial_connection_window_size: u32,
    /// HTTP/2 keepalive ping interval, also while idle (default 10 s).
    pub keepalive_interval: Duration,
    /// Close the connection if a ping is not answered within this (default 5 s).
    pub keepalive_timeout: Duration,
    /// Set `TCP_NODELAY` (default true).
    pub tcp_nodelay: bool,
    /// Wait for the server's first bytes before reporting success (default
    /// true; see the module doc). Only for servers that speak first.
    pub confirm_accepted: bool,
}

impl Default for ChannelOptions {
    fn default() -> Self {
        ChannelOptions {
            connect_timeout: Duration::from_secs(10),
            initial_stream_window_size: STREAM_WINDOW,
            initial_connection_window_size: CONNECTION_WINDOW,
            keepalive_interval: KEEPALIVE_INTERVAL,
            keepalive_timeout: KEEPALIVE_TIMEOUT,
            tcp_nodelay: true,
            confirm_accepted: true,
        }
    }
}

/// Connects a channel now: dials `dial_addr` ("host:port"), verifies the
/// server as `server_name`, and returns the first connection's error, if any.
/// tonic reconnects through the same connector later.
pub async fn connect_channel(
    dial_addr: &str,
    server_name: &str,
    config: Arc<ClientConfig>,
    opts: ChannelOptions,
) -> Result<Channel, TlsError> {
    let connector = NodeConnector::new(dial_addr, server_name, config, opts.clone())?;
    connect_with(connector, dial_addr, &opts).await
}

/// [`connect_channel`] through `dialer` instead of plain TCP.
pub async fn connect_channel_via(
    dialer: SharedDialer,
    dial_addr: &str,
    server_name: &str,
    config: Arc<ClientConfig>,
    opts: ChannelOptions,
) -> Result<Channel, TlsError> {
    let connector =
        NodeConnector::new(dial_addr, server_name, config, opts.clone())?.with_dialer(dialer);
    connect_with(connector, dial_addr, &opts).await
}

async fn connect_with(
    connector: NodeConnector,
    dial_addr: &str,
    opts: &ChannelOptions,
) -> Result<Channel, TlsError> {
    let server = connector.server.clone();
    endpoint(dial_addr, opts)?
        .connect_with_connector(connector)
        .await
        .map_err(|e| from_transport_error(&server, &e))
}

/// Like [`connect_channel`] but connects on first use; connection errors
/// then surface as `Status::unavailable` on calls.
pub fn connect_channel_lazy(
    dial_addr: &str,
    server_name: &str,
    config: Arc<ClientConfig>,
    opts: ChannelOptions,
) -> Result<Channel, TlsError> {
    let connector = NodeConnector::new(dial_addr, server_name, config, opts.clone())?;
    Ok(endpoint(dial_addr, &opts)?.connect_with_connector_lazy(connector))
}

/// The tower connector behind [`connect_channel`]: ignores the URI tonic
/// passes and dials its own address.
#[derive(Clone)]
pub struct NodeConnector {
    dial_addr: String,
    server_name: ServerName<'static>,
    /// How logs and errors name the server: "name at addr".
    server: String,
    tls: TlsConnector,
    dialer: SharedDialer,
    opts: ChannelOptions,
}

impl std::fmt::Debug for NodeConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeConnector")
            .field("server", &self.server)
            .field("dialer", &self.dialer)
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl NodeConnector {
    pub fn new(
        dial_addr: &str,
        server_name: &str,
        config: Arc<ClientConfig>,
        opts: ChannelOptions,
    ) -> Result<NodeConnector, TlsError> {
        check_dial_addr(dial_addr)?;
        let name = ServerName::try_from(server_name.to_string()).map_err(|_| {
            TlsError::InvalidServerName {
                name: server_name.to_string(),
            }
        })?;
        Ok(NodeConnector {
            dial_addr: dial_addr.to_string(),
            server_name: name,
            server: format!("{server_name} at {dial_addr}"),
            tls: TlsConnector::from(config),
            dialer: Arc::new(TcpDialer::default().with_nodelay(opts.tcp_nodelay)),
            opts,
        })
    }

    /// Dials through `dialer` instead of plain TCP.
    pub fn with_dialer(mut self, dialer: SharedDialer) -> NodeConnector {
        self.dialer = dialer;
        self
    }

    /// Dials, handshakes and (optionally) confirms within `connect_timeout`.
    pub async fn connect(&self) -> Result<TlsStream<BoxConnection>, TlsError> {
        let after = self.opts.connect_timeout;
        let result = match tokio::time::timeout(after, self.connect_untimed()).await {
            Ok(result) => result,
            Err(_) => Err(TlsError::ConnectTimeout {
                server: self.server.clone(),
                after,
            }),
        };
        match &result {
            Ok(_) => tracing::debug!(server = %self.server, "TLS connection established"),
            Err(e @ TlsError::Dial { .. }) => {
                tracing::debug!(server = %self.server, error = %e, "cannot reach server")
            }
            Err(e) => tracing::warn!(server = %self.server, reason = %e, "TLS connect failed"),
        }
        result
    }

    async fn connect_untimed(&self) -> Result<TlsStream<BoxConnection>, TlsError> {
        let dial_error = |e: io::Error| TlsError::Dial {
            addr: self.dial_addr.clone(),
            source: Arc::new(e),
        };
        let tcp = self
            .dialer
            .dial(&self.dial_addr)
            .await
            .map_err(dial_error)?;
        let mut tls = self
            .tls
            .connect(self.server_name.clone(), tcp)
            .await
            .map_err(|e| self.handshake_error(e))?;
        if self.opts.confirm_accepted {
            // Peeks: the bytes stay buffered for hyper to read.
            let first = tls.fill_buf().await.map_err(|e| self.handshake_error(e))?;
            if first.is_empty() {
                return Err(TlsError::Handshake {
                    server: self.server.clone(),
                    reason: "the server closed the connection right after the handshake"
                        .to_string(),
                });
            }
        }
        Ok(tls)
    }

    fn handshake_error(&self, e: io::Error) -> TlsError {
        if let Some(mismatch) = unexpected_server(&e) {
            TlsError::WrongServer {
                server: self.server.clone(),
                mismatch,
            }
        } else if is_tls_refusal(&e) {
            TlsError::Handshake {
                server: self.server.clone(),
                reason: describe_handshake_error(&e),
            }
        } else {
            TlsError::HandshakeIo {
                server: self.server.clone(),
                source: Arc::new(e),
            }
        }
    }
}

impl tower::Service<http::Uri> for NodeConnector {
    type Response = TokioIo<TlsStream<BoxConnection>>;
    type Error = TlsError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, TlsError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.connect().await.map(TokioIo::new) })
    }
}

fn endpoint(dial_addr: &str, opts: &ChannelOptions) -> Result<Endpoint, TlsError> {
    let endpoint = Endpoint::from_shared(format!("http://{dial_addr}")).map_err(|_| {
        TlsError::InvalidAddress {
            addr: dial_addr.to_string(),
        }
    })?;
    Ok(endpoint
        .initial_stream_window_size(opts.initial_stream_window_size)
        .initial_connection_window_size(opts.initial_connection_window_size)
        .http2_keep_alive_interval(opts.keepalive_interval)
        .keep_alive_timeout(opts.keepalive_timeout)
        .keep_alive_while_idle(true)
        .tcp_nodelay(opts.tcp_nodelay))
}

/// "host:port" with a numeric port (host may be a name, IPv4 or `[IPv6]`).
fn check_dial_addr(dial_addr: &str) -> Result<(), TlsError> {
    let valid = dial_addr
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if valid {
        Ok(())
    } else {
        Err(TlsError::InvalidAddress {
            addr: dial_addr.to_string(),
        })
    }
}

/// Recovers our connector's error from tonic's error chain; anything else
/// becomes [`TlsError::Channel`] with the whole chain as reason.
fn from_transport_error(server: &str, e: &tonic::transport::Error) -> TlsError {
    let mut reasons = Vec::new();
    let mut source: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(ours) = err.downcast_ref::<TlsError>() {
            return ours.clone();
        }
        reasons.push(err.to_string());
        source = err.source();
    }
    TlsError::Channel {
        server: server.to_string(),
        reason: reasons.join(": "),
    }
}
