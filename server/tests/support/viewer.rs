//! A websocket viewer like the browser's: it keeps the cluster state by applying what the
//! panel sends, and counts what it received.

use flotilla_app::protocol::{EngineStatus, ServerMsg};
use flotilla_app::state::{ClusterState, apply};
use futures_util::StreamExt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{WebSocketStream, tungstenite::Message};

pub struct Viewer {
    ws: WebSocketStream<TcpStream>,
    pub state: ClusterState,
    pub seq: u64,
    /// The panel's epoch, from its snapshot: with `seq`, the version held.
    pub epoch: u64,
    pub engine: EngineStatus,
    pub snapshots: usize,
    pub deltas: usize,
    /// Deltas whose seq did not follow on (the server must never send one).
    pub gaps: usize,
    /// Beats: what the server sends when it has had nothing else to say.
    pub beats: usize,
    pub closed: bool,
    /// The code and reason of the Close the panel sent, if it sent one.
    pub close: Option<(u16, String)>,
}

impl Viewer {
    pub async fn connect(addr: &str) -> Viewer {
        Viewer::connect_with_buffer(addr, None).await
    }

    /// `recv_buffer` shrinks the socket's receive buffer, so a viewer that stops reading
    /// pushes back on the server quickly.
    pub async fn connect_with_buffer(addr: &str, recv_buffer: Option<u32>) -> Viewer {
        let viewer = Viewer::open(addr, recv_buffer, None, None, "").await;
        viewer.expect_snapshot().await
    }

    /// A viewer that comes back holding version (`epoch`, `seq`) of `state`, as a browser
    /// does with its page's state or after a lost link: nothing is read yet.
    pub async fn resume(addr: &str, epoch: u64, seq: u64, state: ClusterState) -> Viewer {
        let query = format!("?since={epoch}.{seq}");
        let mut viewer = Viewer::open(addr, None, None, None, &query).await;
        (viewer.epoch, viewer.seq, viewer.state) = (epoch, seq, state);
        viewer
    }

    /// Connects from `source` (any 127.x.y.z reaches a panel on loopback): the viewer, or the
    /// close code and reason the panel refused it with.
    pub async fn try_connect_from(addr: &str, source: IpAddr) -> Result<Viewer, (u16, String)> {
        let mut viewer = Viewer::open(addr, None, Some(source), None, "").await;
        if viewer.read_one().await {
            assert_eq!(viewer.snapshots, 1, "the first message must be a snapshot");
            return Ok(viewer);
        }
        Err(viewer
            .close
            .take()
            .unwrap_or((0, "closed without a Close frame".into())))
    }

    /// Sends a text message, as a browser never does.
    pub async fn send_text(&mut self, text: String) -> bool {
        use futures_util::SinkExt;
        self.ws.send(Message::text(text)).await.is_ok()
    }

    /// A viewer whose browser holds a session (`name=value` of its cookie).
    pub async fn connect_with_cookie(addr: &str, cookie: &str) -> Viewer {
        Viewer::open(addr, None, None, Some(cookie), "")
            .await
            .expect_snapshot()
            .await
    }

    async fn open(
        addr: &str,
        recv_buffer: Option<u32>,
        source: Option<IpAddr>,
        cookie: Option<&str>,
        query: &str,
    ) -> Viewer {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let socket = TcpSocket::new_v4().expect("socket");
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).expect("SO_RCVBUF");
        }
        if let Some(ip) = source {
            socket
                .bind(SocketAddr::new(ip, 0))
                .expect("bind the source address");
        }
        let stream = socket
            .connect(addr.parse().expect("addr"))
            .await
            .expect("connect to panel");
        let mut request = format!("ws://{addr}/ws{query}")
            .into_client_request()
            .expect("request");
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().expect("cookie header"));
        }
        let (ws, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .expect("websocket upgrade");
        Viewer {
            ws,
            state: ClusterState::default(),
            seq: 0,
            epoch: 0,
            engine: EngineStatus::Connecting,
            snapshots: 0,
            deltas: 0,
            gaps: 0,
            beats: 0,
            closed: false,
            close: None,
        }
    }

    async fn expect_snapshot(mut self) -> Viewer {
        self.read_one().await;
        assert_eq!(self.snapshots, 1, "the first message must be a snapshot");
        self
    }

    /// Reads and applies one message; false once the connection is closed.
    pub async fn read_one(&mut self) -> bool {
        let text = loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => break text,
                Some(Ok(Message::Close(frame))) => {
                    self.close = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                    self.closed = true;
                    return false;
                }
                None | Some(Err(_)) => {
                    self.closed = true;
                    return false;
                }
                Some(Ok(_)) => continue,
            }
        };
        match serde_json::from_str::<ServerMsg>(&text).expect("a protocol message") {
            ServerMsg::Snapshot(snapshot) => {
                self.snapshots += 1;
                self.seq = snapshot.seq;
                self.epoch = snapshot.epoch;
                self.state = snapshot.state;
                self.engine = snapshot.engine;
            }
            ServerMsg::Delta { seq, changes } => {
                self.deltas += 1;
                if seq == self.seq + 1 {
                    apply(&mut self.state, changes);
                    self.seq = seq;
                } else if seq > self.seq {
                    self.gaps += 1;
                }
            }
            ServerMsg::Engine { engine } => self.engine = engine,
            ServerMsg::Beat => self.beats += 1,
        }
        true
    }

    /// Reads until `check` holds; panics after `limit`.
    pub async fn until(&mut self, what: &str, limit: Duration, check: impl Fn(&Viewer) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        while !check(self) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.read_one()).await {
                Ok(true) => {}
                Ok(false) => panic!("connection closed while waiting for {what}"),
                Err(_) => panic!(
                    "gave up after {limit:?} waiting for {what}; engine {:?}",
                    self.engine
                ),
            }
        }
    }

    /// Whether a beat arrives within `limit` (reading whatever comes before it).
    pub async fn next_beat(&mut self, limit: Duration) -> bool {
        let seen = self.beats;
        let deadline = tokio::time::Instant::now() + limit;
        while self.beats == seen {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !matches!(tokio::time::timeout(left, self.read_one()).await, Ok(true)) {
                return false;
            }
        }
        true
    }

    /// The close code and reason, if the panel closes the feed within `limit`.
    pub async fn closed_within(&mut self, limit: Duration) -> Option<(u16, String)> {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.closed {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if tokio::time::timeout(left, self.read_one()).await.is_err() {
                return None;
            }
        }
        self.close.clone()
    }
}
