//! Many WebSocket clients at once: connecting them (with Pantau's `subscribe`, or bare for the
//! baseline) and reading every frame until told to stop, counting the bench events in each
//! frame and, for the latency step, how long each took from its POST.

use crate::baseline::now_us;
use crate::histogram::Histogram;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The marker the load generators put in each event's description, followed by the Unix
/// time in microseconds the event was sent.
pub const MARKER: &str = "bench t=";

/// The subscribe message of a wall of tenant `tangerang` (its upgrade carries the session).
pub const SUBSCRIBE: &str = r#"{"type":"subscribe","tenant":"tangerang"}"#;

/// Open `n` sockets to `url` (upgrades carrying `cookie`, a `Cookie` header value, if any),
/// `parallel` handshakes at a time; with `subscribe`, each sends it and waits for its first
/// answer (the snapshot). Stops at the first failure (the fd limit) and returns the sockets
/// it holds.
pub async fn connect_many(url: &str, cookie: Option<&str>, n: usize, parallel: usize, subscribe: bool) -> Vec<Ws> {
    connect_many_with(url, cookie, n, parallel, subscribe.then_some(SUBSCRIBE)).await
}

/// [`connect_many`] subscribing with `subscribe` (when given), e.g. asking for compressed
/// snapshots.
pub async fn connect_many_with(
    url: &str,
    cookie: Option<&str>,
    n: usize,
    parallel: usize,
    subscribe: Option<&str>,
) -> Vec<Ws> {
    let mut sockets = Vec::with_capacity(n);
    let mut pending = futures_util::stream::iter(0..n)
        .map(|_| async move {
            let mut request = url.into_client_request().map_err(|e| e.to_string())?;
            if let Some(cookie) = cookie {
                let value = HeaderValue::from_str(cookie).map_err(|e| e.to_string())?;
                request.headers_mut().insert("cookie", value);
            }
            let (mut ws, _) = tokio_tungstenite::connect_async(request)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(subscribe) = subscribe {
                ws.send(Message::text(subscribe)).await.map_err(|e| e.to_string())?;
                match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                    Ok(Some(Ok(_))) => {}
                    _ => return Err("no snapshot".to_owned()),
                }
            }
            Ok::<_, String>(ws)
        })
        .buffer_unordered(parallel);
    while let Some(result) = pending.next().await {
        match result {
            Ok(ws) => sockets.push(ws),
            Err(e) => {
                eprintln!("  connection {} failed ({e}); holding what is open", sockets.len());
                break;
            }
        }
    }
    sockets
}

/// What one client saw.
#[derive(Default)]
pub struct Seen {
    /// Bench events received (marker occurrences).
    pub events: u64,
    /// `resync` frames (the client fell behind and got a fresh snapshot).
    pub resyncs: u64,
    /// Per-event latency from send to arrival, when asked for.
    pub latency: Option<Histogram>,
    /// Bench events this client had already received (each carries a unique number).
    pub duplicates: u64,
}

impl Seen {
    pub fn merge(&mut self, other: Seen) {
        self.events += other.events;
        self.resyncs += other.resyncs;
        self.duplicates += other.duplicates;
        match (&mut self.latency, other.latency) {
            (Some(a), Some(b)) => a.merge(&b),
            (None, b) => self.latency = b,
            _ => {}
        }
    }
}

/// Read `ws` until `stop` turns true (or the socket ends), counting bench events.
pub async fn read_until(mut ws: Ws, mut stop: watch::Receiver<bool>, latency: bool) -> Seen {
    let mut seen = Seen {
        latency: latency.then(Histogram::default),
        ..Seen::default()
    };
    // One bit per bench event number.
    let mut received: Vec<u64> = Vec::new();
    loop {
        let frame = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            f = ws.next() => f,
        };
        let text = match frame {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(_)) => continue,
            _ => break,
        };
        let arrived = now_us();
        let head = &text.as_bytes()[..text.len().min(48)];
        if head.windows(8).any(|w| w == b"\"resync\"") {
            seen.resyncs += 1;
        }
        if !head.windows(8).any(|w| w == b"\"deltas\"") {
            // Resync, snapshot, heartbeat: no new deliveries (a snapshot holds old events).
            continue;
        }
        for (at, _) in text.as_str().match_indices(MARKER) {
            seen.events += 1;
            let digits = &text.as_str()[at + MARKER.len()..];
            let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
            if let Some(h) = &mut seen.latency {
                if let Ok(sent) = digits[..end].parse::<u64>() {
                    h.record(arrived.saturating_sub(sent));
                }
            }
            // `<send µs>#<number>`: a number seen before is a duplicate delivery.
            let number = digits[end..].strip_prefix('#').map(|rest| {
                let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
                rest[..end].parse::<usize>().unwrap_or(usize::MAX)
            });
            if let Some(n) = number.filter(|n| *n < usize::MAX / 2) {
                let (word, bit) = (n / 64, 1u64 << (n % 64));
                if received.len() <= word {
                    received.resize(word + 1, 0);
                }
                if received[word] & bit != 0 {
                    seen.duplicates += 1;
                }
                received[word] |= bit;
            }
        }
    }
    let _ = ws.close(None).await;
    seen
}

/// Start a reader per socket; the returned task yields everything they saw once `stop` is set.
pub fn spawn_readers(sockets: Vec<Ws>, stop: &watch::Receiver<bool>, latency: bool) -> tokio::task::JoinHandle<Seen> {
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|ws| tokio::spawn(read_until(ws, stop.clone(), latency)))
        .collect();
    tokio::spawn(async move {
        let mut all = Seen::default();
        for t in tasks {
            if let Ok(seen) = t.await {
                all.merge(seen);
            }
        }
        all
    })
}

/// Numbers bench events, so a client can tell a duplicate delivery from a new event.
static NUMBER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A report whose description carries the send time after [`MARKER`], then `#` and a
/// number unique in this run.
pub fn stamped_report() -> String {
    let n = NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    pantau_e2e::report(&format!("{MARKER}{}#{n}", now_us())).to_string()
}

/// A POST of `per_request` freshly stamped reports to `url` with the ingest key `key`: one
/// JSON event, or an NDJSON batch when more than one.
pub fn stamped_post(http: &reqwest::Client, url: &str, key: &str, per_request: usize) -> reqwest::RequestBuilder {
    let request = http.post(url).bearer_auth(key);
    if per_request == 1 {
        request
            .header("content-type", "application/json")
            .body(stamped_report())
    } else {
        let body: String = (0..per_request).map(|_| stamped_report() + "\n").collect();
        request.header("content-type", "application/x-ndjson").body(body)
    }
}

/// The harness's ingest key of tenant `tangerang` on `pantau` (made with `pantau key add`).
pub async fn tangerang_key(pantau: &pantau_e2e::Pantau) -> String {
    pantau.ingest_key("tangerang").await.expect("tangerang is configured")
}
