//! An in-memory network for running the real nodes without sockets: a
//! [`MemDialer`] for townships' uplinks and a [`MemListener`] for the
//! county's replication server, joined by `tokio::io::duplex` pipes. The
//! mutual-TLS handshake, HTTP/2 and the sessions above it are the real code.
//!
//! The network can be taken down (`set_up(false)`: new dials are refused
//! and every open connection fails at its next read or write) and brought
//! back; that is what a simulation needs to cut links deterministically.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use liandong_net::tls::{BoxConnection, DialFuture, Dialer, Listener};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
use tokio::sync::{mpsc, Mutex};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Bytes buffered in each direction of a pipe.
const PIPE_BYTES: usize = 256 * 1024;

/// Address the in-memory county pretends to listen on.
pub const COUNTY_ADDR: SocketAddr = SocketAddr::new(
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)),
    7443,
);

#[derive(Debug)]
struct State {
    up: AtomicBool,
    /// Bumped on every cut; a connection from an older epoch is dead.
    epoch: AtomicU64,
    next_port: AtomicU64,
}

/// One in-memory network with one listening county.
#[derive(Debug, Clone)]
pub struct MemNet {
    state: Arc<State>,
    accept: mpsc::Sender<(MemConn, SocketAddr)>,
}

impl MemNet {
    /// A network that is up, and the county's listener on it.
    pub fn new() -> (MemNet, MemListener) {
        let (accept, incoming) = mpsc::channel(64);
        let state = Arc::new(State {
            up: AtomicBool::new(true),
            epoch: AtomicU64::new(0),
            next_port: AtomicU64::new(40_000),
        });
        (
            MemNet {
                state: state.clone(),
                accept,
            },
            MemListener {
                incoming: Mutex::new(incoming),
            },
        )
    }

    /// A dialer into this network for a township's uplink.
    pub fn dialer(&self) -> Arc<MemDialer> {
        Arc::new(MemDialer { net: self.clone() })
    }

    /// Takes the network down (every open connection fails, new dials are
    /// refused) or brings it back.
    pub fn set_up(&self, up: bool) {
        if !up {
            self.state.epoch.fetch_add(1, Ordering::SeqCst);
        }
        self.state.up.store(up, Ordering::SeqCst);
    }
}

/// The township side: opens pipes to the county.
#[derive(Debug)]
pub struct MemDialer {
    net: MemNet,
}

impl Dialer for MemDialer {
    fn dial<'a>(&'a self, _addr: &'a str) -> DialFuture<'a> {
        Box::pin(async move {
            let state = &self.net.state;
            if !state.up.load(Ordering::SeqCst) {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "in-memory network is down",
                ));
            }
            let port = state.next_port.fetch_add(1, Ordering::SeqCst) as u16;
            let client_addr = SocketAddr::new(std::net::Ipv4Addr::new(10, 0, 0, 2).into(), port);
            let (client, server) = tokio::io::duplex(PIPE_BYTES);
            let epoch = state.epoch.load(Ordering::SeqCst);
            let server = MemConn::new(server, state.clone(), epoch, COUNTY_ADDR, client_addr);
            self.net
                .accept
                .send((server, client_addr))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::ConnectionRefused, "no listener"))?;
            let client = MemConn::new(client, state.clone(), epoch, client_addr, COUNTY_ADDR);
            Ok(Box::new(client) as BoxConnection)
        })
    }
}

/// The county side: yields the pipes townships opened.
#[derive(Debug)]
pub struct MemListener {
    incoming: Mutex<mpsc::Receiver<(MemConn, SocketAddr)>>,
}

impl Listener for MemListener {
    type Io = MemConn;

    async fn accept(&mut self) -> io::Result<(MemConn, SocketAddr)> {
        match self.incoming.get_mut().recv().await {
            Some(conn) => Ok(conn),
            // Every dialer is gone: nothing will ever connect again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(COUNTY_ADDR)
    }
}

/// One end of an in-memory connection.
#[derive(Debug)]
pub struct MemConn {
    pipe: DuplexStream,
    state: Arc<State>,
    epoch: u64,
    local: SocketAddr,
    remote: SocketAddr,
}

impl MemConn {
    fn new(
        pipe: DuplexStream,
        state: Arc<State>,
        epoch: u64,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> MemConn {
        MemConn {
            pipe,
            state,
            epoch,
            local,
            remote,
        }
    }

    fn cut(&self) -> Option<io::Error> {
        (self.state.epoch.load(Ordering::SeqCst) != self.epoch)
            .then(|| io::Error::new(io::ErrorKind::BrokenPipe, "in-memory link cut"))
    }
}

impl Connected for MemConn {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        TcpConnectInfo {
            local_addr: Some(self.local),
            remote_addr: Some(self.remote),
        }
    }
}

impl AsyncRead for MemConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.cut() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.pipe).poll_read(cx, buf)
    }
}

impl AsyncWrite for MemConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.cut() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.pipe).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.pipe).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.pipe).poll_shutdown(cx)
    }
}
