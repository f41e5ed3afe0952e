//! The WebSocket to `/ws`: subscribe to the tenant, feed every server message into
//! [`WallState`], and on loss reconnect with jittered exponential backoff. A reconnect
//! always starts with a fresh `snapshot`, so nothing missed while away stays missing.
//!
//! Each connection's three callbacks are leaked on purpose (`Closure::forget`): they live as
//! long as their socket, and reconnects are rare and bounded by the backoff.

use crate::state::{ConnStatus, WallState};
use crate::time;
use leptos::prelude::*;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// First retry delay, ms.
const BACKOFF_BASE_MS: f64 = 500.0;
/// Longest retry delay, ms.
const BACKOFF_MAX_MS: f64 = 15_000.0;

/// Delay before retry number `attempt` (0-based): exponential, capped, with ±50% jitter
/// from `random` in [0, 1) so a room full of walls does not reconnect in lockstep.
pub fn backoff_ms(attempt: u32, random: f64) -> f64 {
    let base = (BACKOFF_BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_MAX_MS);
    base * (0.5 + random)
}

/// `ws://host/ws` or `wss://host/ws` for the page's own origin.
fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}

/// Start the connection for `tenant`; it keeps itself alive from here on.
pub fn connect(tenant: String, state: WallState) {
    open(Rc::new(tenant), state, 0);
}

fn open(tenant: Rc<String>, state: WallState, attempt: u32) {
    let Some(socket) = socket_url().and_then(|url| WebSocket::new(&url).ok()) else {
        retry(tenant, state, attempt);
        return;
    };
    if attempt > 0 {
        state.conn.set(ConnStatus::Reconnecting);
    }

    let subscribe = serde_json::to_string(&ClientMsg::Subscribe {
        tenant: (*tenant).clone(),
    })
    .expect("client messages always serialise");
    let on_open = {
        let socket = socket.clone();
        Closure::<dyn FnMut()>::new(move || {
            let _ = socket.send_with_str(&subscribe);
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();

    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else { return };
        match serde_json::from_str::<ServerMsg>(&text) {
            Ok(msg) => state.apply(msg, time::now_ms()),
            Err(err) => leptos::logging::warn!("unreadable server message: {err}"),
        }
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        // A connection that got live resets the backoff; one that never did escalates it.
        let next = if state.conn.get_untracked() == ConnStatus::Live {
            0
        } else {
            attempt + 1
        };
        state.conn.set(ConnStatus::Reconnecting);
        retry(tenant.clone(), state, next);
    });
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();
}

fn retry(tenant: Rc<String>, state: WallState, attempt: u32) {
    let delay = backoff_ms(attempt, js_sys::Math::random());
    set_timeout(
        move || open(tenant, state, attempt.max(1)),
        Duration::from_millis(delay as u64),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backoff doubles from 0.5 s, stays under the cap and jitters within ±50%.
    #[test]
    fn backoff_grows_caps_and_jitters() {
        assert_eq!(backoff_ms(0, 0.5), 500.0);
        assert_eq!(backoff_ms(1, 0.5), 1000.0);
        assert_eq!(backoff_ms(3, 0.5), 4000.0);
        assert_eq!(backoff_ms(30, 0.5), BACKOFF_MAX_MS);
        assert_eq!(backoff_ms(0, 0.0), 250.0);
        assert!(backoff_ms(30, 0.999) < BACKOFF_MAX_MS * 1.5);
    }
}
