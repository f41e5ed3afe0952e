//! What a client's message asks of its session: `ping` is answered here, bad input gets an
//! `error`, and `subscribe` is admitted only with credentials (the upgrade's cookie, or a
//! screen's display token) whose principal may watch that tenant.

use super::{error_msg, Closed, Credentials, Deps, Gate, Out, Subscription};
use crate::auth::Action;
use crate::realtime::hub::{now_ms, text_of};
use axum::extract::ws::Message;
use futures_util::Sink;
use pantau_shared::protocol::{ClientMsg, ServerMsg, COMPRESS_DEFLATE_RAW};
use pantau_shared::PROTOCOL_VERSION;
use tokio::time::Instant;

/// What a `subscribe` may carry beside its fields: a replay, and how snapshots may come.
#[derive(serde::Deserialize)]
struct Beside {
    #[serde(default)]
    replay: Option<pantau_shared::protocol::ReplayStart>,
    /// `"deflate-raw"`: snapshots come as binary frames of raw deflate.
    #[serde(default)]
    compress: Option<String>,
}

/// What a client message asks of the session.
pub(super) enum Request {
    Subscribe(Box<Subscription>),
    /// `replay_control`: for a replaying session.
    Control {
        paused: Option<bool>,
        seek: Option<i64>,
        speed: Option<f64>,
    },
    Nothing,
    Hangup,
}

/// Answer pings and bad input in place; report subscriptions and hang-ups.
pub(super) async fn handle_client<S: Sink<Message> + Unpin, P: Gate>(
    deps: &Deps<'_, P>,
    out: &mut Out<'_, S>,
    msg: Option<Result<Message, axum::Error>>,
) -> Result<Request, Closed> {
    out.liveness.heard(Instant::now());
    let raw = match msg {
        Some(Ok(Message::Text(t))) => t,
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(Request::Hangup),
        Some(Ok(_)) => return Ok(Request::Nothing),
    };
    match serde_json::from_str::<ClientMsg>(raw.as_str()) {
        Ok(ClientMsg::Ping) => {
            out.send(text_of(&ServerMsg::Pong {
                v: PROTOCOL_VERSION,
                server_time: now_ms(),
            }))
            .await?;
            Ok(Request::Nothing)
        }
        Ok(ClientMsg::ReplayControl { paused, seek, speed }) => Ok(Request::Control { paused, seek, speed }),
        Ok(ClientMsg::Subscribe {
            tenant,
            since,
            filters,
            token,
        }) if deps.hub.channel(&tenant).is_some() => {
            // `replay` and `compress` ride beside the subscribe's fields.
            let (replay, compress) = match serde_json::from_str::<Beside>(raw.as_str()) {
                Ok(Beside { compress: Some(c), .. }) if c != COMPRESS_DEFLATE_RAW => {
                    out.send(error_msg("bad_message", "compress: \"deflate-raw\" or nothing"))
                        .await?;
                    return Ok(Request::Nothing);
                }
                Ok(beside) => (beside.replay, beside.compress.is_some()),
                Err(e) => {
                    out.send(error_msg("bad_message", format!("replay: {e}"))).await?;
                    return Ok(Request::Nothing);
                }
            };
            let Some(credentials) = token.map(Credentials::Display).or_else(|| deps.cookie.clone()) else {
                out.send(error_msg("unauthorized", "sign in, or pair this screen, first"))
                    .await?;
                return Ok(Request::Nothing);
            };
            match deps.backend.admit(&credentials).await {
                Ok(Some(principal)) if principal.may(Action::Subscribe, &tenant) => {
                    // A screen an admin put in replay starts there, unless its own request
                    // carries one (it continues a replay after a reconnect).
                    let directive = deps.backend.directive(&credentials).await.unwrap_or(None);
                    Ok(Request::Subscribe(Box::new(Subscription {
                        tenant,
                        since,
                        filters,
                        credentials,
                        replay: replay.or(directive),
                        directive,
                        compress,
                    })))
                }
                Ok(Some(_)) => {
                    out.send(error_msg("forbidden", format!("not allowed to watch {tenant:?}")))
                        .await?;
                    Ok(Request::Nothing)
                }
                Ok(None) => {
                    let code = match credentials {
                        Credentials::Display(_) => "revoked",
                        Credentials::Session(_) => "unauthorized",
                    };
                    out.send(error_msg(code, "these credentials are not valid")).await?;
                    Ok(Request::Nothing)
                }
                Err(()) => {
                    out.send(error_msg("store_unavailable", "cannot check credentials now; retry"))
                        .await?;
                    Ok(Request::Nothing)
                }
            }
        }
        Ok(ClientMsg::Subscribe { tenant, .. }) => {
            out.send(error_msg("unknown_tenant", format!("unknown tenant {tenant:?}")))
                .await?;
            Ok(Request::Nothing)
        }
        Err(e) => {
            out.send(error_msg("bad_message", e.to_string())).await?;
            Ok(Request::Nothing)
        }
    }
}
