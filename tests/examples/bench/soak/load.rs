//! The soak's poster: `per_request` events on a fixed tick (late ticks are caught up), tenants
//! in turn, each event numbered (its id carries the number, see [`event_id`]) and its send
//! time kept in [`SentTimes`] for the clients' latency; at most [`IN_FLIGHT`] requests at
//! once — a tick that finds them all busy is skipped and counted, so the rate reached is
//! what the server took, never an unbounded pile of requests in the bench. A request that
//! gets no answer or a 503 is sent again with the same ids (as a source system would; the
//! id is the idempotency key), up to [`ATTEMPTS`] times.

use super::Params;
use crate::histogram::Histogram;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Semaphore;

/// Requests in flight at most.
pub const IN_FLIGHT: usize = 64;
/// A request that takes longer than this counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts per request (no answer or 503: try again after [`RETRY_AFTER`]).
const ATTEMPTS: u32 = 10;
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// Every soak event's id starts with this; the last 12 hex digits are its number.
pub const ID_PREFIX: &str = "50a4c000-0000-7000-8000-";

/// The id of soak event `seq`.
pub fn event_id(seq: u64) -> String {
    format!("{ID_PREFIX}{seq:012x}")
}

/// The numbers of the soak events in `text` (a frame or a stored event), in order.
pub fn event_numbers(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.match_indices(ID_PREFIX).filter_map(|(at, _)| {
        let digits = text.get(at + ID_PREFIX.len()..at + ID_PREFIX.len() + 12)?;
        u64::from_str_radix(digits, 16).ok()
    })
}

/// Unix time in microseconds.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What is posted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `resource.updated` over 16 wards: the server's state stays the same size.
    Gauge,
    /// `report.received`: every event a new ticket.
    Report,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "gauge" => Some(Kind::Gauge),
            "report" => Some(Kind::Report),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Gauge => "resource.updated",
            Kind::Report => "report.received",
        }
    }

    /// Event number `seq` as one NDJSON line.
    fn line(self, seq: u64) -> String {
        let mut event = match self {
            Kind::Gauge => json!({
                "type": "resource.updated",
                "kind": "hospital_beds",
                "facility": "RSUD Soak",
                "unit": format!("Ruang {}", seq % 16),
                "capacity": 40,
                "used": seq % 41,
            }),
            Kind::Report => pantau_e2e::report(&format!("soak {seq}")),
        };
        event["id"] = event_id(seq).into();
        event.to_string()
    }
}

/// When each event number was sent (Unix µs; 0 while unsent), shared with the clients.
#[derive(Clone)]
pub struct SentTimes(Arc<[AtomicU64]>);

impl SentTimes {
    pub fn new(capacity: usize) -> SentTimes {
        SentTimes((0..capacity).map(|_| AtomicU64::new(0)).collect())
    }

    pub fn capacity(&self) -> u64 {
        self.0.len() as u64
    }

    fn set(&self, seq: u64, us: u64) {
        self.0[seq as usize].store(us, Ordering::Relaxed);
    }

    /// When `seq` was sent, if it was.
    pub fn get(&self, seq: u64) -> Option<u64> {
        let us = self.0.get(seq as usize)?.load(Ordering::Relaxed);
        (us > 0).then_some(us)
    }
}

/// Counts of the poster, per tenant where it matters.
#[derive(Clone)]
pub struct Totals(Arc<TotalsInner>);

pub struct TotalsInner {
    /// Events in requests sent.
    sent: AtomicU64,
    /// Events acknowledged (in a 2xx answer's `accepted`, not duplicates), per tenant.
    acked: Vec<AtomicU64>,
    /// Requests that failed (no answer, timeout, or not 2xx), and their events.
    failed_requests: AtomicU64,
    failed_events: AtomicU64,
    /// Events of ticks skipped because every request slot was busy.
    skipped: AtomicU64,
    /// Attempts sent again after no answer or a 503.
    retries: AtomicU64,
    /// From building a request to its 2xx (retries included), µs.
    ack: Mutex<Histogram>,
}

impl Totals {
    pub fn new(tenants: usize) -> Totals {
        Totals(Arc::new(TotalsInner {
            sent: AtomicU64::new(0),
            acked: (0..tenants).map(|_| AtomicU64::new(0)).collect(),
            failed_requests: AtomicU64::new(0),
            failed_events: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            ack: Mutex::new(Histogram::default()),
        }))
    }

    pub fn sent_total(&self) -> u64 {
        self.0.sent.load(Ordering::Relaxed)
    }

