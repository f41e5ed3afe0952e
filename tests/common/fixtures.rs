//! Report bodies as clients post them, built on the sample in `pantau_shared::fixtures` (the
//! same report the server's and the wall's unit tests use) and kept as JSON values, so a
//! test changes a field instead of re-parsing a string.

use chrono::{SecondsFormat, Utc};
use serde_json::Value;

/// A valid report body with the given description: a garbage report in Kecamatan Tangerang.
pub fn report(description: &str) -> Value {
    pantau_shared::fixtures::posted_report(description)
}

/// A valid report body in `category`.
pub fn report_in(category: &str, description: &str) -> Value {
    let mut event = report(description);
    event["category"] = category.into();
    event
}

/// A report body in `category` dated `ago` before now (UTC, whole seconds).
pub fn dated_report(description: &str, category: &str, ago: chrono::Duration) -> Value {
    let mut event = report_in(category, description);
    event["at"] = (Utc::now() - ago).to_rfc3339_opts(SecondsFormat::Secs, true).into();
    event
}

/// An NDJSON batch of `n` reports with fresh ids, and those ids in order.
pub fn report_batch(prefix: &str, n: usize) -> (String, Vec<String>) {
    let mut ids = Vec::with_capacity(n);
    let mut body = String::new();
    let seed = fresh_id_seed();
    for i in 0..n {
        let id = format!("0193a5c0-0000-7000-8000-{:012x}", seed + i as u64);
        let mut event = report(&format!("{prefix} {i}"));
        event["id"] = id.clone().into();
        body.push_str(&event.to_string());
        body.push('\n');
        ids.push(id);
    }
    (body, ids)
}

/// Start of a fresh block of ids, distinct across calls in one test process.
fn fresh_id_seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1 << 20);
    NEXT.fetch_add(1 << 20, Ordering::SeqCst)
}
