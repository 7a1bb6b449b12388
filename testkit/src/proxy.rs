//! A TCP forwarder that a test can cut and restore: the panel behind it loses its engine for
//! real (open connections die, new ones are refused) while the engine itself keeps running.
//! It also counts the HTTP requests going upstream, for the bench's requests per minute, and
//! can hold them: while held, what clients send waits in the proxy (a Docker call that hangs).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio::task::{JoinHandle, JoinSet};

/// Where a [`Proxy`] forwards to.
#[derive(Clone, Debug)]
pub enum Upstream {
    /// `host:port`.
    Tcp(String),
    /// A unix socket, such as the host engine's `/var/run/docker.sock`.
    Unix(PathBuf),
}

pub struct Proxy {
    /// The local port it listens on (the same one again after a restore).
    pub port: u16,
    upstream: Upstream,
    requests: Arc<AtomicU64>,
    /// True while requests are held.
    held: Arc<tokio::sync::watch::Sender<bool>>,
    serving: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Listens on a free local port and forwards every connection to `target` (`host:port`).
    pub async fn to_tcp(target: &str) -> Proxy {
        Proxy::start(Upstream::Tcp(target.to_string())).await
    }

    /// Listens on a free local port and forwards every connection to the unix socket `path`.
    pub async fn to_unix(path: impl Into<PathBuf>) -> Proxy {
        Proxy::start(Upstream::Unix(path.into())).await
    }

    pub async fn start(upstream: Upstream) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let mut proxy = Proxy {
            port,
            upstream,
            requests: Arc::new(AtomicU64::new(0)),
            held: Arc::new(tokio::sync::watch::Sender::new(false)),
            serving: None,
        };
        proxy.serve(listener);
        proxy
    }

    /// The address to give `flotilla serve --docker`: `tcp://127.0.0.1:PORT`.
    pub fn docker_address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    /// HTTP requests sent upstream so far, over every connection (each request line ends with
    /// " HTTP/1.1\r\n"; the panel's requests to Docker carry no bodies that could hold one).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// From now on, what clients send is kept in the proxy, not passed on, until `release`.
    pub fn hold(&self) {
        self.held.send_replace(true);
    }

    pub fn release(&self) {
        self.held.send_replace(false);
    }

    fn serve(&mut self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        let requests = self.requests.clone();
        let held = self.held.clone();
        // The listener and every link live inside this one task: aborting it drops the
        // listener (new connections are refused) and the JoinSet, which aborts every link
        // (open connections are closed).
        self.serving = Some(tokio::spawn(async move {
            let mut links = JoinSet::new();
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let (upstream, requests) = (upstream.clone(), requests.clone());
                let held = held.subscribe();
                links.spawn(async move {
                    match upstream {
                        Upstream::Tcp(target) => {
                            if let Ok(stream) = TcpStream::connect(&target).await {
                                link(client, stream, &requests, held).await;
                            }
                        }
                        Upstream::Unix(path) => {
                            if let Ok(stream) = UnixStream::connect(&path).await {
                                link(client, stream, &requests, held).await;
                            }
                        }
                    }
                });
                // Forget links that have ended, so a long run does not accumulate them.
                while links.try_join_next().is_some() {}
            }
        }));
    }

    /// Stops listening and closes every open connection; returns once the listener is gone.
    pub async fn cut(&mut self) {
        if let Some(serving) = self.serving.take() {
            serving.abort();
            let _ = serving.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&mut self) {
        assert!(self.serving.is_none(), "restore without a cut");
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("listen again on the proxy's port");
        self.serve(listener);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(serving) = self.serving.take() {
            serving.abort();
        }
    }
}

/// Copies both ways until both sides are done (an end of stream is passed on as a shutdown,
/// as `copy_bidirectional` does), counting request lines on the way up.
async fn link<U>(
    client: TcpStream,
    upstream: U,
    requests: &AtomicU64,
    mut held: tokio::sync::watch::Receiver<bool>,
) where
    U: AsyncRead + AsyncWrite,
{
    let (mut client_read, mut client_write) = client.into_split();
    let (mut up_read, mut up_write) = tokio::io::split(upstream);
    let inbound = async {
        const MARKER: &[u8] = b" HTTP/1.1\r\n";
        let mut buf = vec![0u8; 64 * 1024];
        // The end of the previous read, so a marker split across two reads is still seen.
        let mut tail: Vec<u8> = Vec::new();
        loop {
            let n = client_read.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            tail.extend_from_slice(&buf[..n]);
            let found = tail.windows(MARKER.len()).filter(|w| *w == MARKER).count();
            requests.fetch_add(found as u64, Ordering::Relaxed);
            let keep = tail.len().min(MARKER.len() - 1);
            tail.drain(..tail.len() - keep);
            if held.wait_for(|held| !*held).await.is_err() {
                break;
            }
            if up_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = up_write.shutdown().await;
    };
    let outbound = async {
        let _ = tokio::io::copy(&mut up_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    tokio::join!(inbound, outbound);
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = stream.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn round_trip(port: u16, text: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.write_all(text).await?;
        stream.shutdown().await?;
        let mut back = Vec::new();
        stream.read_to_end(&mut back).await?;
        Ok(back)
    }

    #[tokio::test]
    async fn forwards_counts_cuts_and_restores() {
        let mut proxy = Proxy::to_tcp(&echo_server().await).await;
        let request = b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        assert_eq!(
            round_trip(proxy.port, request).await.expect("echo"),
            request
        );
        assert_eq!(proxy.requests(), 2);

        let open = TcpStream::connect(("127.0.0.1", proxy.port)).await;
        proxy.cut().await;
        let mut open = open.expect("connected before the cut");
        let mut byte = [0u8; 1];
        assert!(matches!(open.read(&mut byte).await, Ok(0) | Err(_)));
        assert!(
            round_trip(proxy.port, b"x").await.is_err(),
            "still listening"
        );

        proxy.restore().await;
        assert_eq!(
            round_trip(proxy.port, b"again").await.expect("echo"),
            b"again"
        );
    }
}
