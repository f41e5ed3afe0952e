//! The soak's eyes on the server: its RSS (`VmRSS` of `/proc/<pid>/status`) every
//! [`SAMPLE_EVERY`], and at the end of every window (plus [`GRACE`], so the clients have
//! merged the window's latencies) one `soak:` line with the RSS, the window's POST → frame
//! latency, the poster's and the clients' totals, CPU use, and what `/metrics` says
//! (sessions open, projection lag, fan-out backlog, frames sent, resyncs, slow-client
//! drops); at the end, the summary lines.

use super::client::Live;
use super::load::Totals;
use super::{Outcome, Params};
use crate::sys::{cpu_seconds, rss_bytes};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the RSS is sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(2);
/// How long after a window ends its line is printed.
const GRACE: Duration = Duration::from_secs(2);

const MB: f64 = 1024.0 * 1024.0;

/// RSS after the warm-up, bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct RssSummary {
    /// The first sample at or after the warm-up.
    pub warm: u64,
    pub min: u64,
    pub max: u64,
    pub last: u64,
    /// Samples judged.
    pub samples: usize,
}

impl RssSummary {
    /// The largest RSS after the warm-up relative to the RSS at its end.
    pub fn growth(&self) -> f64 {
        self.max as f64 / self.warm.max(1) as f64
    }
}

/// Counters at the previous line, for per-window rates.
#[derive(Clone, Copy, Default)]
struct Previous {
    at: f64,
    frames: u64,
    deliveries: u64,
    server_cpu: f64,
    bench_cpu: f64,
}

#[derive(Clone)]
pub struct Watcher {
    http: reqwest::Client,
    metrics_url: String,
    pid: u32,
    params: Params,
    start: Instant,
    live: Arc<Live>,
    totals: Totals,
    /// (seconds since start, RSS bytes).
    rss: Arc<Mutex<Vec<(f64, u64)>>>,
    previous: Previous,
}

impl Watcher {
    pub fn new(
        pantau: &pantau_e2e::Pantau,
        params: Params,
        start: Instant,
        live: Arc<Live>,
        totals: Totals,
    ) -> Watcher {
        let pid = pantau.pid();
        Watcher {
            http: pantau.http.clone(),
            metrics_url: pantau.url("/metrics"),
            pid,
            params,
            start,
            live,
            totals,
            rss: Arc::new(Mutex::new(vec![(0.0, rss_bytes(pid))])),
            previous: Previous {
                server_cpu: cpu_seconds(pid),
                bench_cpu: cpu_seconds(std::process::id()),
                ..Previous::default()
            },
        }
    }

    /// Sample and print window lines until `stop`; then the last, partial window.
    pub async fn report_windows(&mut self, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(SAMPLE_EVERY);
        let mut next = 0usize;
        let window = self.params.window;
        loop {
            tokio::select! {
                _ = stop.wait_for(|s| *s) => break,
                _ = tick.tick() => {}
            }
            self.sample();
            while self.start.elapsed() >= window * (next as u32 + 1) + GRACE {
                self.line(next).await;
                next += 1;
            }
        }
        self.sample();
        let current = (self.start.elapsed().as_secs_f64() / window.as_secs_f64()) as usize;
        while next <= current {
            self.line(next).await;
            next += 1;
        }
    }

    fn sample(&self) {
        let at = self.start.elapsed().as_secs_f64();
        self.rss.lock().unwrap().push((at, rss_bytes(self.pid)));
    }

    /// The line of window `w`.
    async fn line(&mut self, w: usize) {
        let at = self.start.elapsed().as_secs_f64();
        let rss = self.rss.lock().unwrap().last().map_or(0, |s| s.1);
        let h = self.live.window_latency(w);
        let q = |p: f64| h.quantile_ms(p);
        let (frames, deliveries) = (self.live.frames(), self.live.deliveries());
        let (server_cpu, bench_cpu) = (cpu_seconds(self.pid), cpu_seconds(std::process::id()));
        let p = self.previous;
        let span = (at - p.at).max(0.001);
        let m = self.scrape().await;
        let w0 = self.params.window.as_secs() * w as u64;
        println!(
            "soak: window {w} ({w0}–{} s): rss {:.1} MB, latency p50 {:.1} p99 {:.1} ms ({} deliveries), \
             sent {} acked {} retries {}, POST→2xx p50 {:.1} p99 {:.1} ms (so far), frames {} ({:.0}/s), deliveries {} ({:.0}/s), resyncs {}, gaps {}, ended {}, \
             cpu server {:.0}% bench {:.0}%, metrics: sessions {} lag {} s backlog {} frames_sent {} \
             resyncs {} slow_drops {}",
            w0 + self.params.window.as_secs(),
            rss as f64 / MB,
            q(0.5),
            q(0.99),
            h.count(),
            self.totals.sent_total(),
            self.totals.acked_total(),
            self.totals.retries(),
            self.totals.ack_ms().0,
            self.totals.ack_ms().1,
            frames,
            (frames - p.frames) as f64 / span,
            deliveries,
            (deliveries - p.deliveries) as f64 / span,
            self.live.resyncs(),
            self.live.gaps(),
            self.live.ended(),
            100.0 * (server_cpu - p.server_cpu) / span,
            100.0 * (bench_cpu - p.bench_cpu) / span,
            m.get("pantau_ws_sessions_open"),
            m.get("pantau_projection_lag_seconds"),
            m.get("pantau_ws_backlog_frames"),
            m.get("pantau_ws_frames_sent_total"),
            m.get("pantau_ws_resyncs_total"),
            m.get("pantau_ws_slow_client_drops_total"),
        );
        self.previous = Previous {
            at,
            frames,
            deliveries,
            server_cpu,
            bench_cpu,
        };
    }

