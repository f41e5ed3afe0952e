//! Configuration: the command line, with every option also readable from the environment.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where `pantau serve` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Largest request body accepted by the ingest API (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// How many of the newest events a `snapshot` carries.
pub const DEFAULT_SNAPSHOT_RECENT: usize = 50;
/// Stream entries between two projection snapshots.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 10_000;
/// Frames buffered per tenant for slow sessions before they are resynced.
pub const DEFAULT_FANOUT_CAPACITY: usize = 1024;

#[derive(Parser, Debug)]
#[command(name = "pantau", version, about = "Pantau command-center backend")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the ingest API, the WebSocket feed and the wall display.
    Serve(ServeConfig),
    /// Post plausible demo reports to a running server.
    Simulate(SimulateConfig),
}

/// Everything `pantau serve` needs to know.
#[derive(Args, Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PANTAU_ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Redis to use (`redis://host:port`); when unset, serve starts and owns a private
    /// redis-server with AOF under `<data-dir>/redis`.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// Directory for the private redis-server's data.
    #[arg(long, env = "PANTAU_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The redis-server executable used when `REDIS_URL` is unset.
    #[arg(long, env = "PANTAU_REDIS_SERVER", default_value = "redis-server")]
    pub redis_server_bin: String,
    /// Configuration directory (tenants in `<dir>/tenants/*.toml`).
    #[arg(long, env = "PANTAU_CONFIG_DIR", default_value = "config")]
    pub config_dir: PathBuf,
    /// The built frontend (`trunk build` output) served at `/`.
    #[arg(long, env = "PANTAU_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// Assets on disk (tenant boundaries used by the demo feed).
    #[arg(long, env = "PANTAU_ASSETS_DIR", default_value = "assets")]
    pub assets_dir: PathBuf,
    /// Largest accepted request body, bytes; larger bodies get 413.
    #[arg(long, env = "PANTAU_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Number of newest events sent in a snapshot.
    #[arg(long, env = "PANTAU_SNAPSHOT_RECENT", default_value_t = DEFAULT_SNAPSHOT_RECENT)]
    pub snapshot_recent: usize,
    /// Frames buffered per tenant; a session further behind is resynced.
    #[arg(long, env = "PANTAU_FANOUT_CAPACITY", default_value_t = DEFAULT_FANOUT_CAPACITY)]
    pub fanout_capacity: usize,
    /// Store a projection snapshot after this many new stream entries (and at least every
    /// minute while entries arrive).
    #[arg(long, env = "PANTAU_SNAPSHOT_EVERY", default_value_t = DEFAULT_SNAPSHOT_EVERY)]
    pub snapshot_every: u64,
    /// Demo feed: reports per second posted for every tenant (0 = off).
    #[arg(long, env = "PANTAU_DEMO_RATE", default_value_t = 0.0)]
    pub demo_rate: f64,
}

/// Everything `pantau simulate` needs to know.
#[derive(Args, Debug, Clone)]
pub struct SimulateConfig {
    /// Tenant to post reports for.
    #[arg(long, env = "PANTAU_TENANT", default_value = "tangerang")]
    pub tenant: String,
    /// Reports per second.
    #[arg(long, default_value_t = 1.0)]
    pub rate: f64,
    /// Base URL of the server.
    #[arg(long, env = "PANTAU_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Stop after this many reports (default: run until interrupted).
    #[arg(long)]
    pub count: Option<u64>,
    /// Assets on disk (tenant boundaries).
    #[arg(long, env = "PANTAU_ASSETS_DIR", default_value = "assets")]
    pub assets_dir: PathBuf,
    /// Configuration directory (tenants in `<dir>/tenants/*.toml`).
    #[arg(long, env = "PANTAU_CONFIG_DIR", default_value = "config")]
    pub config_dir: PathBuf,
}
