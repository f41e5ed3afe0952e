//! Configuration: the command line, with every option also readable from the environment.

use crate::auth::Role;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where `pantau serve` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Largest request body accepted by the ingest API (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most tickets a `snapshot` carries (newest first).
pub const DEFAULT_SNAPSHOT_MAX_TICKETS: usize = 20_000;
/// Most events a resuming client is replayed before it gets a snapshot instead.
pub const DEFAULT_MAX_REPLAY: usize = 10_000;
/// Frames to one tenant's sessions are coalesced to at most one per this many ms.
pub const DEFAULT_COALESCE_MS: u64 = 100;
/// The server pings a socket (WebSocket ping) this often, seconds.
pub const DEFAULT_PING_SECS: u64 = 15;
/// A socket that sent nothing (not even a pong) for this long is closed, seconds.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 45;
/// A socket that cannot take one message for this long is closed, seconds.
pub const DEFAULT_SEND_TIMEOUT_SECS: u64 = 30;
/// Stream entries between two projection snapshots.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 10_000;
/// Events per second an ingest key may sustain (a city's app flushing its queue).
pub const DEFAULT_KEY_RATE: f64 = 500.0;
/// Events an ingest key may send at once (ten full NDJSON batches).
pub const DEFAULT_KEY_BURST: f64 = 5_000.0;
/// Frames buffered per tenant for slow sessions before they are resynced.
pub const DEFAULT_FANOUT_CAPACITY: usize = 1024;
/// Seconds a connection gets to send its request headers (or its next request's).
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 5;
/// Bytes per second a request body must average after its grace period.
pub const DEFAULT_BODY_MIN_RATE: u64 = 1024;
/// Seconds a request body gets before its minimum rate applies.
pub const DEFAULT_BODY_GRACE_SECS: u64 = 10;
/// Connections one (non-loopback) address may hold at once.
pub const DEFAULT_MAX_CONNECTIONS_PER_ADDR: usize = 1000;

#[derive(Parser, Debug)]
#[command(name = "pantau", version, about = "Pantau command-center backend")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of the `serve` variant costs nothing worth a `Box`.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the ingest API, the WebSocket feed and the wall display. A flag given twice
    /// takes its last value (so wrappers can override defaults they pass).
    #[command(args_override_self = true)]
    Serve(ServeConfig),
    /// Play a simulated city (reports and their whole lives) against a running server.
    Simulate(SimulateConfig),
    /// Replay a real 311 history (remapped onto a tenant) against a running server.
    Replay(ReplayConfig),
    /// Manage users: add, list, disable.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage ingest API keys: add (prints the secret once), list, revoke.
    #[command(subcommand)]
    Key(KeyCommand),
}

