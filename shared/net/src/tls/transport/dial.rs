//! The client's dialling seam: how a connector opens the byte stream that
//! TLS then runs over. [`TcpDialer`] dials TCP (a real node); a simulated
//! network supplies its own [`Dialer`], and a test that puts a cutting proxy
//! between township and county uses [`TcpDialer::via`]. Everything above
//! the byte stream — TLS, HTTP/2, the session — is the real code either way.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A byte stream a dialer opened.
pub trait Connection: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Connection for T {}

/// A boxed [`Connection`].
pub type BoxConnection = Box<dyn Connection>;

/// The future a [`Dialer`] returns.
pub type DialFuture<'a> = Pin<Box<dyn Future<Output = io::Result<BoxConnection>> + Send + 'a>>;

/// Opens a byte stream to "host:port".
pub trait Dialer: Send + Sync + fmt::Debug {
    fn dial<'a>(&'a self, addr: &'a str) -> DialFuture<'a>;
}

/// A dialer shared by a node's connectors.
pub type SharedDialer = Arc<dyn Dialer>;

/// Dials TCP, to the address asked for or, with [`TcpDialer::via`], always
/// to one other address (a proxy in front of the real server).
#[derive(Debug, Clone)]
pub struct TcpDialer {
    via: Option<String>,
    nodelay: bool,
}

impl Default for TcpDialer {
    fn default() -> Self {
        TcpDialer {
            via: None,
            nodelay: true,
        }
    }
}

impl TcpDialer {
    /// The plain TCP dialer as a [`SharedDialer`].
    pub fn shared() -> SharedDialer {
        Arc::new(TcpDialer::default())
    }

    /// A dialer that dials `addr` whatever it is asked for; TLS still
    /// verifies the server by the name the caller gave.
    pub fn via(addr: impl Into<String>) -> SharedDialer {
        Arc::new(TcpDialer {
            via: Some(addr.into()),
            nodelay: true,
        })
    }

    /// Sets `TCP_NODELAY` on dialled sockets (default true).
    pub fn with_nodelay(mut self, nodelay: bool) -> Self {
        self.nodelay = nodelay;
        self
    }
}

impl Dialer for TcpDialer {
    fn dial<'a>(&'a self, addr: &'a str) -> DialFuture<'a> {
        Box::pin(async move {
            let target = self.via.as_deref().unwrap_or(addr);
            let tcp = TcpStream::connect(target).await?;
            tcp.set_nodelay(self.nodelay)?;
            Ok(Box::new(tcp) as BoxConnection)
        })
    }
}
