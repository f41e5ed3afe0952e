//! The soak, quick version (issue 15, item 6): 100 subscribed WebSocket clients while 200
//! `resource.updated` events/s are posted for 20 s on a real Redis and the real server.
//! Every acknowledged event is stored exactly once, and every client receives every stored
//! event exactly once, in the stream's order, with no gap between frames and no resync; the
//! server's RSS after a warm-up stays within a generous factor (the long run holds it to
//! 10%). Prints `soak:` lines per 5-s window (RSS, latency, counts, `/metrics`).
//!
//! It is the bench's soak (`tests/examples/bench/soak/`, included here) with small
//! parameters. `PANTAU_SOAK=1` runs the long one — 1,000 clients, 2,000 events/s for
//! `PANTAU_SOAK_SECS` (600) s — with the same checks and RSS within 10%:
//! `ulimit -n 4096; PANTAU_SOAK=1 PANTAU_BIN=target/release/pantau cargo test --release -p pantau-e2e --test soak -- --nocapture`.

// Shared with the bench, which uses all of them.
#[allow(dead_code)]
#[path = "examples/bench/histogram.rs"]
mod histogram;
#[allow(dead_code)]
#[path = "examples/bench/soak/engine.rs"]
mod soak;
#[allow(dead_code)]
#[path = "examples/bench/sys.rs"]
mod sys;

use soak::Params;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_gets_every_event_once_in_order_and_rss_stays_bounded() {
    let long = std::env::var("PANTAU_SOAK").as_deref() == Ok("1");
    let params = if long {
        let secs = std::env::var("PANTAU_SOAK_SECS").ok().and_then(|s| s.parse().ok());
        Params::long(secs.unwrap_or(600))
    } else {
        Params::quick()
    };
    let o = soak::soak(params.clone()).await.expect("the soak runs");
    let (t, v) = (&o.load, &o.verdict);

    assert_eq!(o.held, params.clients, "every client subscribed");
    assert!(t.sent_total() > 0, "events were posted");
    assert_eq!(t.failed_requests(), 0, "every POST answered 2xx");
    assert_eq!(t.acked_total(), t.sent_total(), "every event sent was acknowledged");
    assert_eq!(v.stored, t.acked_total(), "every acknowledged event is stored");
    assert_eq!(v.stored_duplicates, 0, "none is stored twice");
    assert_eq!(v.resyncs, 0, "no client fell behind: {:?}", v.examples);
    assert_eq!(v.gaps, 0, "no frame skipped entries");
    assert_eq!(v.ended_early, 0, "no socket was closed under the clients");
    assert_eq!(
        v.exact_clients, o.held,
        "every client got every stored event exactly once, in order: {:?}",
        v.examples
    );
    assert_eq!(v.delivered, v.expected);
    // RSS: the 10% in the long run; the quick one (20 s of a debug build, the
    // allocator still settling) only catches a runaway.
    let bound = if long { 1.10 } else { 2.0 };
    assert!(o.rss.samples > 0, "RSS was sampled after the warm-up");
    assert!(
        o.rss.growth() <= bound,
        "RSS grew from {} to {} bytes after the warm-up (bound ×{bound})",
        o.rss.warm,
        o.rss.max
    );
}
