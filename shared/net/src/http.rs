//! Serving a node's admin HTTP port (pages, `/metrics`, `/api/*`, gRPC health
//! and reflection over h2c) with the limits a port on the hall's LAN needs:
//! at most [`HttpLimits::max_connections`] connections at once (accepting
//! waits beyond that), request headers (and, on an idle HTTP/1 keep-alive
//! connection, the next request) within [`HttpLimits::header_read_timeout`],
//! and HTTP/2 keepalive pings that close dead connections. axum's own
//! `serve` has none of these.
//!
//! Invariants: every connection task is tracked, so a drain waits for them;
//! on shutdown each connection finishes its in-flight request and closes.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Limits of one HTTP server.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Connections served at once (default 256).
    pub max_connections: usize,
    /// A request's headers must arrive within this; an idle HTTP/1
    /// keep-alive connection is closed after it too (default 10 s).
    pub header_read_timeout: Duration,
    /// HTTP/2 keepalive ping interval; a ping not answered within the same
    /// time closes the connection (default 20 s).
    pub http2_keepalive: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 256,
            header_read_timeout: Duration::from_secs(10),
            http2_keepalive: Duration::from_secs(20),
        }
    }
}

/// Pause after a failed `accept()` before retrying.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `stop` is cancelled.
pub fn serve_http(
    listener: TcpListener,
    router: axum::Router,
    limits: HttpLimits,
    tracker: TaskTracker,
    stop: CancellationToken,
) -> impl Future<Output = ()> + Send {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    async move {
        loop {
            let permit = tokio::select! {
                () = stop.cancelled() => return,
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => return, // the semaphore is never closed
                },
            };
            let (tcp, remote) = tokio::select! {
                () = stop.cancelled() => return,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting an admin connection failed; retrying");
                        tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                        continue;
                    }
                },
            };
            let service = TowerToHyperService::new(router.clone());
            let (limits, stop) = (limits.clone(), stop.clone());
            tracker.spawn(async move {
                let _slot = permit;
                // The protocol is detected from the first bytes, with no
                // timer of hyper's own: a client must start within the limit.
                let started =
                    tokio::time::timeout(limits.header_read_timeout, tcp.peek(&mut [0u8; 1])).await;
                if !matches!(started, Ok(Ok(n)) if n > 0) {
                    tracing::debug!(%remote, "admin connection sent nothing in time; closed");
                    return;
                }
                let mut builder = auto::Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_read_timeout);
                builder
                    .http2()
                    .timer(TokioTimer::new())
                    .keep_alive_interval(limits.http2_keepalive)
                    .keep_alive_timeout(limits.http2_keepalive);
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
                tokio::pin!(conn);
                let result = tokio::select! {
                    result = conn.as_mut() => result,
                    () = stop.cancelled() => {
                        conn.as_mut().graceful_shutdown();
                        conn.await
                    }
                };
                if let Err(e) = result {
                    tracing::debug!(%remote, error = %e, "admin connection ended");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    async fn server(limits: HttpLimits) -> (std::net::SocketAddr, CancellationToken) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
        let stop = CancellationToken::new();
        tokio::spawn(serve_http(
            listener,
            router,
            limits,
            TaskTracker::new(),
            stop.clone(),
        ));
        (addr, stop)
    }

    async fn get(conn: &mut TcpStream) -> String {
        conn.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 1024];
        let n = conn.read(&mut buf).await.unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[tokio::test]
    async fn a_connection_that_sends_no_headers_is_closed_after_the_header_timeout() {
        let (addr, _stop) = server(HttpLimits {
            header_read_timeout: Duration::from_millis(200),
            ..HttpLimits::default()
        })
        .await;
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let closed =
            tokio::time::timeout(Duration::from_secs(5), silent.read(&mut [0u8; 64])).await;
        assert!(
            matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
            "a silent connection was kept open: {closed:?}"
        );
        let mut idle = TcpStream::connect(addr).await.unwrap();
        assert!(get(&mut idle).await.contains("200 OK"));
        let closed = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut [0u8; 64])).await;
        assert!(
            matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
            "an idle keep-alive connection was kept open: {closed:?}"
        );
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_wait_until_one_closes() {
        let (addr, _stop) = server(HttpLimits {
            max_connections: 2,
            header_read_timeout: Duration::from_secs(3600),
            ..HttpLimits::default()
        })
        .await;
        let first = TcpStream::connect(addr).await.unwrap();
        let mut second = TcpStream::connect(addr).await.unwrap();
        assert!(get(&mut second).await.contains("200 OK"));
        let mut third = TcpStream::connect(addr).await.unwrap();
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 1024];
        let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
        assert!(
            early.is_err(),
            "a third connection was served beyond the limit of two"
        );
        drop(first);
        let n = tokio::time::timeout(Duration::from_secs(5), third.read(&mut buf))
            .await
            .expect("the third connection is served once a slot is free")
            .unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
    }
}
