//! A WebSocket client speaking Pantau's protocol. The upgrade request carries a signed-in
//! person's `Cookie` (the server authenticates `subscribe` by it), or nothing.

use crate::auth::Session;
use crate::{Pantau, PATIENCE};
use futures_util::{SinkExt, StreamExt};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket client speaking Pantau's protocol.
pub struct WsClient(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// The upgrade request to `url`, with `session`'s cookie if there is one.
fn upgrade_request(url: &str, session: Option<&Session>) -> Request {
    let mut request = url.into_client_request().expect("a WebSocket URL");
    if let Some(session) = session {
        let cookie = HeaderValue::from_str(&session.cookie()).expect("cookies are ASCII");
        request.headers_mut().insert("cookie", cookie);
    }
    request
}

/// A plain `subscribe` to `tenant` from the live edge, as a signed-in browser sends it.
pub fn subscribe_msg(tenant: &str) -> ClientMsg {
    ClientMsg::Subscribe {
        tenant: tenant.into(),
        since: None,
        filters: Default::default(),
        token: None,
    }
}

impl WsClient {
    /// Connect to `url`, as `session` (or as nobody).
    pub async fn connect(url: &str, session: Option<&Session>) -> WsClient {
        let (ws, _) = tokio_tungstenite::connect_async(upgrade_request(url, session))
            .await
            .expect("websocket connects");
        WsClient(ws)
    }

    /// Send any JSON (a message with fields beyond [`ClientMsg`]'s, or a malformed one).
    pub async fn send_json(&mut self, msg: &serde_json::Value) {
        self.0.send(Message::text(msg.to_string())).await.expect("send");
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.0
            .send(Message::text(serde_json::to_string(msg).unwrap()))
            .await
            .expect("send");
    }

    /// Connect as `session` and subscribe to `tenant`; the client and its first message.
    pub async fn subscribe(url: &str, session: Option<&Session>, tenant: &str) -> (WsClient, ServerMsg) {
        WsClient::subscribe_with(url, session, subscribe_msg(tenant)).await
    }

    /// Connect as `session` and send `subscribe`; the client and its first message.
    pub async fn subscribe_with(url: &str, session: Option<&Session>, subscribe: ClientMsg) -> (WsClient, ServerMsg) {
        let mut client = WsClient::connect(url, session).await;
        client.send(&subscribe).await;
        let first = client.next().await;
        (client, first)
    }

    /// Connect over a socket with a tiny receive buffer (a client that reads slowly or never).
    pub async fn connect_small_buffer(url: &str, session: Option<&Session>) -> WsClient {
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
        let (ws, _) = tokio_tungstenite::client_async(upgrade_request(url, session), MaybeTlsStream::Plain(tcp))
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

    /// Messages until the server closes the socket; panics if it is still open after `wait`.
    pub async fn until_closed(&mut self, wait: Duration) -> Vec<ServerMsg> {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .unwrap_or_else(|_| panic!("the socket is still open after {wait:?}; saw {seen:?}"));
            match frame {
                None | Some(Ok(Message::Close(_))) | Some(Err(_)) => return seen,
                Some(Ok(Message::Text(t))) => {
                    seen.push(serde_json::from_str(t.as_str()).expect("valid server message"));
                }
                Some(Ok(_)) => {}
            }
        }
    }
}

impl Pantau {
    /// Subscribe to `tenant` as the superadmin; the client and its first message.
    pub async fn subscribe(&self, tenant: &str) -> (WsClient, ServerMsg) {
        WsClient::subscribe(&self.ws_url, Some(&self.admin), tenant).await
    }

    /// Send `subscribe` as the superadmin; the client and its first message.
    pub async fn subscribe_with(&self, subscribe: ClientMsg) -> (WsClient, ServerMsg) {
        WsClient::subscribe_with(&self.ws_url, Some(&self.admin), subscribe).await
    }
}
