//! A TCP front for the host engine's unix socket that a test can cut and restore: the panel
//! loses its engine for real (connections reset, new ones refused) without the engine that
//! other tests use ever stopping.

use std::sync::Arc;
use tokio::net::{TcpListener, UnixStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub struct EngineProxy {
    pub port: u16,
    serving: Option<JoinHandle<()>>,
    cut: Arc<Notify>,
}

impl EngineProxy {
    pub async fn start() -> EngineProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let mut proxy = EngineProxy {
            port,
            serving: None,
            cut: Arc::new(Notify::new()),
        };
        proxy.serve(listener);
        proxy
    }

    pub fn address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    fn serve(&mut self, listener: TcpListener) {
        let cut = self.cut.clone();
        self.serving = Some(tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut client, _)) = accepted else { continue };
                        links.spawn(async move {
                            if let Ok(mut engine) = UnixStream::connect("/var/run/docker.sock").await {
                                let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                            }
                        });
                    }
                    // Dropping the set aborts every link: the panel sees its connections die.
                    _ = cut.notified() => return,
                }
            }
        }));
    }

    /// Closes the listener and every open connection.
    pub async fn cut(&mut self) {
        self.cut.notify_one();
        if let Some(serving) = self.serving.take() {
            let _ = serving.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind proxy");
        self.serve(listener);
    }
}
