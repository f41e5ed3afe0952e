//! A private Redis Cluster per test: three masters (no replicas) on free loopback ports, each
//! `redis-server --cluster-enabled yes` with its node file in a temporary directory, joined
//! by `redis-cli --cluster create`; ready once every node reports `cluster_state:ok`.
//!
//! Pantau reaches it with `--redis-url redis+cluster://127.0.0.1:P1,127.0.0.1:P2,…`.
//! `PANTAU_TEST_REDIS_CLUSTER=1` makes [`crate::RedisServer::start`] start one of these
//! instead of a single server, so whole suites run against a cluster unchanged.

use crate::{eventually, free_port, Proc};
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether `PANTAU_TEST_REDIS_CLUSTER=1` asks the suites to run against a cluster.
pub fn wanted() -> bool {
    std::env::var("PANTAU_TEST_REDIS_CLUSTER").is_ok_and(|v| v == "1")
}

/// A running cluster; every node is killed and its directory removed on drop.
pub struct RedisCluster {
    /// The nodes, by index in `ports` (`None` while stopped).
    nodes: Vec<Option<Proc>>,
    /// The masters' client ports, in creation order.
    pub ports: Vec<u16>,
    /// Their cluster bus ports.
    buses: Vec<u16>,
    dir: PathBuf,
    /// `redis+cluster://127.0.0.1:P1,…`, as Pantau takes it.
    pub url: String,
}