/// Everything `pantau serve` needs to know.
#[derive(Args, Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PANTAU_ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Redis to use (`redis://host:port`, or a Redis Cluster as
    /// `redis+cluster://host:port,host:port,…`); when unset, serve starts and owns a private
    /// redis-server with AOF under `<data-dir>/redis`.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// Directory for the private redis-server's data.
    #[arg(long, env = "PANTAU_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Folder for photo evidence (a folder per tenant); default `<data-dir>/media`.
    #[arg(long, env = "PANTAU_MEDIA_DIR")]
    pub media_dir: Option<PathBuf>,
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
    /// Most tickets sent in a snapshot (newest first).
    #[arg(long, env = "PANTAU_SNAPSHOT_MAX_TICKETS", default_value_t = DEFAULT_SNAPSHOT_MAX_TICKETS)]
    pub snapshot_max_tickets: usize,
    /// How long, ms, an unfiltered snapshot is shared with sessions that subscribe after it
    /// (a room reconnecting at once builds it once); 0: every session builds its own.
    #[arg(long, env = "PANTAU_SNAPSHOT_SHARE_MS", default_value_t = 1_000)]
    pub snapshot_share_ms: u64,
    /// Most events replayed to a resuming client; a longer gap gets resync + snapshot.
    #[arg(long, env = "PANTAU_MAX_REPLAY", default_value_t = DEFAULT_MAX_REPLAY)]
    pub max_replay: usize,
    /// Coalescing interval of `deltas` frames, ms (0: one frame per stream read).
    #[arg(long, env = "PANTAU_COALESCE_MS", default_value_t = DEFAULT_COALESCE_MS)]
    pub coalesce_ms: u64,
    /// WebSocket ping interval, seconds (also the idle `heartbeat` interval).
    #[arg(long, env = "PANTAU_PING_SECS", default_value_t = DEFAULT_PING_SECS)]
    pub ping_secs: u64,
    /// Close sockets silent for this long, seconds.
    #[arg(long, env = "PANTAU_IDLE_TIMEOUT_SECS", default_value_t = DEFAULT_IDLE_TIMEOUT_SECS)]
    pub idle_timeout_secs: u64,
    /// Close sockets that cannot take a message for this long, seconds.
    #[arg(long, env = "PANTAU_SEND_TIMEOUT_SECS", default_value_t = DEFAULT_SEND_TIMEOUT_SECS)]
    pub send_timeout_secs: u64,
    /// SO_SNDBUF of accepted sockets, bytes (0: the kernel's autotuning).
    #[arg(long, env = "PANTAU_SOCKET_SEND_BUFFER", default_value_t = 0)]
    pub socket_send_buffer: usize,
    /// Frames buffered per tenant; a session further behind is resynced.
    #[arg(long, env = "PANTAU_FANOUT_CAPACITY", default_value_t = DEFAULT_FANOUT_CAPACITY)]
    pub fanout_capacity: usize,
    /// Store a projection snapshot after this many new stream entries (and at least every
    /// minute while entries arrive).
    #[arg(long, env = "PANTAU_SNAPSHOT_EVERY", default_value_t = DEFAULT_SNAPSHOT_EVERY)]
    pub snapshot_every: u64,
    /// Keep a projection snapshot for the time machine (`GET /state?at=`) after at least this
    /// many stream entries (taken with the next stored snapshot; 0 keeps none).
    #[arg(long, env = "PANTAU_HISTORY_EVERY", default_value_t = 50_000)]
    pub history_every: u64,
    /// How many time-machine snapshots are kept (the oldest go first).
    #[arg(long, env = "PANTAU_HISTORY_KEEP", default_value_t = 200)]
    pub history_keep: usize,
    /// How often the SLA emitter checks for due warnings and breaches, ms.
    #[arg(long, env = "PANTAU_SLA_TICK_MS", default_value_t = 1_000)]
    pub sla_tick_ms: u64,
    /// Time-to-live of the SLA emitter's lease, ms: how long a dead leader blocks a takeover.
    #[arg(long, env = "PANTAU_SLA_LEASE_MS", default_value_t = 10_000)]
    pub sla_lease_ms: u64,
    /// A session unused this long ends, seconds.
    #[arg(long, env = "PANTAU_SESSION_IDLE_SECS", default_value_t = crate::auth::store::DEFAULT_SESSION_IDLE_SECS)]
    pub session_idle_secs: u64,
    /// A session ends this long after sign-in, used or not, seconds.
    #[arg(long, env = "PANTAU_SESSION_ABSOLUTE_SECS", default_value_t = crate::auth::store::DEFAULT_SESSION_ABSOLUTE_SECS)]
    pub session_absolute_secs: u64,
    /// Mark the session cookie `Secure` (set it when Pantau is served over TLS, directly or
    /// behind a proxy).
    #[arg(long, env = "PANTAU_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Events per second one ingest API key may sustain (per process).
    #[arg(long, env = "PANTAU_KEY_RATE", default_value_t = DEFAULT_KEY_RATE)]
    pub key_rate: f64,
    /// Events one ingest API key may send at once.
    #[arg(long, env = "PANTAU_KEY_BURST", default_value_t = DEFAULT_KEY_BURST)]
    pub key_burst: f64,
    /// Demo set-up: one user per role in every tenant (known passwords) and a paired wall
    /// per tenant, printed at start. Never in production.
    #[arg(long, env = "PANTAU_DEMO_USERS", default_value_t = false)]
    pub demo_users: bool,
    /// Demo feed: a simulated city per tenant, this many reports per hour (0 = off); it
    /// starts 12 hours in the past so the wall opens on a day in progress.
    #[arg(long, env = "PANTAU_DEMO_RATE", default_value_t = 0.0)]
    pub demo_rate: f64,
    /// When set, `GET /metrics` wants `Authorization: Bearer <token>` (401 otherwise); when
    /// unset, the metrics are public (serve them on an internal network only).
    #[arg(long, env = "PANTAU_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Close a connection whose request headers have not all arrived this long after it
    /// opened or went idle, seconds (also the keep-alive idle timeout).
    #[arg(long, env = "PANTAU_HEADER_TIMEOUT_SECS", default_value_t = DEFAULT_HEADER_TIMEOUT_SECS)]
    pub header_timeout_secs: u64,
    /// A request body must average at least this many bytes per second after the grace
    /// period, or it gets 408 and the connection is closed (0: no minimum).
    #[arg(long, env = "PANTAU_BODY_MIN_RATE", default_value_t = DEFAULT_BODY_MIN_RATE)]
    pub body_min_rate: u64,
    /// Seconds a request body gets before its minimum rate applies.
    #[arg(long, env = "PANTAU_BODY_GRACE_SECS", default_value_t = DEFAULT_BODY_GRACE_SECS)]
    pub body_grace_secs: u64,
    /// Most connections open at once (0: the open-file limit less a reserve); more get
    /// `503` + `Retry-After`.
    #[arg(long, env = "PANTAU_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,
    /// Most connections open at once from one address (0: no limit); more get `429` +
    /// `Retry-After`.
    #[arg(long, env = "PANTAU_MAX_CONNECTIONS_PER_ADDR", default_value_t = DEFAULT_MAX_CONNECTIONS_PER_ADDR)]
    pub max_connections_per_addr: usize,
    /// Apply the per-address limit to loopback clients too (off by default: a reverse
    /// proxy on the same host connects from loopback for everyone).
    #[arg(long, env = "PANTAU_LIMIT_LOOPBACK", default_value_t = false)]
    pub limit_loopback: bool,
}

