//! A loopback TCP proxy that stands for a township's network link: it can
//! be cut and restored (the demo's flaky links), and can cut each connection
//! after a given number of bytes (tests cut TLS streams at arbitrary bytes).
//! It forwards bytes blindly; TLS stays end to end.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use liandong_node::shutdown::Shutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Default)]
struct State {
    up: AtomicBool,
    /// Byte budgets for the next connections (both directions together).
    budgets: Mutex<VecDeque<u64>>,
    connections: AtomicU64,
    cuts: AtomicU64,
}

/// Handle to a running proxy.
#[derive(Clone)]
pub struct LinkProxy {
    addr: SocketAddr,
    state: Arc<State>,
    generation: watch::Sender<u64>,
}

impl LinkProxy {
    /// Listens on 127.0.0.1:0 and forwards to `target` until shutdown.
    pub async fn start(target: SocketAddr, shutdown: &Shutdown) -> std::io::Result<LinkProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            up: AtomicBool::new(true),
            ..State::default()
        });
        let (generation, _) = watch::channel(0);
        let proxy = LinkProxy {
            addr,
            state,
            generation,
        };
        let p = proxy.clone();
        let sd = shutdown.clone();
        shutdown.spawn("link-proxy", async move {
            loop {
                let accepted = tokio::select! {
                    _ = sd.triggered() => break,
                    a = listener.accept() => a,
                };
                let Ok((inbound, _)) = accepted else { continue };
                if !p.state.up.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let p2 = p.clone();
                sd.spawn("link-proxy-conn", async move {
                    p2.forward(inbound, target).await
                });
            }
        });
        Ok(proxy)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_up(&self) -> bool {
        self.state.up.load(Ordering::SeqCst)
    }

    /// Cuts (closing every open connection and refusing new ones) or restores.
    pub fn set_up(&self, up: bool) {
        self.state.up.store(up, Ordering::SeqCst);
        if !up {
            self.generation.send_modify(|g| *g += 1);
        }
    }

    /// Each of the next connections is cut after this many bytes.
    pub fn cut_after(&self, budgets: impl IntoIterator<Item = u64>) {
        let mut q = self.state.budgets.lock().unwrap_or_else(|e| e.into_inner());
        q.extend(budgets);
    }

    /// Connections cut by a byte budget so far.
    pub fn cuts(&self) -> u64 {
        self.state.cuts.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> u64 {
        self.state.connections.load(Ordering::SeqCst)
    }

    pub fn budgets_left(&self) -> usize {
        self.state.budgets.lock().map(|q| q.len()).unwrap_or(0)
    }

    async fn forward(self, inbound: TcpStream, target: SocketAddr) {
        let Ok(outbound) = TcpStream::connect(target).await else {
            return;
        };
        let _ = inbound.set_nodelay(true);
        let _ = outbound.set_nodelay(true);
        self.state.connections.fetch_add(1, Ordering::SeqCst);
        let budget = {
            let mut q = self.state.budgets.lock().unwrap_or_else(|e| e.into_inner());
            q.pop_front()
        };
        let limited = budget.is_some();
        let budget = Arc::new(AtomicI64::new(budget.map_or(i64::MAX, |b| b as i64)));
        let mut gen = self.generation.subscribe();
        let (ri, wi) = inbound.into_split();
        let (ro, wo) = outbound.into_split();
        let up = pump(ri, wo, budget.clone());
        let down = pump(ro, wi, budget);
        tokio::select! {
            _ = gen.changed() => {}
            _ = up => {}
            _ = down => {}
        }
        if limited {
            self.state.cuts.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Copies until EOF, an error, or the shared budget runs out.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    budget: Arc<AtomicI64>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let before = budget.fetch_sub(n as i64, Ordering::SeqCst);
        let allowed = before.clamp(0, n as i64) as usize;
        if allowed > 0 && to.write_all(&buf[..allowed]).await.is_err() {
            return;
        }
        if allowed < n {
            return;
        }
    }
}
