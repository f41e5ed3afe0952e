//! The WebSocket handshake (RFC 6455 over HTTP/1.1), done here instead of by axum's
//! `WebSocketUpgrade` so the socket is tokio-tungstenite's own and Pantau decides how
//! messages become frames: **a large message goes out as fragments** of at most
//! [`FRAGMENT_BYTES`]. tungstenite formats each frame into a buffer that keeps its largest
//! capacity for the socket's life, so a snapshot sent as one frame pinned its whole size —
//! 7 KB for an empty tenant, 1.25 MB deflated (9.8 MB as text) for 10,000 tickets — to every
//! idle wall afterwards (heaptrack, BENCHMARKS.md §12).
//!
//! The session code keeps speaking axum's message types: [`Upgrade::on_upgrade`] hands it a
//! sink and a stream that convert at this edge.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::{stream, Sink, SinkExt, Stream, StreamExt};
use hyper_util::rt::TokioIo;
use std::future::Future;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self as ts, handshake::derive_accept_key};
use tokio_tungstenite::WebSocketStream;

/// The largest frame Pantau writes: a longer message is split into continuation frames.
pub const FRAGMENT_BYTES: usize = 4 * 1024;

/// A valid upgrade request: its key and the connection to take over.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: hyper::upgrade::OnUpgrade,
}

/// Why a request is not a WebSocket upgrade (400, plain text, like axum's refusals).
#[derive(Debug)]
pub struct NotAnUpgrade(&'static str);

impl IntoResponse for NotAnUpgrade {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.0).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = NotAnUpgrade;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if !has_token(&parts.headers, header::CONNECTION, "upgrade") {
            return Err(NotAnUpgrade("Connection header did not include 'upgrade'"));
        }
        if !has_token(&parts.headers, header::UPGRADE, "websocket") {
            return Err(NotAnUpgrade("`Upgrade` header did not include 'websocket'"));
        }
        if !has_token(&parts.headers, header::SEC_WEBSOCKET_VERSION, "13") {
            return Err(NotAnUpgrade("`Sec-WebSocket-Version` header did not include '13'"));
        }
        let key = parts
            .headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or(NotAnUpgrade("`Sec-WebSocket-Key` header missing"))?;
        let on_upgrade = parts
            .extensions
            .remove::<hyper::upgrade::OnUpgrade>()
            .ok_or(NotAnUpgrade(
                "WebSocket request couldn't be upgraded since no upgrade state was present",
            ))?;
        Ok(Upgrade { key, on_upgrade })
    }
}

/// Whether a comma-separated header holds `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// What the session writes to: axum messages, sent as tungstenite frames.
pub trait MessageSink: Sink<Message> + Unpin + Send {}
impl<T: Sink<Message> + Unpin + Send> MessageSink for T {}

impl Upgrade {
    /// Answer 101 and, once the connection is ours, run `session` on the socket's two halves.
    pub fn on_upgrade<F, Fut>(self, config: WebSocketConfig, session: F) -> Response
    where
        F: FnOnce(Box<dyn MessageSink<Error = ts::Error>>, Box<dyn MessageStream>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept = derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            let upgraded = match on_upgrade.await {
                Ok(upgraded) => upgraded,
                Err(e) => {
                    tracing::debug!(error = %e, "websocket upgrade failed");
                    return;
                }
            };
            let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
            let (sink, stream) = socket.split();
            let sink = sink.with_flat_map(|m: Message| stream::iter(frames(m).into_iter().map(Ok)));
            let stream = stream.filter_map(|m| std::future::ready(from_tungstenite(m)));
            session(Box::new(sink), Box::new(stream)).await;
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .body(axum::body::Body::empty())
            .expect("a valid 101 response")
    }
}

/// What the session reads from.
pub trait MessageStream: Stream<Item = Result<Message, axum::Error>> + Unpin + Send {}
impl<T: Stream<Item = Result<Message, axum::Error>> + Unpin + Send> MessageStream for T {}

