//! The soak's subscribers: connect and subscribe many sockets (tenants in turn), then read
//! every frame until told to stop. Each client checks its own stream of frames — every
//! `deltas` must start where the previous frame (or the snapshot) ended (a `gap` otherwise),
//! and a `resync` is counted — and folds the soak events it receives, in arrival order, into
//! a count, a sum and an order-sensitive hash, compared with the stored stream at the end.
//! Latencies (now minus the event's send time) go into a histogram per window; totals that
//! the per-window lines need are shared atomics ([`Live`]).

use super::load::{event_numbers, now_us, SentTimes};
use crate::histogram::Histogram;
use futures_util::{SinkExt, StreamExt};
use pantau_e2e::Pantau;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A subscribed socket: its tenant (index) and the snapshot's cursor.
pub struct Subscribed {
    tenant: usize,
    ws: Ws,
    cursor: String,
}

/// Fold of a sequence of event numbers: equal folds mean (but for a 2^-64 accident) the
/// same numbers in the same order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fold {
    pub count: u64,
    pub sum: u64,
    pub hash: u64,
}

impl Fold {
    pub fn add(&mut self, seq: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(seq);
        self.hash = (self.hash ^ seq.wrapping_add(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// What one client saw, at the end.
pub struct End {
    pub tenant: usize,
    pub fold: Fold,
    pub resyncs: u64,
    /// `deltas` frames that did not continue from the previous one.
    pub gaps: u64,
    /// The socket ended before the soak did (closed by the server, or an error).
    pub ended_early: bool,
}

/// Totals shared by every client, read by the per-window lines while the soak runs.
pub struct Live {
    deliveries: AtomicU64,
    frames: AtomicU64,
    resyncs: AtomicU64,
    gaps: AtomicU64,
    ended: AtomicU64,
    /// Subscribed clients per tenant.
    clients: Mutex<Vec<u64>>,
    window: Duration,
    /// Latency per window (by arrival time), merged from the clients.
    latency: Mutex<Vec<Histogram>>,
}

impl Live {
    pub fn new(run: Duration, window: Duration) -> Live {
        let windows = (run.as_secs_f64() / window.as_secs_f64()).ceil() as usize + 4;
        Live {
            deliveries: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            resyncs: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            ended: AtomicU64::new(0),
            clients: Mutex::new(Vec::new()),
            window,
            latency: Mutex::new(vec![Histogram::default(); windows]),
        }
    }

    pub fn deliveries(&self) -> u64 {
        self.deliveries.load(Ordering::Relaxed)
    }
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }
    pub fn resyncs(&self) -> u64 {
        self.resyncs.load(Ordering::Relaxed)
    }
    pub fn gaps(&self) -> u64 {
        self.gaps.load(Ordering::Relaxed)
    }
    pub fn ended(&self) -> u64 {
        self.ended.load(Ordering::Relaxed)
    }

    pub fn clients_of(&self, tenant: usize) -> u64 {
        self.clients.lock().unwrap().get(tenant).copied().unwrap_or(0)
    }

    fn window_of(&self, start: Instant) -> usize {
        (start.elapsed().as_secs_f64() / self.window.as_secs_f64()) as usize
    }

    fn merge(&self, window: usize, h: &Histogram) {
        let mut all = self.latency.lock().unwrap();
        let last = all.len() - 1;
        all[window.min(last)].merge(h);
    }

    /// Window `w`'s latencies so far.
    pub fn window_latency(&self, w: usize) -> Histogram {
        self.latency.lock().unwrap().get(w).cloned().unwrap_or_default()
    }

    /// Every latency of the run.
    pub fn all_latency(&self) -> Histogram {
        let mut all = Histogram::default();
        for h in self.latency.lock().unwrap().iter() {
            all.merge(h);
        }
        all
    }
}

/// Connect and subscribe `n` clients, tenants in turn, `parallel` at a time, as the
/// server's superadmin; stops at the first failure (the open-file limit) and returns the
/// ones it holds.
pub async fn connect_all(pantau: &Pantau, tenants: &[String], n: usize, parallel: usize) -> Vec<Subscribed> {
    let cookie = pantau.admin.cookie();
    let url = pantau.ws_url.as_str();
    let mut pending = futures_util::stream::iter(0..n)
        .map(|i| {
            let tenant = i % tenants.len();
            let subscribe = serde_json::json!({"type": "subscribe", "tenant": tenants[tenant]}).to_string();
            let cookie = cookie.clone();
            async move {
                let mut request = url.into_client_request().map_err(|e| e.to_string())?;
                let value = HeaderValue::from_str(&cookie).map_err(|e| e.to_string())?;
                request.headers_mut().insert("cookie", value);
                let (mut ws, _) = tokio_tungstenite::connect_async(request)
                    .await
                    .map_err(|e| e.to_string())?;
                ws.send(Message::text(subscribe)).await.map_err(|e| e.to_string())?;
                let first = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
                let Ok(Some(Ok(Message::Text(text)))) = first else {
                    return Err("no snapshot".to_owned());
                };
                let cursor = field(&text, "cursor")
                    .filter(|_| text.starts_with(r#"{"type":"snapshot""#))
                    .ok_or_else(|| format!("first frame not a snapshot: {}", &text[..text.len().min(80)]))?;
                Ok::<_, String>(Subscribed {
                    tenant,
                    ws,
                    cursor: cursor.to_owned(),
                })
            }
        })
        .buffer_unordered(parallel);
    let mut held = Vec::with_capacity(n);
    while let Some(result) = pending.next().await {
        match result {
            Ok(s) => held.push(s),
            Err(e) => {
                eprintln!("soak: connection {} failed ({e}); holding what is open", held.len());
                break;
            }
        }
    }
    held
}

/// The string value of `"name":"…"` in the first 160 bytes of a frame.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let head = &text[..text.len().min(160)];
    let key = format!("\"{name}\":\"");
    let at = head.find(&key)? + key.len();
    let len = text[at..].find('"')?;
    Some(&text[at..at + len])
}

/// Read `s` until `stop` (or until the socket ends), checking and counting as it goes.
pub async fn read(
    s: Subscribed,
    sent_at: SentTimes,
    live: std::sync::Arc<Live>,
    start: Instant,
    mut stop: watch::Receiver<bool>,
) -> End {
    let Subscribed {
        tenant,
        mut ws,
        mut cursor,
    } = s;
    {
        let mut clients = live.clients.lock().unwrap();
        if clients.len() <= tenant {
            clients.resize(tenant + 1, 0);
        }
        clients[tenant] += 1;
    }
    let mut end = End {
        tenant,
        fold: Fold::default(),
        resyncs: 0,
        gaps: 0,
        ended_early: false,
    };
    let (mut window, mut latency) = (live.window_of(start), Histogram::default());
    loop {
        let frame = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            f = ws.next() => f,
        };
        let text = match frame {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(_)) => continue,
            _ => {
                end.ended_early = true;
                live.ended.fetch_add(1, Ordering::Relaxed);
                break;
            }
        };
        let arrived = now_us();
        live.frames.fetch_add(1, Ordering::Relaxed);
        let text = text.as_str();
        if text.starts_with(r#"{"type":"snapshot""#) {
            cursor = field(text, "cursor").unwrap_or_default().to_owned();
            continue;
        }
        if text.starts_with(r#"{"type":"resync""#) {
            end.resyncs += 1;
            live.resyncs.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if !text.starts_with(r#"{"type":"deltas""#) {
            continue;
        }
        if field(text, "from") != Some(cursor.as_str()) {
            end.gaps += 1;
            live.gaps.fetch_add(1, Ordering::Relaxed);
        }
        cursor = field(text, "to").unwrap_or_default().to_owned();
        let now_window = live.window_of(start);
        if now_window != window {
            live.merge(window, &latency);
            (window, latency) = (now_window, Histogram::default());
        }
        let mut delivered = 0;
        for seq in event_numbers(text) {
            end.fold.add(seq);
            delivered += 1;
            if let Some(sent) = sent_at.get(seq) {
                latency.record(arrived.saturating_sub(sent));
            }
        }
        live.deliveries.fetch_add(delivered, Ordering::Relaxed);
    }
    live.merge(window, &latency);
    let _ = ws.close(None).await;
    end
}
