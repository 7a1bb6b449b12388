//! A TCP forwarder in front of the lab manager's API that a test can cut and restore: the
//! panel behind it loses its engine for real (open connections die, new ones are refused)
//! while the lab itself keeps running.

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub struct Proxy {
    pub port: u16,
    target: String,
    serving: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Listens on a free local port and forwards every connection to `target` (`host:port`).
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let mut proxy = Proxy {
            port,
            target: target.to_string(),
            serving: None,
        };
        proxy.serve(listener);
        proxy
    }

    /// The address to give `flotilla serve --docker`.
    pub fn docker_address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target.clone();
        // The listener and every link live inside this one task: aborting it drops the
        // listener (new connections are refused) and the JoinSet, which aborts every link
        // (open connections are closed).
        self.serving = Some(tokio::spawn(async move {
            let mut links = JoinSet::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let target = target.clone();
                links.spawn(async move {
                    if let Ok(mut upstream) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
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
