//! The server's accept stream: TCP accept, then a concurrent, bounded,
//! time-limited TLS handshake per connection; yields only finished handshakes.
//!
//! Invariants: a slow or garbage client never blocks accepting others (each
//! handshake runs in its own task, at most `max_concurrent_handshakes` at
//! once, at most `max_handshakes_per_address` from one remote IP address, each
//! cut off after `handshake_timeout`). The per-address bound is what keeps
//! unauthenticated slow connections from one machine from filling every slot
//! and keeping the townships out: a connection beyond it is closed at once. A refused handshake is
//! logged with `warn!` (remote address and reason) and never yielded, nor is
//! an accept error: the stream only ends when `shutdown` is cancelled or it
//! is dropped, and then every pending handshake is aborted (the tasks live in
//! a `JoinSet` owned by the stream).
//!
//! Where connections come from is a [`Listener`]: a `TcpListener` in a real
//! node, a simulated network's listener in a simulation (the seam: the TLS
//! handshake and everything above it are the real code either way).
//!
//! Yielded streams are `tokio_rustls::server::TlsStream<L::Io>`; a listener's
//! connections report `TcpConnectInfo`, so tonic's `Connected` gives
//! `TlsConnectInfo<TcpConnectInfo>` and handlers can call
//! `request.peer_certs()` and `request.remote_addr()` (tonic returns no
//! certificates for any other connect info).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;

use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::server::{Connected, TcpConnectInfo};

use crate::tls::verify::{describe_handshake_error, peer_identity};

/// A source of incoming byte streams for [`tls_incoming_from`].
pub trait Listener: Send + 'static {
    /// One accepted connection.
    type Io: AsyncRead
        + AsyncWrite
        + Connected<ConnectInfo = TcpConnectInfo>
        + Unpin
        + Send
        + 'static;

    /// The next connection and its remote address.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, SocketAddr)>> + Send;

    /// Where this listener accepts.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// Applies socket options to a fresh connection (`TCP_NODELAY` for TCP).
    fn prepare(_io: &Self::Io, _nodelay: bool) {}
}

impl Listener for TcpListener {
    type Io = TcpStream;

    fn accept(&mut self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send {
        TcpListener::accept(self)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpListener::local_addr(self)
    }

    fn prepare(tcp: &TcpStream, nodelay: bool) {
        if nodelay {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        }
    }
}

/// Pause after a failed `accept()` (e.g. out of file descriptors) before retrying.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Tuning of [`tls_incoming_with`].
#[derive(Debug, Clone)]
pub struct IncomingOptions {
    /// A handshake not finished by then is dropped (default 10 s).
    pub handshake_timeout: Duration,
    /// Handshakes in flight at once; accepting pauses at this bound (default 64).
    pub max_concurrent_handshakes: usize,
    /// Handshakes in flight from one remote IP address; a connection beyond
    /// this is closed at once (default 8).
    pub max_handshakes_per_address: usize,
    /// Set `TCP_NODELAY` on accepted sockets (default true).
    pub tcp_nodelay: bool,
}

impl Default for IncomingOptions {
    fn default() -> Self {
        IncomingOptions {
            handshake_timeout: Duration::from_secs(10),
            max_concurrent_handshakes: 64,
            max_handshakes_per_address: 8,
            tcp_nodelay: true,
        }
    }
}

/// Accept stream with default [`IncomingOptions`].
pub fn tls_incoming(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    shutdown: CancellationToken,
) -> TlsIncoming {
    tls_incoming_with(listener, config, shutdown, IncomingOptions::default())
}

/// Accept stream for `serve_with_incoming(_shutdown)`; see the module doc.
pub fn tls_incoming_with(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    shutdown: CancellationToken,
    options: IncomingOptions,
) -> TlsIncoming {
    tls_incoming_from(listener, config, shutdown, options)
}

/// [`tls_incoming_with`] over any [`Listener`].
pub fn tls_incoming_from<L: Listener>(
    listener: L,
    config: Arc<ServerConfig>,
    shutdown: CancellationToken,
    options: IncomingOptions,
) -> TlsIncoming<L> {
    let acceptor = Acceptor {
        listener,
        tls: TlsAcceptor::from(config),
        handshakes: JoinSet::new(),
        per_address: HashMap::new(),
        tasks: HashMap::new(),
        shutdown,
        options,
    };
    TlsIncoming {
        next: Some(Box::pin(acceptor.next_stream())),
    }
}

type NextStream<L> =
    Pin<Box<dyn Future<Output = (Option<TlsStream<<L as Listener>::Io>>, Acceptor<L>)> + Send>>;

/// Stream of TLS connections whose handshake succeeded; never yields `Err`.
pub struct TlsIncoming<L: Listener = TcpListener> {
    /// The acceptor's pending `next_stream()`; `None` once ended.
    next: Option<NextStream<L>>,
}

impl<L: Listener> std::fmt::Debug for TlsIncoming<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIncoming")
            .field("ended", &self.next.is_none())
            .finish()
    }
}