    pub fn acked(&self, tenant: usize) -> u64 {
        self.0.acked[tenant].load(Ordering::Relaxed)
    }

    pub fn acked_total(&self) -> u64 {
        (0..self.0.acked.len()).map(|t| self.acked(t)).sum()
    }

    pub fn failed_requests(&self) -> u64 {
        self.0.failed_requests.load(Ordering::Relaxed)
    }

    pub fn failed_events(&self) -> u64 {
        self.0.failed_events.load(Ordering::Relaxed)
    }

    pub fn skipped(&self) -> u64 {
        self.0.skipped.load(Ordering::Relaxed)
    }

    pub fn retries(&self) -> u64 {
        self.0.retries.load(Ordering::Relaxed)
    }

    /// POST → 2xx so far, ms: p50 and p99.
    pub fn ack_ms(&self) -> (f64, f64) {
        let h = self.0.ack.lock().unwrap();
        (h.quantile_ms(0.5), h.quantile_ms(0.99))
    }
}

/// Posts for `params.run`.
pub struct Poster {
    pub http: reqwest::Client,
    /// `…/api/v1/<tenant>/events` per tenant.
    pub urls: Vec<String>,
    /// The ingest key per tenant.
    pub keys: Vec<String>,
    pub params: Params,
    pub sent_at: SentTimes,
    pub totals: Totals,
}

impl Poster {
    /// Post until `params.run` has passed (or the event numbers run out); waits for the
    /// requests still in flight.
    pub async fn run(self) {
        let n = self.params.per_request;
        let tick_every = Duration::from_secs_f64(n as f64 / self.params.rate);
        let mut tick = tokio::time::interval(tick_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        let start = tokio::time::Instant::now();
        let (mut next_seq, mut ticks) = (0u64, 0usize);
        while start.elapsed() < self.params.run && next_seq + (n as u64) <= self.sent_at.capacity() {
            tick.tick().await;
            let tenant = ticks % self.urls.len();
            ticks += 1;
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                self.totals.0.skipped.fetch_add(n as u64, Ordering::Relaxed);
                continue;
            };
            let seqs = next_seq..next_seq + n as u64;
            next_seq = seqs.end;
            let body: String = seqs.clone().map(|s| self.params.kind.line(s) + "\n").collect();
            let now = now_us();
            for s in seqs {
                self.sent_at.set(s, now);
            }
            let request = self
                .http
                .post(&self.urls[tenant])
                .bearer_auth(&self.keys[tenant])
                .header("content-type", "application/x-ndjson")
                .timeout(REQUEST_TIMEOUT)
                .body(body);
            self.totals.0.sent.fetch_add(n as u64, Ordering::Relaxed);
            let totals = self.totals.clone();
            tokio::spawn(async move {
                let mut acked = None;
                for attempt in 0..ATTEMPTS {
                    let Some(r) = request.try_clone() else { break };
                    match accepted(r.send().await).await {
                        Answer::Accepted(a) => {
                            acked = Some(a);
                            break;
                        }
                        Answer::Refused => break,
                        Answer::Again if attempt + 1 < ATTEMPTS => {
                            totals.0.retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(RETRY_AFTER).await;
                        }
                        Answer::Again => {}
                    }
                }
                match acked {
                    Some(a) => {
                        totals.0.ack.lock().unwrap().record(now_us().saturating_sub(now));
                        totals.0.acked[tenant].fetch_add(a, Ordering::Relaxed)
                    }
                    None => {
                        totals.0.failed_events.fetch_add(n as u64, Ordering::Relaxed);
                        totals.0.failed_requests.fetch_add(1, Ordering::Relaxed)
                    }
                };
                drop(permit);
            });
        }
        // Every slot free again: nothing in flight.
        let _ = slots.acquire_many(IN_FLIGHT as u32).await;
    }
}

/// What became of one attempt.
enum Answer {
    /// 2xx: this many events accepted (a duplicate is one an earlier attempt stored).
    Accepted(u64),
    /// No answer, or 503: send it again.
    Again,
    /// Any other answer.
    Refused,
}

async fn accepted(response: reqwest::Result<reqwest::Response>) -> Answer {
    let Ok(response) = response else {
        return Answer::Again;
    };
    match response.status().as_u16() {
        503 => Answer::Again,
        s if (200..300).contains(&s) => {
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            Answer::Accepted(body["accepted"].as_array().map_or(0, |a| a.len() as u64))
        }
        _ => Answer::Refused,
    }
}
