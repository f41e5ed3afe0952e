//! The WebSocket to `/ws`: subscribe to the tenant, feed every server message into
//! [`WallState`], and keep the connection honest:
//! - on loss, reconnect with jittered exponential backoff and resume with `since` = the last
//!   cursor applied (the server replays what was missed, or resyncs with a snapshot);
//! - a `deltas` frame that does not continue our cursor makes us subscribe again from it;
//! - `ping` every [`PING_MS`] (the `pong` refreshes the clock offset), and a server silent for
//!   [`SILENCE_MS`] is treated as dead (the server sends heartbeats when idle);
//! - credentials: a signed-in browser's cookie authenticates the upgrade; a paired screen
//!   sends its display token in `subscribe`. An `error` whose code is in [`DENIALS`] ends the
//!   connection for good (no retry) and is handed to the page's `on_denied`.
//!
//! - snapshots come deflated (binary frames, inflated by the browser's
//!   `DecompressionStream`); messages behind one wait until it is inflated, so order holds;
//! - replay (the time machine): [`start_replay`], [`steer`] and [`go_live`] drive the page's
//!   connection; a replay survives a reconnect (it resumes from the replayed instant).
//!
//! Each connection's callbacks are leaked on purpose (`Closure::forget`): they live as long
//! as their socket, and reconnects are rare and bounded by the backoff.

use crate::state::{ConnStatus, Next, WallState};
use crate::time;
use leptos::prelude::*;
use pantau_shared::protocol::{ClientMsg, Filters, ReplayStart, ServerMsg, COMPRESS_DEFLATE_RAW};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// First retry delay, ms.
const BACKOFF_BASE_MS: f64 = 500.0;
/// Longest retry delay before jitter, ms: a wall must come back within seconds of its
/// server (at most 4.5 s between attempts, so live within 5 s of the server being back).
const BACKOFF_MAX_MS: f64 = 3_000.0;
/// How often the wall pings, ms.
const PING_MS: u64 = 15_000;
/// A server silent this long (no data, heartbeat or pong) is considered gone, ms.
const SILENCE_MS: f64 = 35_000.0;

/// Socket error codes that retrying cannot fix: no or expired credentials, another
/// tenant's data, a revoked screen.
pub const DENIALS: [&str; 3] = ["unauthorized", "forbidden", "revoked"];

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

/// The connection's shared parts.
struct Conn {
    tenant: String,
    /// A paired screen's display token (`None`: the session cookie authenticates).
    token: Option<String>,
    /// Called once when the server refuses us (a code from [`DENIALS`]).
    on_denied: Box<dyn Fn(&str)>,
    /// Set once refused: no more retries or pings.
    stopped: Cell<bool>,
    state: WallState,
    socket: RefCell<Option<WebSocket>>,
    /// When the server last said anything (local clock, ms).
    last_heard: Cell<f64>,
    /// A replay asked for and not yet confirmed by the server's `replay` message.
    requested: Cell<Option<ReplayStart>>,
    /// Messages waiting for a deflated snapshot ahead of them to be inflated.
    inbox: RefCell<VecDeque<Inbound>>,
    /// A deflated snapshot is being inflated (later messages queue in `inbox`).
    inflating: Cell<bool>,
}

impl Conn {
    /// Subscribe: live from our cursor, or — replaying — from the replayed instant (the one
    /// asked for until the server confirms it).
    fn subscribe(&self, socket: &WebSocket) {
        let replay = self
            .state
            .replay
            .get_untracked()
            .map(|r| ReplayStart {
                from: r.at,
                speed: r.speed,
            })
            .or(self.requested.get());
        let msg = ClientMsg::Subscribe {
            tenant: self.tenant.clone(),
            since: self.state.cursor(),
            filters: Filters::default(),
            token: self.token.clone(),
        };
        let _ = socket.send_with_str(&subscribe_text(&msg, replay));
    }

    fn send(&self, msg: &ClientMsg) {
        if let Some(socket) = self
            .socket
            .borrow()
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
        {
            let _ = socket.send_with_str(&serde_json::to_string(msg).expect("client messages always serialise"));
        }
    }

    fn resubscribe(&self) {
        if let Some(socket) = self
            .socket
            .borrow()
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
        {
            self.subscribe(socket);
        }
    }
}

