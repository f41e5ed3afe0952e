//! Step 9, the soak (issue 15, item 6): 1,000 subscribed clients and 2,000 events/s for 10
//! minutes by default — `bench soak [--secs N] [--clients N] [--rate N] [--per-request N]
//! [--tenants N] [--window S] [--kind gauge|report]` (`PANTAU_SOAK_SECS` sets the duration
//! when `--secs` is absent). Not part of `all`. The soak itself is [`engine`], shared with
//! the quick e2e test `tests/soak.rs`.

#[path = "soak/engine.rs"]
pub mod engine;

use crate::report::{Row, Target};
use engine::Params;
use std::time::Duration;

/// The bench step: `bench soak [--secs N] [--clients N] [--rate N] ...` (defaults: the
/// issue's 1,000 clients and 2,000 events/s for 10 minutes).
pub async fn run() -> anyhow::Result<Vec<Row>> {
    let o = engine::soak(params_from_command_line()?).await?;
    let v = &o.verdict;
    let rate = o.params.rate;
    let clients = o.params.clients;
    Ok(vec![
        Row::alone(
            "soak",
            &format!("p99 ms POST → frame, {clients} clients, {rate:.0} events/s, whole run"),
            o.latency_ms.1,
            Target::None,
        ),
        Row::alone(
            "soak",
            "server RSS growth after warm-up (max / at warm-up)",
            o.rss.growth(),
            Target::AtMost(1.10),
        ),
        Row::alone(
            "soak",
            "clients that missed, repeated or reordered an event (no resync)",
            v.bad_clients as f64,
            Target::AtMost(0.0),
        ),
        Row::alone("soak", "resyncs", v.resyncs as f64, Target::None),
        Row::alone(
            "soak",
            "events acknowledged / sent",
            o.load.acked_total() as f64 / o.load.sent_total().max(1) as f64,
            Target::AtLeast(1.0),
        ),
        Row::alone(
            "soak",
            "deliveries received / expected",
            v.delivered as f64 / v.expected.max(1) as f64,
            Target::AtLeast(1.0),
        ),
    ])
}

/// The parameters of `bench soak …` (the bench's own arguments; `PANTAU_SOAK_SECS` sets the
/// duration when `--secs` is absent).
fn params_from_command_line() -> anyhow::Result<Params> {
    let secs = std::env::var("PANTAU_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let args: Vec<String> = std::env::args().collect();
    Params::long(secs).with_args(&args)
}

/// The longest the bench step may take with the command line's parameters.
pub fn limit() -> Duration {
    params_from_command_line().map_or(Duration::from_secs(900), |p| p.limit())
}