/// Everything `pantau simulate` needs to know.
#[derive(Args, Debug, Clone)]
pub struct SimulateConfig {
    /// Tenant to post reports for.
    #[arg(long, env = "PANTAU_TENANT", default_value = "tangerang")]
    pub tenant: String,
    /// Reports per hour, averaged over the day (the daily rhythm raises it in the morning
    /// and lowers it at night).
    #[arg(long, default_value_t = 60.0)]
    pub rate: f64,
    /// Base URL of the server.
    #[arg(long, env = "PANTAU_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The tenant's ingest API key (`pantau key add`).
    #[arg(long, env = "PANTAU_KEY")]
    pub key: String,
    /// Stop after this many reports (default: run until interrupted).
    #[arg(long)]
    pub count: Option<u64>,
    /// Seed of the simulated city: the same seed, tenant and `--since` post the same events
    /// (with the same ids, so a re-run writes nothing twice). Random when unset.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop after this long (`90s`, `30m`, `12h`, `2d`; default: until interrupted).
    #[arg(long)]
    pub duration: Option<String>,
    /// Start the city in the past (an age such as `12h`, or an RFC 3339 instant): the history
    /// up to now is posted at once, dated when it happened, then the city goes on live.
    #[arg(long)]
    pub since: Option<String>,
    /// Stop the city at this past instant (an age or RFC 3339, like `--since`): only the
    /// history from `--since` to it is posted, then the command ends. Two runs with the same
    /// seed, `--since` and `--until` post exactly the same events.
    #[arg(long)]
    pub until: Option<String>,
    /// A user of the tenant (operator or above) under whose name the simulated operators
    /// verify, validate and close tickets; without one, new reports wait in triage where
    /// the tenant verifies them.
    #[arg(long)]
    pub operator: Option<String>,
    /// That user's password.
    #[arg(long, env = "PANTAU_OPERATOR_PASSWORD", hide_env_values = true)]
    pub operator_password: Option<String>,
    /// Assets on disk (tenant boundaries).
    #[arg(long, env = "PANTAU_ASSETS_DIR", default_value = "assets")]
    pub assets_dir: PathBuf,
    /// Configuration directory (tenants in `<dir>/tenants/*.toml`).
    #[arg(long, env = "PANTAU_CONFIG_DIR", default_value = "config")]
    pub config_dir: PathBuf,
}