/// A `subscribe` message with `replay` and `compress` beside the other fields: snapshots
/// come deflated (see `COMPRESS_DEFLATE_RAW`), a tenth of their size.
pub fn subscribe_text(msg: &ClientMsg, replay: Option<ReplayStart>) -> String {
    /// The message's own fields, then ours (typed: no `serde_json::Value` in the bundle).
    #[derive(serde::Serialize)]
    struct Subscribe<'a> {
        #[serde(flatten)]
        msg: &'a ClientMsg,
        compress: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        replay: Option<ReplayStart>,
    }
    serde_json::to_string(&Subscribe {
        msg,
        compress: COMPRESS_DEFLATE_RAW,
        replay,
    })
    .expect("client messages always serialise")
}

#[wasm_bindgen(inline_js = "export function inflate_raw(buffer) {
  const stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}")]
extern "C" {
    /// The browser's own inflate (no decompressor in the bundle): a promise of the text.
    fn inflate_raw(buffer: &js_sys::ArrayBuffer) -> js_sys::Promise;
}

/// A message as it arrived: text, or a deflated snapshot still to inflate.
enum Inbound {
    Text(String),
    Deflated(js_sys::ArrayBuffer),
}

/// Take `inbound` in arrival order: applied at once unless a deflated snapshot is still
/// inflating, in which case it waits its turn (a delta must never overtake its snapshot).
fn receive(conn: &Rc<Conn>, socket: &WebSocket, inbound: Inbound) {
    if !conn.inflating.get() {
        if let Inbound::Text(text) = inbound {
            handle(conn, socket, &text);
            return;
        }
    }
    conn.inbox.borrow_mut().push_back(inbound);
    if conn.inflating.replace(true) {
        return;
    }
    let (conn, socket) = (conn.clone(), socket.clone());
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let next = conn.inbox.borrow_mut().pop_front();
            match next {
                None => break,
                Some(Inbound::Text(text)) => handle(&conn, &socket, &text),
                Some(Inbound::Deflated(buffer)) => {
                    match wasm_bindgen_futures::JsFuture::from(inflate_raw(&buffer)).await {
                        Ok(text) => handle(&conn, &socket, &text.as_string().unwrap_or_default()),
                        Err(err) => leptos::logging::warn!("cannot inflate a snapshot: {err:?}"),
                    }
                }
            }
        }
        conn.inflating.set(false);
    });
}

/// Apply one server message.
fn handle(conn: &Rc<Conn>, socket: &WebSocket, text: &str) {
    match pantau_shared::decode::server_msg(text) {
        Ok(ServerMsg::Error { code, .. }) if DENIALS.contains(&code.as_str()) => {
            leptos::logging::warn!("server refused this wall: {code}");
            conn.stopped.set(true);
            let _ = socket.close();
            (conn.on_denied)(&code);
        }
        Ok(msg) => {
            if matches!(msg, ServerMsg::Replay { .. }) {
                conn.requested.set(None);
            }
            if conn.state.apply(msg, time::now_ms()) == Next::Resubscribe {
                leptos::logging::warn!("gap in deltas; resubscribing from our cursor");
                conn.subscribe(socket);
            }
        }
        Err(err) => leptos::logging::warn!("unreadable server message: {err}"),
    }
}

thread_local! {
    /// The page's connection (one per page), for the replay controls.
    static CURRENT: RefCell<Option<Rc<Conn>>> = const { RefCell::new(None) };
}

fn with_current(f: impl FnOnce(&Conn)) {
    CURRENT.with(|c| {
        if let Some(conn) = c.borrow().as_ref() {
            f(conn)
        }
    });
}

/// Play the past from `start` (the state at that instant, then forward at its speed).
pub fn start_replay(start: ReplayStart) {
    with_current(|conn| {
        conn.requested.set(Some(start));
        conn.state.replay.set(None);
        conn.resubscribe();
    });
}

/// Pause or play, jump to an instant, change the speed of the replay on screen.
pub fn steer(paused: Option<bool>, seek: Option<i64>, speed: Option<f64>) {
    with_current(|conn| conn.send(&ClientMsg::ReplayControl { paused, seek, speed }));
}

/// Leave the replay: live again from a fresh snapshot.
pub fn go_live() {
    with_current(|conn| {
        conn.requested.set(None);
        conn.state.replay.set(None);
        conn.state.board.update_untracked(|b| b.cursor = None);
        conn.resubscribe();
    });
}

