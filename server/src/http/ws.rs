//! `GET /ws`: upgrade and hand the socket to a [`crate::realtime::session`].

use super::guard::session_cookie;
use super::ws_upgrade::Upgrade;
use crate::auth::Principal;
use crate::realtime::session::{self, Credentials, Deps, Gate, Limits, ReplaySource};
use crate::state::AppState;
use crate::store::StoreError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::ReplayStart;
use std::future::Future;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::Instrument;

/// Largest message a client may send (subscriptions and pings are tiny).
const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;
/// Read buffer per socket, reserved when the socket opens. tungstenite's default (128 KiB)
/// would dominate the memory of an idle connection; clients only send small control
/// messages (a longer one grows the buffer as it is read). 4 KiB was a third of an idle
/// socket's memory (heaptrack, BENCHMARKS.md §12).
const READ_BUFFER_BYTES: usize = 1024;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/ws", get(upgrade))
}

/// The live feed: a WebSocket whose first `subscribe` message authenticates (session
/// cookie, or a paired screen's token) and names the tenant and cursor to resume from.
#[utoipa::path(get, path = "/ws", tag = "system",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol (messages: `pantau_shared::protocol`)"),
        (status = 400, description = "Not a WebSocket upgrade request", content_type = "text/plain"),
    ))]
async fn upgrade(State(state): State<Arc<AppState>>, headers: HeaderMap, ws: Upgrade) -> Response {
    let cookie = session_cookie(&headers).map(Credentials::Session);
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_CLIENT_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE_BYTES))
        .read_buffer_size(READ_BUFFER_BYTES)
        // Every send is flushed at once (each message is a complete update); no write buffer.
        .write_buffer_size(0);
    ws.on_upgrade(config, move |sink, stream| {
        let shutdown = state.shutdown.clone();
        let span = tracing::info_span!("ws_session", session = %uuid::Uuid::now_v7());
        async move {
            tracing::info!("connected");
            let deps = Deps {
                tenants: &state.tenants,
                hub: &state.hub,
                live: &state.live,
                backend: &*state,
                limits: Limits::of(&state.config),
                cookie,
            };
            session::run(&deps, sink, stream, shutdown).await;
            tracing::info!("disconnected");
        }
        .instrument(span)
    })
}

impl ReplaySource for AppState {
    fn range_after(
        &self,
        tenant: &str,
        after: Cursor,
        until: Cursor,
        count: usize,
    ) -> impl Future<Output = Result<Vec<(Cursor, Event)>, StoreError>> + Send {
        self.store.range_after(tenant, after, until, count)
    }
}

impl Gate for AppState {
    async fn admit(&self, credentials: &Credentials) -> Result<Option<Principal>, ()> {
        match credentials {
            Credentials::Session(token) => match self.auth.session(token, chrono::Utc::now()).await {
                Ok(session) => Ok(session.map(|s| Principal::User {
                    tenant: s.tenant,
                    name: s.name,
                    role: s.role,
                })),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot check a socket's session");
                    Err(())
                }
            },
            Credentials::Display(token) => match self.auth.screen_by_token(token).await {
                Ok(screen) => Ok(screen.map(|s| Principal::Screen {
                    tenant: s.tenant,
                    id: s.id,
                })),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot check a screen's token");
                    Err(())
                }
            },
        }
    }

    async fn directive(&self, credentials: &Credentials) -> Result<Option<ReplayStart>, ()> {
        let Credentials::Display(token) = credentials else {
            return Ok(None);
        };
        match self.auth.screen_by_token(token).await {
            Ok(screen) => Ok(screen.and_then(|s| s.replay).and_then(|r| r.start())),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a screen's replay");
                Err(())
            }
        }
    }
}
