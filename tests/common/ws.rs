//! A WebSocket client speaking Pantau's protocol.

use crate::PATIENCE;
use futures_util::{SinkExt, StreamExt};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket client speaking Pantau's protocol.
pub struct WsClient(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl WsClient {
    pub async fn connect(url: &str) -> WsClient {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("websocket connects");
        WsClient(ws)
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.0
            .send(Message::text(serde_json::to_string(msg).unwrap()))
            .await
            .expect("send");
    }

    /// Connect and subscribe to `tenant`; returns the client and its first message.
    pub async fn subscribe(url: &str, tenant: &str) -> (WsClient, ServerMsg) {
        WsClient::subscribe_with(
            url,
            ClientMsg::Subscribe {
                tenant: tenant.into(),
                since: None,
                filters: Default::default(),
            },
        )
        .await
    }

    /// Connect and send `subscribe`; returns the client and its first message.
    pub async fn subscribe_with(url: &str, subscribe: ClientMsg) -> (WsClient, ServerMsg) {
        let mut client = WsClient::connect(url).await;
        client.send(&subscribe).await;
        let first = client.next().await;
        (client, first)
    }

    /// Connect over a socket with a tiny receive buffer (a client that reads slowly or never).
    pub async fn connect_small_buffer(url: &str) -> WsClient {
        let addr = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket.connect(addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp))
            .await
            .unwrap();
        WsClient(ws)
    }

    /// Read `deltas` until `n` events arrived; checks every frame continues the previous
    /// (`from` == last `to`, starting at `cursor`). Returns the events and the last cursor.
    pub async fn collect_events(&mut self, mut cursor: Cursor, n: usize) -> (Vec<Event>, Cursor) {
        let mut events = Vec::new();
        while events.len() < n {
            match self.next().await {
                ServerMsg::Deltas {
                    from,
                    to,
                    events: batch,
                    ..
                } => {
                    assert_eq!(from, cursor, "deltas must continue the previous frame");
                    cursor = to;
                    events.extend(batch);
                }
                ServerMsg::Heartbeat { .. } | ServerMsg::Pong { .. } | ServerMsg::Resumed { .. } => {}
                other => panic!("expected deltas, got {other:?}"),
            }
        }
        assert_eq!(events.len(), n, "no more than expected");
        (events, cursor)
    }

    /// The next server message; panics after [`PATIENCE`].
    pub async fn next(&mut self) -> ServerMsg {
        self.next_within(PATIENCE).await.expect("a server message in time")
    }

    /// The next server message, or `None` if none arrives within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<ServerMsg> {
        loop {
            let frame = tokio::time::timeout(wait, self.0.next()).await.ok()?;
            match frame.expect("socket open").expect("socket healthy") {
                Message::Text(t) => return Some(serde_json::from_str(t.as_str()).expect("valid server message")),
                Message::Close(_) => panic!("server closed the socket"),
                _ => continue,
            }
        }
    }
}
