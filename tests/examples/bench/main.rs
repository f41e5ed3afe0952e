//! The benchmarks: Pantau against its baselines in the same run, on this machine, each step
//! with its own loopback Redis and server (killed when the step ends) and bounded in time.
//!
//! `cargo run --release -p pantau-e2e --example bench -- <step|all> [--json path]`
//! (`scripts/bench` builds the release server, raises the open-file limit and runs `all`).
//! Prints a table and writes JSON (default `target/bench/results.json`).
//!
//! # Layout
//! - [`report`]: rows, the table and the JSON.
//! - [`baseline`]: redis-benchmark, the raw XADD→XREAD round trip, the broadcast server.
//! - [`clients`]: many WebSocket clients, counting and timing the events they get.
//! - [`histogram`]: latency quantiles.
//! - [`sys`]: CPU time, RSS and socket memory from `/proc`.
//! - one module per step: [`ingest`] (1, 2), [`latency`] (3), [`fanout`] (4), [`idle`] (5),
//!   [`cold_start`] (6), [`frontend`] (7), [`console`] (8), [`soak`] (9: minutes long, so
//!   only when named, never in `all`), [`time_machine`] (10), [`storm`] (11: reconnect storm),
//!   [`memory`] (12: projection bytes per ticket at 1M tickets), [`kpi`] (13: the executive
//!   page traced like the wall).
//!
//! A step is `async fn run() -> anyhow::Result<Vec<Row>>`; adding one is one entry in [`STEPS`].

mod baseline;
mod clients;
mod cold_start;
mod console;
mod fanout;
mod frontend;
mod histogram;
mod idle;
mod ingest;
mod kpi;
mod latency;
mod memory;
mod report;
mod soak;
mod storm;
mod sys;
mod time_machine;

use futures_util::FutureExt;
use report::Row;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

/// A step: starts what it needs, measures, stops it all, and returns its rows.
type Step = fn() -> Pin<Box<dyn Future<Output = anyhow::Result<Vec<Row>>>>>;

/// Every step in run order, by the name that selects it.
const STEPS: &[(&str, Step)] = &[
    ("ingest", || Box::pin(ingest::run())),
    ("latency", || Box::pin(latency::run())),
    ("fanout", || Box::pin(fanout::run())),
    ("idle", || Box::pin(idle::run())),
    ("cold_start", || Box::pin(cold_start::run())),
    ("frontend", || Box::pin(frontend::run())),
    ("console", || Box::pin(console::run())),
    ("kpi", || Box::pin(kpi::run())),
    ("soak", || Box::pin(soak::run())),
    ("time_machine", || Box::pin(time_machine::run())),
    ("storm", || Box::pin(storm::run())),
    ("memory", || Box::pin(memory::run())),
];

/// The most any one step may take before it is abandoned (and its processes killed).
const STEP_LIMIT: Duration = Duration::from_secs(300);

fn usage() -> anyhow::Error {
    let names: Vec<&str> = STEPS.iter().map(|(n, _)| *n).collect();
    anyhow::anyhow!("usage: bench <all|{}> [--json path]", names.join("|"))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(baseline::BROADCAST_SERVER_ARG) {
        let port = args.get(1).and_then(|p| p.parse().ok()).ok_or_else(usage)?;
        return baseline::serve_broadcast(port);
    }
    let which = args.first().ok_or_else(usage)?.clone();
    let json = match args.iter().position(|a| a == "--json") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or_else(usage)?),
        None => pantau_e2e::workspace_root().join("target/bench/results.json"),
    };
    let chosen: Vec<&(&str, Step)> = STEPS
        .iter()
        .filter(|(n, _)| (which == "all" && *n != "soak") || *n == which)
        .collect();
    if chosen.is_empty() {
        return Err(usage());
    }
    if std::env::var_os("PANTAU_BIN").is_none() {
        // Before any thread exists; the harness reads it when it starts the server.
        std::env::set_var("PANTAU_BIN", pantau_e2e::workspace_root().join("target/release/pantau"));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for (name, step) in chosen {
        println!("==> {name}");
        // A step that panics is reported like one that fails; the others' rows are kept.
        let run = async {
            let limit = if *name == "soak" { soak::limit() } else { STEP_LIMIT };
            std::panic::AssertUnwindSafe(tokio::time::timeout(limit, step()))
                .catch_unwind()
                .await
        };
        match runtime.block_on(run) {
            Ok(Ok(Ok(r))) => rows.extend(r),
            Ok(Ok(Err(e))) => failed.push(format!("{name}: {e:#}")),
            Ok(Err(_)) => failed.push(format!("{name}: took longer than its time limit")),
            Err(_) => failed.push(format!("{name}: panicked (see above)")),
        }
    }
    println!("\n{}", report::table(&rows));
    report::write_json(&json, &rows)?;
    println!("results written to {}", json.display());
    anyhow::ensure!(failed.is_empty(), "steps failed:\n{}", failed.join("\n"));
    Ok(())
}
