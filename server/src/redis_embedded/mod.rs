//! A private `redis-server` for `pantau serve` when `REDIS_URL` is unset: loopback only, a
//! free port, AOF on under the data directory, kept alive by a supervisor
//! ([`supervise`]) and stopped with `SHUTDOWN` when the server stops.
//!
//! Durability: the AOF uses `appendfsync always`, so a report answered `2xx` is on disk
//! before the answer leaves Redis — it survives the child being killed (`kill -9`, OOM
//! killer) and a power cut. With `everysec` an acknowledged report could be lost in either
//! case (up to a second of them on a power cut; a write postponed behind a slow fsync on a
//! crash). Redis batches the fsync per event-loop turn, so the cost is one fsync per batch
//! of writes, which a command center's report rate never notices. A deployment that wants
//! another trade-off runs its own Redis and sets `REDIS_URL`.
//!
//! If the child dies, the supervisor reaps it, logs its exit status and starts it again on
//! the same port and data directory (so the URL every connection manager holds stays
//! right), with the backoff of [`crate::live::supervise`].

mod supervise;

use crate::shutdown::{self, Trigger};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// How long the child gets to answer PING after starting.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the child gets to exit after `SHUTDOWN` before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedRedisError {
    #[error("cannot create {dir}: {source}")]
    DataDir { dir: PathBuf, source: std::io::Error },
    #[error("cannot start {bin:?} (is Debian's redis-server installed? scripts/setup installs it): {source}")]
    Spawn { bin: String, source: std::io::Error },
    #[error("redis-server did not answer within {0:?}")]
    NotReady(Duration),
    #[error("redis-server exited while starting: {0}")]
    Exited(ExitStatus),
    #[error("no free port: {0}")]
    Port(std::io::Error),
}

/// The running child, behind its supervisor.
pub struct EmbeddedRedis {
    url: String,
    stop: Trigger,
    supervisor: JoinHandle<()>,
}

impl EmbeddedRedis {
    /// Start redis-server with its data in `dir`, wait until it answers, and hand it to a
    /// supervisor that restarts it whenever it dies until [`EmbeddedRedis::stop`].
    pub async fn start(bin: &str, dir: &Path) -> Result<Self, EmbeddedRedisError> {
        std::fs::create_dir_all(dir).map_err(|source| EmbeddedRedisError::DataDir {
            dir: dir.to_owned(),
            source,
        })?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(EmbeddedRedisError::Port)?
            .port();
        let spec = Spec {
            bin: bin.to_owned(),
            dir: dir.to_owned(),
            port,
        };
        let child = spec.launch().await?;
        let url = spec.url();
        tracing::info!(%url, dir = %dir.display(), "started private redis-server");
        let (stop, stopped) = shutdown::channel();
        let supervisor = tokio::spawn(supervise::run(spec, child, stopped));
        Ok(EmbeddedRedis { url, stop, supervisor })
    }

    /// `redis://127.0.0.1:<port>` (the same across restarts).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stop supervising; ask the child to flush and exit, killing it if it does not.
    pub async fn stop(self) {
        self.stop.fire();
        if let Err(e) = self.supervisor.await {
            tracing::error!(error = %e, "private redis-server supervisor failed");
        }
    }
}

/// How to start the child: the same command line every time.
struct Spec {
    bin: String,
    dir: PathBuf,
    port: u16,
}

impl Spec {
    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Spawn the child and wait until it answers PING; a child that does not is killed.
    async fn launch(&self) -> Result<Child, EmbeddedRedisError> {
        let mut child = Command::new(&self.bin)
            .arg("--port")
            .arg(self.port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| EmbeddedRedisError::Spawn {
                bin: self.bin.clone(),
                source,
            })?;
        match wait_ready(&self.url(), &mut child).await {
            Ok(()) => Ok(child),
            Err(e) => {
                let _ = child.kill().await;
                Err(e)
            }
        }
    }
}

/// Poll PING until the child answers, it exits, or [`START_TIMEOUT`] passes.
async fn wait_ready(url: &str, child: &mut Child) -> Result<(), EmbeddedRedisError> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(EmbeddedRedisError::Exited(status));
        }
        if let Ok(client) = redis::Client::open(url) {
            if let Ok(mut conn) = client.get_multiplexed_async_connection().await {
                if redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok() {
                    return Ok(());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(EmbeddedRedisError::NotReady(START_TIMEOUT))
}

/// Ask the child to flush and exit; kill it if it does not within [`STOP_TIMEOUT`].
async fn stop_child(url: &str, mut child: Child) {
    if let Ok(client) = redis::Client::open(url) {
        if let Ok(mut conn) = client.get_multiplexed_async_connection().await {
            // The connection drops as the server exits, so an error here is expected.
            let _ = redis::cmd("SHUTDOWN").query_async::<()>(&mut conn).await;
        }
    }
    match tokio::time::timeout(STOP_TIMEOUT, child.wait()).await {
        Ok(_) => tracing::info!("private redis-server stopped"),
        Err(_) => {
            tracing::warn!("private redis-server did not stop; killing it");
            let _ = child.kill().await;
        }
    }
}