impl<L: Listener> Stream for TlsIncoming<L> {
    type Item = Result<TlsStream<L::Io>, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(next) = self.next.as_mut() else {
            return Poll::Ready(None);
        };
        let (stream, acceptor) = ready!(next.as_mut().poll(cx));
        match stream {
            Some(stream) => {
                self.next = Some(Box::pin(acceptor.next_stream()));
                Poll::Ready(Some(Ok(stream)))
            }
            None => {
                self.next = None;
                Poll::Ready(None)
            }
        }
    }
}

struct Acceptor<L: Listener> {
    listener: L,
    tls: TlsAcceptor,
    handshakes: JoinSet<Option<TlsStream<L::Io>>>,
    /// Handshakes in flight per remote address.
    per_address: HashMap<IpAddr, usize>,
    /// The remote address of each handshake task in flight.
    tasks: HashMap<tokio::task::Id, IpAddr>,
    shutdown: CancellationToken,
    options: IncomingOptions,
}

impl<L: Listener> Acceptor<L> {
    /// Owned wrapper of [`Acceptor::next`] for [`TlsIncoming`].
    async fn next_stream(mut self) -> (Option<TlsStream<L::Io>>, Acceptor<L>) {
        let stream = self.next().await;
        (stream, self)
    }

    /// The next finished handshake, or `None` on shutdown.
    async fn next(&mut self) -> Option<TlsStream<L::Io>> {
        loop {
            let room = self.handshakes.len() < self.options.max_concurrent_handshakes;
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => return None,
                Some(joined) = self.handshakes.join_next_with_id() => match joined {
                    Ok((id, stream)) => {
                        self.finished(id);
                        if let Some(stream) = stream {
                            return Some(stream);
                        } // else refused; already logged
                    }
                    Err(e) => {
                        self.finished(e.id());
                        tracing::warn!(error = %e, "TLS handshake task failed");
                    }
                },
                accepted = self.listener.accept(), if room => match accepted {
                    Ok((tcp, remote)) => self.start_handshake(tcp, remote),
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a TCP connection failed; retrying");
                        tokio::select! {
                            () = self.shutdown.cancelled() => return None,
                            () = tokio::time::sleep(ACCEPT_ERROR_PAUSE) => {}
                        }
                    }
                },
            }
        }
    }

    fn start_handshake(&mut self, tcp: L::Io, remote: SocketAddr) {
        let ip = remote.ip();
        let in_flight = self.per_address.entry(ip).or_insert(0);
        if *in_flight >= self.options.max_handshakes_per_address {
            tracing::warn!(%remote, in_flight = *in_flight, "too many TLS handshakes from one address; connection closed");
            return;
        }
        *in_flight += 1;
        L::prepare(&tcp, self.options.tcp_nodelay);
        let tls = self.tls.clone();
        let timeout = self.options.handshake_timeout;
        let task = self.handshakes.spawn(handshake(tls, tcp, remote, timeout));
        self.tasks.insert(task.id(), ip);
    }

    /// Releases the per-address slot of a finished handshake task.
    fn finished(&mut self, id: tokio::task::Id) {
        if let Some(ip) = self.tasks.remove(&id) {
            if let Some(n) = self.per_address.get_mut(&ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.per_address.remove(&ip);
                }
            }
        }
    }
}

/// One server-side handshake; `None` (after a `warn!`) if it was refused.
async fn handshake<Io: AsyncRead + AsyncWrite + Unpin>(
    tls: TlsAcceptor,
    tcp: Io,
    remote: SocketAddr,
    timeout: Duration,
) -> Option<TlsStream<Io>> {
    match tokio::time::timeout(timeout, tls.accept(tcp)).await {
        Ok(Ok(stream)) => {
            let peer = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|leaf| peer_identity(leaf).ok());
            match peer {
                Some(peer) => tracing::debug!(%remote, %peer, "TLS connection accepted"),
                None => tracing::debug!(%remote, "TLS connection accepted"),
            }
            Some(stream)
        }
        Ok(Err(e)) => {
            let reason = describe_handshake_error(&e);
            tracing::warn!(%remote, %reason, "refused TLS connection");
            None
        }
        Err(_) => {
            tracing::warn!(%remote, ?timeout, "TLS handshake timed out; connection closed");
            None
        }
    }
}