    async fn scrape(&self) -> Scraped {
        let text = match self.http.get(&self.metrics_url).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        Scraped(text)
    }

    /// The RSS after the warm-up.
    pub fn rss_summary(&self) -> RssSummary {
        let samples = self.rss.lock().unwrap();
        let warm_up = self.params.warm_up.as_secs_f64();
        let after: Vec<u64> = samples.iter().filter(|s| s.0 >= warm_up).map(|s| s.1).collect();
        RssSummary {
            warm: after.first().copied().unwrap_or(0),
            min: after.iter().copied().min().unwrap_or(0),
            max: after.iter().copied().max().unwrap_or(0),
            last: after.last().copied().unwrap_or(0),
            samples: after.len(),
        }
    }

    /// The summary lines.
    pub async fn print_summary(&self, o: &Outcome) {
        let (t, v, r) = (&o.load, &o.verdict, &o.rss);
        println!(
            "soak: clients {} asked, {} held; events sent {}, acknowledged {}, stored {} (stored twice {}), failed {} in {} requests (after {} retries of no answer or 503), skipped (all {} slots busy) {}; ingest {:.0} events/s",
            o.params.clients,
            o.held,
            t.sent_total(),
            t.acked_total(),
            v.stored,
            v.stored_duplicates,
            t.failed_events(),
            t.failed_requests(),
            t.retries(),
            super::load::IN_FLIGHT,
            t.skipped(),
            t.acked_total() as f64 / o.wall_s.max(0.001)
        );
        println!(
            "soak: deliveries {} of {} expected; clients exact {}, bad {}, resynced {} ({} resyncs), gaps {}, ended early {}",
            v.delivered, v.expected, v.exact_clients, v.bad_clients, v.resynced_clients, v.resyncs, v.gaps, v.ended_early
        );
        for e in &v.examples {
            println!("soak:   {e}");
        }
        println!(
            "soak: rss with the clients subscribed, before the first POST {:.1} MB; after warm-up ({} s): at warm-up {:.1} MB, min {:.1}, max {:.1}, last {:.1} ({} samples); max / warm-up {:.3}",
            self.rss.lock().unwrap().first().map_or(0, |s| s.1) as f64 / MB,
            o.params.warm_up.as_secs(),
            r.warm as f64 / MB,
            r.min as f64 / MB,
            r.max as f64 / MB,
            r.last as f64 / MB,
            r.samples,
            r.growth()
        );
        println!(
            "soak: latency POST → frame, whole run: p50 {:.1} p99 {:.1} p99.9 {:.1} ms (POST → 2xx p50 {:.1} p99 {:.1} ms); server CPU {:.1} s in {:.1} s ({:.0}% of one core)",
            o.latency_ms.0,
            o.latency_ms.1,
            o.latency_ms.2,
            t.ack_ms().0,
            t.ack_ms().1,
            o.server_cpu_s,
            o.wall_s,
            100.0 * o.server_cpu_s / o.wall_s.max(0.001)
        );
        let m = self.scrape().await;
        println!(
            "soak: metrics at the end: sessions {} lag {} s backlog {} frames_sent {} bytes_sent {} resyncs {} slow_drops {}",
            m.get("pantau_ws_sessions_open"),
            m.get("pantau_projection_lag_seconds"),
            m.get("pantau_ws_backlog_frames"),
            m.get("pantau_ws_frames_sent_total"),
            m.get("pantau_ws_sent_bytes_total"),
            m.get("pantau_ws_resyncs_total"),
            m.get("pantau_ws_slow_client_drops_total"),
        );
    }
}

/// A `/metrics` page.
struct Scraped(String);

impl Scraped {
    /// The metric `name` (summed over its labels; the largest for a per-tenant gauge), or
    /// `-` when absent.
    fn get(&self, name: &str) -> String {
        let values: Vec<f64> = self
            .0
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| l.split(['{', ' ']).next() == Some(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
            .collect();
        if values.is_empty() {
            return "-".to_owned();
        }
        let value = if name.ends_with("_total") || name == "pantau_ws_sessions_open" {
            values.iter().sum()
        } else {
            values.iter().copied().fold(f64::MIN, f64::max)
        };
        format!("{value}")
    }
}