impl RedisCluster {
    /// `masters` masters holding the 16,384 slots between them (`redis-cli` splits them).
    pub async fn start(masters: usize) -> RedisCluster {
        let mut taken = HashSet::new();
        let mut port = || loop {
            let p = free_port();
            if taken.insert(p) {
                return p;
            }
        };
        let ports: Vec<(u16, u16)> = (0..masters).map(|_| (port(), port())).collect();
        let dir = std::env::temp_dir().join(format!("pantau-cluster-{}-{}", ports[0].0, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let nodes = ports
            .iter()
            .map(|&(port, bus)| Some(spawn_node(&dir, port, bus)))
            .collect();
        let buses: Vec<u16> = ports.iter().map(|&(_, b)| b).collect();
        let ports: Vec<u16> = ports.iter().map(|&(p, _)| p).collect();
        for &port in &ports {
            answers(&dir, port).await;
        }
        let addresses: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let created = tokio::task::spawn_blocking({
            let addresses = addresses.clone();
            move || {
                Command::new("redis-cli")
                    .args(["--cluster", "create"])
                    .args(&addresses)
                    .args(["--cluster-replicas", "0", "--cluster-yes"])
                    .stdin(Stdio::null())
                    .output()
                    .expect("redis-cli must be installed (it comes with redis-server)")
            }
        })
        .await
        .unwrap();
        assert!(
            created.status.success(),
            "redis-cli --cluster create: {}{}",
            String::from_utf8_lossy(&created.stdout),
            String::from_utf8_lossy(&created.stderr)
        );
        let cluster = RedisCluster {
            nodes,
            url: format!("redis+cluster://{}", addresses.join(",")),
            ports,
            buses,
            dir,
        };
        cluster.wait_ok().await;
        cluster
    }

    /// Until every node reports `cluster_state:ok`.
    pub async fn wait_ok(&self) {
        for &port in &self.ports {
            eventually("every node to report cluster_state:ok", || async move {
                let mut conn = node(port).await?;
                let info: String = redis::cmd("CLUSTER").arg("INFO").query_async(&mut conn).await.ok()?;
                info.contains("cluster_state:ok").then_some(())
            })
            .await;
        }
    }

    /// Kill the master on `port` (SIGKILL; its data is in its append-only file).
    pub fn kill(&mut self, port: u16) {
        let i = self.index(port);
        self.nodes[i] = None;
    }

    /// Start the master on `port` again on its data and node file; returns once it answers.
    pub async fn restart(&mut self, port: u16) {
        let i = self.index(port);
        self.nodes[i] = Some(spawn_node(&self.dir, port, self.buses[i]));
        answers(&self.dir, port).await;
    }

    fn index(&self, port: u16) -> usize {
        self.ports
            .iter()
            .position(|&p| p == port)
            .expect("a node of this cluster")
    }

    /// A connection to the whole cluster (routes by slot, follows redirections).
    pub async fn conn(&self) -> ClusterConnection {
        let nodes: Vec<String> = self.ports.iter().map(|p| format!("redis://127.0.0.1:{p}")).collect();
        redis::cluster::ClusterClient::new(nodes)
            .unwrap()
            .get_async_connection()
            .await
            .unwrap()
    }

    /// The client port of the master serving `key`'s slot.
    pub async fn master_of(&self, key: &str) -> u16 {
        let mut conn = node(self.ports[0]).await.expect("the first node answers");
        let slot: u16 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        // `CLUSTER SLOTS`: [[start, end, [host, port, id, …], replicas…], …]
        let ranges: Vec<(u16, u16, (String, u16))> = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query_async::<Vec<Vec<Value>>>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|range| {
                let start = redis::from_redis_value(range[0].clone()).unwrap();
                let end = redis::from_redis_value(range[1].clone()).unwrap();
                let master: Vec<Value> = redis::from_redis_value(range[2].clone()).unwrap();
                let host = redis::from_redis_value(master[0].clone()).unwrap();
                let port = redis::from_redis_value(master[1].clone()).unwrap();
                (start, end, (host, port))
            })
            .collect();
        ranges
            .into_iter()
            .find(|(start, end, _)| (*start..=*end).contains(&slot))
            .map(|(_, _, (_, port))| port)
            .expect("every slot is served")
    }

    /// How many keys the master on `port` holds.
    pub async fn keys_on(&self, port: u16) -> usize {
        let mut conn = node(port).await.expect("the node answers");
        redis::cmd("DBSIZE").query_async(&mut conn).await.unwrap()
    }
}

/// One cluster node: AOF (`appendfsync always`) and its node file under `dir`, so a restart
/// comes back with its data and its slots.
fn spawn_node(dir: &std::path::Path, port: u16, bus: u16) -> Proc {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--cluster-port", &bus.to_string()])
        .args(["--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "yes", "--appendfsync", "always"])
        .arg("--appendfilename")
        .arg(format!("appendonly-{port}.aof"))
        .arg("--appenddirname")
        .arg(format!("aof-{port}"))
        .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"])
        .arg("--cluster-config-file")
        .arg(dir.join(format!("nodes-{port}.conf")))
        .arg("--logfile")
        .arg(log_of(dir, port))
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (scripts/setup installs it)");
    Proc::from(child)
}

/// The node on `port`'s own log (appended to across restarts).
fn log_of(dir: &std::path::Path, port: u16) -> PathBuf {
    dir.join(format!("node-{port}.log"))
}

/// Until the node on `port` answers `PING`; a node that never does fails the test with the
/// end of its log.
async fn answers(dir: &std::path::Path, port: u16) {
    let deadline = tokio::time::Instant::now() + crate::PATIENCE;
    loop {
        if let Some(mut conn) = node(port).await {
            if redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok() {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let log = std::fs::read_to_string(log_of(dir, port)).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "the cluster node on {port} never answered; its log ends:\n{}",
                tail.join("\n")
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A plain connection to the one node on `port`, if it answers.
async fn node(port: u16) -> Option<MultiplexedConnection> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).ok()?;
    client.get_multiplexed_async_connection().await.ok()
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        self.nodes.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A connection to the test's Redis, one server or a cluster (see [`crate::RedisServer::conn`]).
pub enum TestConn {
    Single(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for TestConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            TestConn::Single(c) => c.req_packed_command(cmd),
            TestConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            TestConn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            TestConn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            TestConn::Single(c) => c.get_db(),
            TestConn::Cluster(c) => c.get_db(),
        }
    }
}
