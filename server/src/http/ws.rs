//! `GET /ws`: upgrade and hand the socket to a [`crate::realtime::session`].

use crate::realtime::session::{self, Deps, Limits};
use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use std::sync::Arc;
use tracing::Instrument;

/// Largest message a client may send (subscriptions and pings are tiny).
const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;
/// Read buffer per socket. tungstenite's default (128 KiB) would dominate the memory of an
/// idle connection; clients only send small control messages.
const READ_BUFFER_BYTES: usize = 4 * 1024;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/ws", get(upgrade))
}

async fn upgrade(State(state): State<Arc<AppState>>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        // Every send is flushed at once (each message is a complete update); no write buffer.
        .write_buffer_size(0)
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            let shutdown = state.shutdown.clone();
            let span = tracing::info_span!("ws_session", session = %uuid::Uuid::now_v7());
            async move {
                tracing::info!("connected");
                let deps = Deps {
                    tenants: &state.tenants,
                    hub: &state.hub,
                    live: &state.live,
                    replay: &state.store,
                    limits: Limits::of(&state.config),
                };
                session::run(&deps, sink, stream, shutdown).await;
                tracing::info!("disconnected");
            }
            .instrument(span)
        })
}
