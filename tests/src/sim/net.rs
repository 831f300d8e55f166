//! The simulated network's seams: a [`SimDialer`] for a child node's uplink
//! and a [`SimListener`] for the county's replication server, both over
//! turmoil's TCP. The mutual-TLS handshake, HTTP/2 and the sessions above
//! them are the real code; only the bytes travel through turmoil, which
//! can lose, hold and partition them.
//!
//! Every child dials the county host at [`COUNTY_PORT`], whatever address
//! its configuration names (the configured name is still the one the
//! county's certificate is checked for).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use liandong_net::tls::{BoxConnection, DialFuture, Dialer, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// The county's host name in the simulation.
pub const COUNTY_HOST: &str = "county";
/// Where the simulated county accepts replication.
pub const COUNTY_PORT: u16 = 7443;

/// Dials the simulated county over turmoil's TCP.
#[derive(Debug, Default)]
pub struct SimDialer;

impl Dialer for SimDialer {
    fn dial<'a>(&'a self, _addr: &'a str) -> DialFuture<'a> {
        Box::pin(async move {
            let tcp = turmoil::net::TcpStream::connect((COUNTY_HOST, COUNTY_PORT)).await?;
            Ok(Box::new(SimConn(tcp)) as BoxConnection)
        })
    }
}

/// The county's listener on the simulated network.
pub struct SimListener {
    inner: turmoil::net::TcpListener,
}

impl SimListener {
    /// Binds [`COUNTY_PORT`] on the current simulated host.
    pub async fn bind() -> io::Result<SimListener> {
        let inner = turmoil::net::TcpListener::bind(("0.0.0.0", COUNTY_PORT)).await?;
        Ok(SimListener { inner })
    }
}

impl Listener for SimListener {
    type Io = SimConn;

    async fn accept(&mut self) -> io::Result<(SimConn, SocketAddr)> {
        let (tcp, remote) = self.inner.accept().await?;
        Ok((SimConn(tcp), remote))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// One simulated TCP connection, with the connect information tonic reads
/// a peer's address from.
pub struct SimConn(turmoil::net::TcpStream);

impl Connected for SimConn {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        TcpConnectInfo {
            local_addr: self.0.local_addr().ok(),
            remote_addr: self.0.peer_addr().ok(),
        }
    }
}

impl AsyncRead for SimConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
