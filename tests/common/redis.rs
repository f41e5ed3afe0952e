//! A private `redis-server` per test, and the names of Pantau's keys in it. With
//! `PANTAU_TEST_REDIS_CLUSTER=1`, [`RedisServer::start`] starts a three-master Redis Cluster
//! instead (see [`crate::cluster`]); persistent servers (outage tests) stay single.

use crate::cluster::{RedisCluster, TestConn};
use crate::{eventually, free_port, Proc};
use redis::streams::StreamRangeReply;
use redis::AsyncCommands;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The key `name` of `tenant` (`pantau:{tangerang}:ticket_seq`); the braces keep a tenant's
/// keys in one Redis Cluster slot.
pub fn tenant_key(tenant: &str, name: &str) -> String {
    format!("pantau:{{{tenant}}}:{name}")
}

/// The Redis Stream holding `tenant`'s events, one per entry.
pub fn stream_key(tenant: &str) -> String {
    tenant_key(tenant, "events")
}

/// A private redis-server on a free port: without persistence, or with AOF in a directory
/// so it can be stopped and started again with its data (outage tests).
pub struct RedisServer {
    proc: Option<Proc>,
    port: u16,
    dir: Option<PathBuf>,
    pub url: String,
    /// The cluster standing in for the server (`PANTAU_TEST_REDIS_CLUSTER=1`).
    cluster: Option<RedisCluster>,
}

impl RedisServer {
    pub async fn start() -> RedisServer {
        if crate::cluster::wanted() {
            return RedisServer::start_cluster().await;
        }
        RedisServer::launch(free_port(), None).await
    }

    /// A three-master Redis Cluster standing in for the server; `url` is its
    /// `redis+cluster://` URL.
    pub async fn start_cluster() -> RedisServer {
        let cluster = RedisCluster::start(3).await;
        RedisServer {
            proc: None,
            port: cluster.ports[0],
            dir: None,
            url: cluster.url.clone(),
            cluster: Some(cluster),
        }
    }

    /// The cluster, when this stands for one.
    pub fn cluster(&self) -> Option<&RedisCluster> {
        self.cluster.as_ref()
    }

    /// The cluster, to stop and restart its nodes.
    pub fn cluster_mut(&mut self) -> Option<&mut RedisCluster> {
        self.cluster.as_mut()
    }

    /// With AOF (`appendfsync always`) in a fresh temporary directory.
    pub async fn start_persistent() -> RedisServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("pantau-redis-{port}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        RedisServer::launch(port, Some(dir)).await
    }

    async fn launch(port: u16, dir: Option<PathBuf>) -> RedisServer {
        let mut server = RedisServer {
            proc: None,
            port,
            dir,
            url: format!("redis://127.0.0.1:{port}"),
            cluster: None,
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""]);
        match &self.dir {
            Some(dir) => cmd
                .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
                .arg(dir),
            None => cmd.args(["--appendonly", "no"]),
        };
        let child = cmd
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/setup installs it)");
        self.proc = Some(Proc::from(child));
        let client = redis::Client::open(self.url.as_str()).unwrap();
        eventually("redis-server to answer", || {
            let client = client.clone();
            async move {
                let mut conn = client.get_multiplexed_async_connection().await.ok()?;
                redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
            }
        })
        .await;
    }

    /// Stop the server (its data stays in its directory).
    pub fn stop(&mut self) {
        self.proc = None;
    }

    /// Start it again on the same port and directory.
    pub async fn restart(&mut self) {
        self.spawn().await;
    }

    /// A fresh connection (to the whole cluster when there is one).
    pub async fn conn(&self) -> TestConn {
        if let Some(cluster) = &self.cluster {
            return TestConn::Cluster(cluster.conn().await);
        }
        let client = redis::Client::open(self.url.as_str()).unwrap();
        TestConn::Single(client.get_multiplexed_async_connection().await.unwrap())
    }

    /// How many entries `tenant`'s event stream holds.
    pub async fn stream_len(&self, tenant: &str) -> usize {
        self.conn().await.xlen(stream_key(tenant)).await.unwrap()
    }

    /// `tenant`'s stream, oldest first: each entry's id and its event as stored.
    pub async fn stream_events(&self, tenant: &str) -> Vec<(String, Value)> {
        let range: StreamRangeReply = self.conn().await.xrange_all(stream_key(tenant)).await.unwrap();
        range
            .ids
            .into_iter()
            .map(|entry| {
                let json: String = entry.get("event").expect("every entry has an event");
                (entry.id, serde_json::from_str(&json).expect("stored events are JSON"))
            })
            .collect()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.proc = None;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
