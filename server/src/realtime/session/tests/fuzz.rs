//! Fuzz target `ws` (issue 15): a signed-in session fed hostile frames — arbitrary text,
//! valid `subscribe`/`ping` messages with fields replaced by any JSON or their bytes mangled,
//! binary and control frames. After every frame a `ping` must still get its `pong`: the
//! session never panics or hangs up on bad input, answers it with an `error` from the
//! protocol's codes, and everything it sends is a valid server message. Each case runs on
//! its own paused-time runtime, against the channel harness of `tests/mod.rs`.

use super::*;
use crate::fuzzing::{self, apply_byte_edits, apply_edits, byte_edits, field_edits};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Fields of the client messages, and of `filters`.
const FIELDS: &[&str] = &[
    "type",
    "v",
    "tenant",
    "since",
    "filters",
    "token",
    "agency",
    "category",
    "kecamatan",
    "bbox",
];
/// The `error` codes a session may answer a client with.
const ERROR_CODES: &[&str] = &[
    "bad_message",
    "unknown_tenant",
    "unauthorized",
    "forbidden",
    "revoked",
    "store_unavailable",
];
/// Cases in the quick version (each is a session of up to six frames).
const QUICK_CASES: u32 = 600;

/// A session whose upgrade carried a session cookie (the harness's gate admits any as an
/// operator of Tangerang), on a server holding three tickets.
fn signed_in(server: &Arc<Server>) -> Client {
    let cookie = format!("tangerang.{}", "a".repeat(64))
        .parse()
        .expect("a well-formed token");
    let (tx, stream_rx) = mpsc::unbounded_channel();
    let (sink_tx, rx) = mpsc::unbounded_channel();
    let (trigger, stop) = crate::shutdown::channel();
    let server = server.clone();
    let session = tokio::spawn(async move {
        let sink = Box::pin(futures_util::sink::unfold(sink_tx, |tx, msg: Message| async move {
            tx.send(msg).map_err(|_| ())?;
            Ok::<_, ()>(tx)
        }));
        let stream = Box::pin(futures_util::stream::unfold(stream_rx, |mut rx| async move {
            rx.recv().await.map(|m| (m, rx))
        }));
        let deps = Deps {
            tenants: &TENANTS,
            hub: &server.hub,
            live: &server.live,
            backend: &server.log,
            limits: server.limits,
            cookie: Some(Credentials::Session(cookie)),
        };
        run(&deps, sink, stream, stop).await;
    });
    Client {
        tx,
        rx,
        session,
        _stop: trigger,
    }
}

/// Send `frame`, then a ping; read up to the pong. Returns whether an `error` came before
/// it, or why the session misbehaved.
async fn exchange(client: &mut Client, frame: Message) -> Result<bool, String> {
    client.tx.send(Ok(frame)).map_err(|_| "session gone")?;
    client.send(serde_json::json!({ "type": "ping" }));
    let mut refused = false;
    loop {
        match client.frame().await {
            Message::Text(t) => match serde_json::from_str::<ServerMsg>(t.as_str()) {
                Ok(ServerMsg::Pong { .. }) => return Ok(refused),
                Ok(ServerMsg::Error { code, .. }) if ERROR_CODES.contains(&code.as_str()) => refused = true,
                Ok(ServerMsg::Error { code, .. }) => return Err(format!("unexpected error code {code:?}")),
                Ok(_) => {}
                Err(e) => return Err(format!("not a server message ({e}): {t}")),
            },
            Message::Ping(_) => {}
            other => return Err(format!("session ended or sent {other:?} instead of a pong")),
        }
    }
}

/// Run `frames` through one session; `Ok(refusals)` per frame.
fn session_with(frames: Vec<Message>) -> Result<Vec<bool>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = Server::new(16);
        server.append(1..=3, "dlh");
        let mut client = signed_in(&server);
        let mut refusals = Vec::new();
        for frame in frames {
            refusals.push(exchange(&mut client, frame).await?);
        }
        drop(client.tx);
        client.session.await.map_err(|e| format!("session panicked: {e}"))?;
        Ok(refusals)
    })
}

/// The committed corpus: `ok-*` answered without an `error`, `bad-*` with one; the session
/// lives through all of them, one after the other.
#[test]
fn corpus_ws() {
    let corpus = fuzzing::corpus("ws");
    let frames = corpus
        .iter()
        .map(|(_, bytes)| Message::Text(String::from_utf8_lossy(bytes).into_owned().into()))
        .collect();
    let refusals = session_with(frames).unwrap_or_else(|e| panic!("{e}"));
    for ((name, _), refused) in corpus.iter().zip(refusals) {
        assert_eq!(refused, name.starts_with("bad-"), "{name}");
    }
}

/// Sessions of hostile frames.
#[test]
fn fuzz_ws() {
    let seeds = fuzzing::ok_objects("ws");
    let mutated =
        (prop::sample::select(seeds), field_edits(FIELDS), byte_edits(FIELDS)).prop_map(|(seed, fields, bytes)| {
            let body = serde_json::to_vec(&apply_edits(seed, &fields)).expect("a map serialises");
            String::from_utf8_lossy(&apply_byte_edits(body, &bytes)).into_owned()
        });
    let frame = prop_oneof![
        4 => mutated.prop_map(|t| Message::Text(t.into())),
        2 => ".{0,200}".prop_map(|t| Message::Text(t.into())),
        1 => fuzzing::json_value().prop_map(|v| Message::Text(v.to_string().into())),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| Message::Binary(b.into())),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| Message::Ping(b.into())),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| Message::Pong(b.into())),
    ];
    fuzzing::run("ws", QUICK_CASES, prop::collection::vec(frame, 1..6), |frames| {
        // Accepted: no frame of the session was refused.
        session_with(frames)
            .map(|refusals| !refusals.contains(&true))
            .map_err(TestCaseError::fail)
    });
}
