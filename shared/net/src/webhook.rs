//! A webhook POST: one HTTP/1.1 request with a JSON body and the caller's
//! headers to a plain `http://` URL, bounded by a timeout, answering the
//! status code. The department bridge pushes its deliveries through it.
//!
//! Only `http://`: the receiver is the department's own system on its
//! private network, next to the bridge; there is no TLS client here (a
//! receiver elsewhere needs a TLS-terminating proxy beside it). One
//! connection per request (`Connection: close`), so a receiver restarting
//! between deliveries costs nothing. Retries, signing and what is sent are
//! the caller's.

use std::time::Duration;

use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

/// A parsed webhook address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    text: String,
    /// `host:port` to connect to.
    authority: String,
    path_and_query: String,
}

/// Why a webhook address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    #[error("`{url}` is not an http URL: write http://HOST:PORT/PATH (https is not supported; put a TLS proxy beside the receiver)")]
    NotHttp { url: String },
    #[error("`{url}` does not parse as a URL: {detail}")]
    Unparsable { url: String, detail: String },
    #[error("`{url}` has no host")]
    NoHost { url: String },
}

impl WebhookUrl {
    /// Parses `http://HOST[:PORT][/PATH][?QUERY]` (port 80 by default).
    pub fn parse(url: &str) -> Result<WebhookUrl, WebhookUrlError> {
        let uri: http::Uri =
            url.parse()
                .map_err(|e: http::uri::InvalidUri| WebhookUrlError::Unparsable {
                    url: url.to_string(),
                    detail: e.to_string(),
                })?;
        if uri.scheme_str() != Some("http") {
            return Err(WebhookUrlError::NotHttp {
                url: url.to_string(),
            });
        }
        let authority = uri.authority().ok_or_else(|| WebhookUrlError::NoHost {
            url: url.to_string(),
        })?;
        if authority.host().is_empty() || authority.as_str().contains('@') {
            return Err(WebhookUrlError::NoHost {
                url: url.to_string(),
            });
        }
        let port = authority.port_u16().unwrap_or(80);
        let host = authority.host();
        let authority = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let path_and_query = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".into());
        Ok(WebhookUrl {
            text: url.to_string(),
            authority,
            path_and_query,
        })
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a POST got no status back.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("connecting to {authority}: {source}")]
    Connect {
        authority: String,
        source: std::io::Error,
    },
    #[error("HTTP exchange with {url}: {detail}")]
    Http { url: String, detail: String },
    #[error("no answer from {url} within {} ms", .timeout.as_millis())]
    Timeout { url: String, timeout: Duration },
}

/// POSTs `body` as `application/json` with `headers` to `url`; the
/// receiver's status code, whatever it is, or why there was none.
pub async fn post(
    url: &WebhookUrl,
    headers: &[(&str, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<u16, WebhookError> {
    tokio::time::timeout(timeout, exchange(url, headers, body))
        .await
        .map_err(|_| WebhookError::Timeout {
            url: url.text.clone(),
            timeout,
        })?
}

async fn exchange(
    url: &WebhookUrl,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Result<u16, WebhookError> {
    let http_error = |detail: String| WebhookError::Http {
        url: url.text.clone(),
        detail,
    };
    let tcp = tokio::net::TcpStream::connect(&url.authority)
        .await
        .map_err(|source| WebhookError::Connect {
            authority: url.authority.clone(),
            source,
        })?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| http_error(e.to_string()))?;
    let mut request = http::Request::post(url.path_and_query.as_str())
        .header(http::header::HOST, url.authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::CONNECTION, "close");
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(axum::body::Body::from(body))
        .map_err(|e| http_error(e.to_string()))?;
    let send = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| http_error(e.to_string()))?;
        Ok::<u16, WebhookError>(response.status().as_u16())
    };
    // The connection is driven here, beside the request: nothing is
    // spawned, and both end with this call. With `Connection: close` the
    // connection may finish first, its response already handed over: the
    // request's future then still yields it.
    tokio::pin!(conn);
    tokio::pin!(send);
    tokio::select! {
        status = send.as_mut() => status,
        ended = conn.as_mut() => match ended {
            Ok(()) => send.await,
            Err(e) => Err(http_error(e.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_with_a_host_are_taken() {
        let url = WebhookUrl::parse("http://127.0.0.1:9000/hooks/liandong?x=1").unwrap();
        assert_eq!(url.authority, "127.0.0.1:9000");
        assert_eq!(url.path_and_query, "/hooks/liandong?x=1");
        let bare = WebhookUrl::parse("http://receiver").unwrap();
        assert_eq!(
            (bare.authority.as_str(), bare.path_and_query.as_str()),
            ("receiver:80", "/")
        );
        assert!(matches!(
            WebhookUrl::parse("https://receiver/x"),
            Err(WebhookUrlError::NotHttp { .. })
        ));
        assert!(WebhookUrl::parse("receiver:80/x").is_err());
        assert!(WebhookUrl::parse("http://user@receiver/x").is_err());
        assert!(WebhookUrl::parse("not a url").is_err());
    }

    #[tokio::test]
    async fn a_post_returns_the_receivers_status_and_sends_the_headers_and_body() {
        use axum::routing::post as route_post;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, String)>(1);
        let router = axum::Router::new().route(
            "/hook",
            route_post(move |headers: http::HeaderMap, body: String| {
                let tx = tx.clone();
                async move {
                    let sig = headers
                        .get("x-test")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let _ = tx.send((sig, body)).await;
                    http::StatusCode::ACCEPTED
                }
            }),
        );
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let url = WebhookUrl::parse(&format!("http://{addr}/hook")).unwrap();
        let status = post(
            &url,
            &[("x-test", "abc".into())],
            b"{\"a\":1}".to_vec(),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert_eq!(status, 202);
        assert_eq!(
            rx.recv().await.unwrap(),
            ("abc".to_string(), "{\"a\":1}".to_string())
        );
        server.abort();

        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone =
            WebhookUrl::parse(&format!("http://{}/x", closed.local_addr().unwrap())).unwrap();
        drop(closed);
        assert!(matches!(
            post(&gone, &[], vec![], Duration::from_secs(5)).await,
            Err(WebhookError::Connect { .. })
        ));
    }
}