/// Everything `pantau replay` needs to know.
#[derive(Args, Debug, Clone)]
pub struct ReplayConfig {
    /// Tenant to replay onto.
    #[arg(long, env = "PANTAU_TENANT", default_value = "tangerang")]
    pub tenant: String,
    /// The history (SF 311 CSV: case_id, opened, closed, category, lat, lng, ...).
    #[arg(long)]
    pub file: PathBuf,
    /// `60x` (or `60`): an hour of history per minute, starting now; `max`: as fast as the
    /// server takes it, dated on the real timeline shifted to end now.
    #[arg(long, default_value = "60x")]
    pub speed: String,
    /// How the history's categories and sources map onto the tenant's.
    #[arg(long, default_value = "config/replay/sf311.toml")]
    pub mapping: PathBuf,
    /// Replay only the first this many cases.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Base URL of the server.
    #[arg(long, env = "PANTAU_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The tenant's ingest API key (`pantau key add`).
    #[arg(long, env = "PANTAU_KEY")]
    pub key: String,
    /// Assets on disk (tenant boundaries).
    #[arg(long, env = "PANTAU_ASSETS_DIR", default_value = "assets")]
    pub assets_dir: PathBuf,
    /// Configuration directory (tenants in `<dir>/tenants/*.toml`).
    #[arg(long, env = "PANTAU_CONFIG_DIR", default_value = "config")]
    pub config_dir: PathBuf,
}

/// Where `pantau user …` and `pantau key …` find Redis and the tenants' configuration.
#[derive(Args, Debug, Clone)]
pub struct AdminConfig {
    /// Redis holding users and keys (`redis://host:port`, or `redis+cluster://host:port,…`);
    /// required: these commands never start a private redis-server.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: String,
    /// Configuration directory (tenants in `<dir>/tenants/*.toml`), to check tenant ids and
    /// category codes.
    #[arg(long, env = "PANTAU_CONFIG_DIR", default_value = "config")]
    pub config_dir: PathBuf,
    /// Assets on disk (tenant boundaries, read with the configuration).
    #[arg(long, env = "PANTAU_ASSETS_DIR", default_value = "assets")]
    pub assets_dir: PathBuf,
}

/// `pantau user …`.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user; its password comes from standard input (`--password-stdin`) or a prompt.
    Add(UserAdd),
    /// List users (never their password hashes).
    List(UserList),
    /// Disable a user: no more sign-ins, and its sessions end.
    Disable(UserDisable),
}

/// `pantau user add`.
#[derive(Args, Debug)]
pub struct UserAdd {
    #[command(flatten)]
    pub admin: AdminConfig,
    /// The user's tenant; omitted only for `--role superadmin`.
    #[arg(long)]
    pub tenant: Option<String>,
    /// User name: lower-case letters, digits, `.`, `_`, `-`.
    #[arg(long)]
    pub name: String,
    /// viewer, operator, supervisor, executive, admin or superadmin.
    #[arg(long)]
    pub role: Role,
    /// Read the password from standard input (its first line) instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `pantau user list`.
#[derive(Args, Debug)]
pub struct UserList {
    #[command(flatten)]
    pub admin: AdminConfig,
    /// The tenant whose users to list; omitted: the superadmins.
    #[arg(long)]
    pub tenant: Option<String>,
}

/// `pantau user disable`.
#[derive(Args, Debug)]
pub struct UserDisable {
    #[command(flatten)]
    pub admin: AdminConfig,
    /// The user's tenant; omitted for a superadmin.
    #[arg(long)]
    pub tenant: Option<String>,
    #[arg(long)]
    pub name: String,
}

/// `pantau key …`.
#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Add an ingest API key and print its secret (shown this once only).
    Add(KeyAdd),
    /// List a tenant's keys (names and scope, never secrets).
    List(KeyList),
    /// Revoke a key: refused from the next request on.
    Revoke(KeyRevoke),
}

/// `pantau key add`.
#[derive(Args, Debug)]
pub struct KeyAdd {
    #[command(flatten)]
    pub admin: AdminConfig,
    #[arg(long)]
    pub tenant: String,
    /// The source system's name (events it posts have actor `key:<name>`).
    #[arg(long)]
    pub name: String,
    /// Category codes the key may report in, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub categories: Vec<String>,
}

/// `pantau key list`.
#[derive(Args, Debug)]
pub struct KeyList {
    #[command(flatten)]
    pub admin: AdminConfig,
    #[arg(long)]
    pub tenant: String,
}

/// `pantau key revoke`.
#[derive(Args, Debug)]
pub struct KeyRevoke {
    #[command(flatten)]
    pub admin: AdminConfig,
    #[arg(long)]
    pub tenant: String,
    #[arg(long)]
    pub name: String,
}