/// One axum message as the tungstenite messages to write: itself, or a data message longer
/// than [`FRAGMENT_BYTES`] as raw frames (a text one cut only at character boundaries).
fn frames(message: Message) -> Vec<ts::Message> {
    let (data, kind) = match message {
        Message::Text(text) => (Bytes::from(text), Data::Text),
        Message::Binary(bytes) => (bytes, Data::Binary),
        Message::Ping(b) => return vec![ts::Message::Ping(b)],
        Message::Pong(b) => return vec![ts::Message::Pong(b)],
        Message::Close(frame) => {
            return vec![ts::Message::Close(frame.map(|f| ts::protocol::CloseFrame {
                code: f.code.into(),
                reason: f.reason.as_str().into(),
            }))]
        }
    };
    if data.len() <= FRAGMENT_BYTES {
        let whole = match kind {
            Data::Text => ts::Message::Text(ts::Utf8Bytes::try_from(data).expect("axum text is UTF-8")),
            _ => ts::Message::Binary(data),
        };
        return vec![whole];
    }
    let mut frames = Vec::with_capacity(data.len() / FRAGMENT_BYTES + 1);
    let mut rest = data;
    let mut opcode = OpCode::Data(kind);
    while !rest.is_empty() {
        let mut cut = rest.len().min(FRAGMENT_BYTES);
        if kind == Data::Text {
            // Back up to the start of a character (a UTF-8 continuation byte is 0b10xx_xxxx).
            while cut < rest.len() && cut > 0 && (rest[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
        }
        let piece = rest.split_to(cut);
        frames.push(ts::Message::Frame(Frame::message(piece, opcode, rest.is_empty())));
        opcode = OpCode::Data(Data::Continue);
    }
    frames
}

/// A message read from the socket as axum's (`None`: a raw frame, which reading never yields).
fn from_tungstenite(read: Result<ts::Message, ts::Error>) -> Option<Result<Message, axum::Error>> {
    let message = match read {
        Err(e) => return Some(Err(axum::Error::new(e))),
        Ok(m) => m,
    };
    Some(Ok(match message {
        ts::Message::Text(t) => Message::Text(Utf8Bytes::from(t.as_str())),
        ts::Message::Binary(b) => Message::Binary(b),
        ts::Message::Ping(b) => Message::Ping(b),
        ts::Message::Pong(b) => Message::Pong(b),
        ts::Message::Close(frame) => Message::Close(frame.map(|f| CloseFrame {
            code: f.code.into(),
            reason: Utf8Bytes::from(f.reason.as_str()),
        })),
        ts::Message::Frame(_) => return None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reassembles what [`frames`] produced: the payload and whether every frame but the
    /// last is unfinished and only the first names the message type.
    fn reassemble(frames: &[ts::Message]) -> (Vec<u8>, bool) {
        let mut payload = Vec::new();
        let mut well_formed = true;
        for (i, f) in frames.iter().enumerate() {
            let ts::Message::Frame(frame) = f else {
                panic!("a fragment is a raw frame")
            };
            let last = i + 1 == frames.len();
            well_formed &= frame.header().is_final == last;
            well_formed &= (i == 0) != (frame.header().opcode == OpCode::Data(Data::Continue));
            assert!(frame.payload().len() <= FRAGMENT_BYTES);
            payload.extend_from_slice(frame.payload());
        }
        (payload, well_formed)
    }

    /// A short message is one message; a long text is cut into fragments at character
    /// boundaries that reassemble to the same text; a long binary one into exact pieces.
    #[test]
    fn long_messages_go_out_as_fragments() {
        assert!(matches!(
            frames(Message::Text("halo".into()))[..],
            [ts::Message::Text(_)]
        ));
        // 3 bytes each: a cut at FRAGMENT_BYTES would fall inside one; each backs up a byte.
        let text = "€".repeat(FRAGMENT_BYTES);
        let pieces = frames(Message::Text(text.clone().into()));
        assert_eq!(pieces.len(), 4, "3 × (FRAGMENT_BYTES − 1) bytes, then the last 3");
        let (payload, well_formed) = reassemble(&pieces);
        assert!(well_formed);
        assert_eq!(String::from_utf8(payload).expect("each cut on a boundary"), text);
        for p in &pieces {
            let ts::Message::Frame(f) = p else { unreachable!() };
            assert!(
                std::str::from_utf8(f.payload()).is_ok(),
                "every fragment is whole characters"
            );
        }
        let binary: Vec<u8> = (0..FRAGMENT_BYTES * 2 + 1).map(|i| i as u8).collect();
        let pieces = frames(Message::Binary(binary.clone().into()));
        assert_eq!(pieces.len(), 3);
        let (payload, well_formed) = reassemble(&pieces);
        assert!(well_formed);
        assert_eq!(payload, binary);
    }
}
