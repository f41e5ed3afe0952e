//! A private `redis-server` for `pantau serve` when `REDIS_URL` is unset: loopback only, a
//! free port, AOF on (`appendfsync everysec`) under the data directory, stopped with
//! `SHUTDOWN` (which flushes the AOF) when the server stops.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// How long the child gets to answer PING after starting.
const START_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedRedisError {
    #[error("cannot create {dir}: {source}")]
    DataDir { dir: PathBuf, source: std::io::Error },
    #[error("cannot start {bin:?} (is Debian's redis-server installed? scripts/setup installs it): {source}")]
    Spawn { bin: String, source: std::io::Error },
    #[error("redis-server did not answer within {0:?}")]
    NotReady(Duration),
    #[error("no free port: {0}")]
    Port(std::io::Error),
}

/// The running child.
pub struct EmbeddedRedis {
    child: Child,
    url: String,
}

impl EmbeddedRedis {
    /// Start redis-server with its data in `dir` and wait until it answers.
    pub async fn start(bin: &str, dir: &Path) -> Result<Self, EmbeddedRedisError> {
        std::fs::create_dir_all(dir).map_err(|source| EmbeddedRedisError::DataDir {
            dir: dir.to_owned(),
            source,
        })?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(EmbeddedRedisError::Port)?
            .port();
        let child = Command::new(bin)
            .arg("--port")
            .arg(port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| EmbeddedRedisError::Spawn {
                bin: bin.to_owned(),
                source,
            })?;
        let url = format!("redis://127.0.0.1:{port}");
        let me = EmbeddedRedis { child, url };
        me.wait_ready().await?;
        tracing::info!(url = %me.url, dir = %dir.display(), "started private redis-server");
        Ok(me)
    }

    async fn wait_ready(&self) -> Result<(), EmbeddedRedisError> {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            if let Ok(client) = redis::Client::open(self.url.as_str()) {
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

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Ask it to flush and exit; kill it if it does not within a few seconds.
    pub async fn stop(mut self) {
        if let Ok(client) = redis::Client::open(self.url.as_str()) {
            if let Ok(mut conn) = client.get_multiplexed_async_connection().await {
                // The connection drops as the server exits, so an error here is expected.
                let _ = redis::cmd("SHUTDOWN").query_async::<()>(&mut conn).await;
            }
        }
        match tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await {
            Ok(_) => tracing::info!("private redis-server stopped"),
            Err(_) => {
                tracing::warn!("private redis-server did not stop; killing it");
                let _ = self.child.kill().await;
            }
        }
    }
}