/// Start the connection for `tenant` (with a paired screen's `token`); it keeps itself alive
/// from here on, until the server refuses it.
/// With `replay`, the page starts replaying the past (`?replay=`).
pub fn connect(
    tenant: String,
    token: Option<String>,
    state: WallState,
    replay: Option<ReplayStart>,
    on_denied: impl Fn(&str) + 'static,
) {
    let conn = Rc::new(Conn {
        tenant,
        token,
        on_denied: Box::new(on_denied),
        stopped: Cell::new(false),
        state,
        socket: RefCell::new(None),
        last_heard: Cell::new(time::now_ms()),
        requested: Cell::new(replay),
        inbox: RefCell::new(VecDeque::new()),
        inflating: Cell::new(false),
    });
    CURRENT.with(|c| *c.borrow_mut() = Some(conn.clone()));
    let watchdog = conn.clone();
    set_interval(
        move || {
            let Some(socket) = watchdog.socket.borrow().clone() else {
                return;
            };
            if socket.ready_state() != WebSocket::OPEN || watchdog.stopped.get() {
                return;
            }
            if time::now_ms() - watchdog.last_heard.get() > SILENCE_MS {
                leptos::logging::warn!("server silent; reconnecting");
                let _ = socket.close();
            } else {
                let _ = socket.send_with_str(r#"{"type":"ping"}"#);
            }
        },
        Duration::from_millis(PING_MS),
    );
    open(conn, 0);
}

fn open(conn: Rc<Conn>, attempt: u32) {
    let Some(socket) = socket_url().and_then(|url| WebSocket::new(&url).ok()) else {
        retry(conn, attempt);
        return;
    };
    if attempt > 0 {
        conn.state.conn.set(ConnStatus::Reconnecting);
    }
    *conn.socket.borrow_mut() = Some(socket.clone());

    let on_open = {
        let (conn, socket) = (conn.clone(), socket.clone());
        Closure::<dyn FnMut()>::new(move || {
            conn.last_heard.set(time::now_ms());
            conn.subscribe(&socket);
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();

    socket.set_binary_type(web_sys::BinaryType::Arraybuffer);
    let on_message = {
        let (conn, socket) = (conn.clone(), socket.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            conn.last_heard.set(time::now_ms());
            let data = e.data();
            let inbound = match data.as_string() {
                Some(text) => Inbound::Text(text),
                None => match data.dyn_into::<js_sys::ArrayBuffer>() {
                    Ok(buffer) => Inbound::Deflated(buffer),
                    Err(_) => return,
                },
            };
            receive(&conn, &socket, inbound);
        })
    };
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        if conn.stopped.get() {
            return;
        }
        // A connection that got live resets the backoff; one that never did escalates it.
        let was_live = matches!(conn.state.conn.get_untracked(), ConnStatus::Live | ConnStatus::Degraded);
        let next = if was_live { 0 } else { attempt + 1 };
        conn.state.conn.set(ConnStatus::Reconnecting);
        retry(conn.clone(), next);
    });
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();
}

fn retry(conn: Rc<Conn>, attempt: u32) {
    let delay = backoff_ms(attempt, js_sys::Math::random());
    set_timeout(move || open(conn, attempt.max(1)), Duration::from_millis(delay as u64));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backoff doubles from 0.5 s, stays under the cap and jitters within ±50%.
    #[test]
    fn backoff_grows_caps_and_jitters() {
        assert_eq!(backoff_ms(0, 0.5), 500.0);
        assert_eq!(backoff_ms(1, 0.5), 1000.0);
        assert_eq!(backoff_ms(2, 0.5), 2000.0);
        assert_eq!(backoff_ms(3, 0.5), BACKOFF_MAX_MS);
        assert_eq!(backoff_ms(30, 0.5), BACKOFF_MAX_MS);
        assert_eq!(backoff_ms(0, 0.0), 250.0);
        assert!(backoff_ms(30, 0.999) < BACKOFF_MAX_MS * 1.5);
    }

    /// A replaying subscribe carries `replay` beside its fields; a live one has none.
    #[test]
    fn replay_rides_beside_the_subscribe() {
        let msg = ClientMsg::Subscribe {
            tenant: "tangerang".into(),
            since: None,
            filters: Filters::default(),
            token: None,
        };
        let text = subscribe_text(
            &msg,
            Some(ReplayStart {
                from: 1_000,
                speed: 60.0,
            }),
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["type"], "subscribe");
        assert_eq!(value["tenant"], "tangerang");
        assert_eq!(value["replay"]["from"], 1_000);
        assert_eq!(value["replay"]["speed"], 60.0);
        assert_eq!(value["compress"], "deflate-raw");
        let live: serde_json::Value = serde_json::from_str(&subscribe_text(&msg, None)).unwrap();
        assert!(live.get("replay").is_none());
        assert_eq!(live["compress"], "deflate-raw", "snapshots always come deflated");
    }
}
