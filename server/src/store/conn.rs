//! The connection to Redis, one server or a Redis Cluster, chosen by the URL alone: the rest
//! of the store (scripts, ranges, leases, the outbox) runs unchanged over [`RedisConn`].
//!
//! - `redis://host:port` (or `rediss://`, `unix://`): one server. The shared connection is a
//!   [`ConnectionManager`] (multiplexed, reconnecting); a blocking reader gets a multiplexed
//!   connection of its own.
//! - `redis+cluster://host:port,host:port,…` (any reachable nodes; `user:password@` before
//!   the first host applies to all): a Redis Cluster through the redis crate's async cluster
//!   client, which finds the other nodes, routes each command by its key's slot and follows
//!   `MOVED`/`ASK`. Every key of a tenant carries the `{tenant}` hash tag, so each script and
//!   pipeline touches one slot. A blocking reader gets a cluster connection of its own (a
//!   `BLOCK`ed read would otherwise hold up every command queued behind it on that node).

use redis::aio::{ConnectionLike, ConnectionManager, MultiplexedConnection};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use std::time::Duration;

/// The URL scheme that selects a Redis Cluster.
pub const CLUSTER_SCHEME: &str = "redis+cluster://";

/// Retries after a failed command on the shared connection, and their bounds: few and quick,
/// so a request never waits long on a dead Redis (see [`crate::store::health`]).
const RETRIES: usize = 2;
const RETRY_MIN: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_millis(250);

/// Where Redis is: what connections are made from (cheap to clone).
#[derive(Clone, Debug)]
pub enum RedisClient {
    Single(redis::Client),
    /// The seed nodes' URLs (`redis://…` each).
    Cluster(Vec<String>),
}

/// A connection to one server or to a cluster (cheap to clone: clones share it).
#[derive(Clone)]
pub enum RedisConn {
    /// The shared, reconnecting connection to one server.
    Managed(ConnectionManager),
    /// A blocking reader's own connection to one server.
    Direct(MultiplexedConnection),
    /// A connection to every node of a cluster (reconnects and follows slot moves itself).
    Cluster(ClusterConnection),
}

impl RedisClient {
    /// The client for `url`: a cluster for `redis+cluster://`, one server otherwise.
    pub fn open(url: &str) -> RedisResult<RedisClient> {
        match cluster_nodes(url) {
            Some(nodes) => {
                // Checks the URLs (and that the nodes agree on credentials) without connecting.
                ClusterClient::new(nodes.clone())?;
                Ok(RedisClient::Cluster(nodes))
            }
            None => Ok(RedisClient::Single(redis::Client::open(url)?)),
        }
    }

    /// Whether this is a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self, RedisClient::Cluster(_))
    }

    /// The shared connection: reconnecting, quick to give up ([`RETRIES`] retries at most
    /// [`RETRY_MAX`] apart) so a caller is not held while Redis is down.
    pub async fn shared(&self, connect: Duration, response: Duration) -> RedisResult<RedisConn> {
        match self {
            RedisClient::Single(client) => {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(connect))
                    .set_response_timeout(Some(response))
                    .set_number_of_retries(RETRIES)
                    .set_min_delay(RETRY_MIN)
                    .set_max_delay(RETRY_MAX);
                Ok(RedisConn::Managed(
                    client.get_connection_manager_with_config(config).await?,
                ))
            }
            RedisClient::Cluster(nodes) => cluster(nodes, connect, response).await,
        }
    }

    /// A connection of its own for blocking reads (`XREAD BLOCK`), waiting up to `response`
    /// for an answer.
    pub async fn blocking(&self, connect: Duration, response: Duration) -> RedisResult<RedisConn> {
        match self {
            RedisClient::Single(client) => {
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(connect))
                    .set_response_timeout(Some(response));
                Ok(RedisConn::Direct(
                    client.get_multiplexed_async_connection_with_config(&config).await?,
                ))
            }
            RedisClient::Cluster(nodes) => cluster(nodes, connect, response).await,
        }
    }
}

/// A new connection to the cluster seeded by `nodes`. The response timeout bounds a command
/// with its retries and redirections.
async fn cluster(nodes: &[String], connect: Duration, response: Duration) -> RedisResult<RedisConn> {
    let client = ClusterClient::builder(nodes.to_vec())
        .connection_timeout(connect)
        .response_timeout(response)
        .retries(RETRIES as u32)
        .min_retry_wait(RETRY_MIN.as_millis() as u64)
        .max_retry_wait(RETRY_MAX.as_millis() as u64)
        .build()?;
    Ok(RedisConn::Cluster(client.get_async_connection().await?))
}

/// The seed nodes of a `redis+cluster://[user:password@]host:port,host:port,…` URL as
/// `redis://` URLs, or `None` for any other URL.
pub fn cluster_nodes(url: &str) -> Option<Vec<String>> {
    let rest = url.strip_prefix(CLUSTER_SCHEME)?;
    let (auth, hosts) = match rest.rsplit_once('@') {
        Some((auth, hosts)) => (format!("{auth}@"), hosts),
        None => (String::new(), rest),
    };
    Some(
        hosts
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| format!("redis://{auth}{}", h.trim_end_matches('/')))
            .collect(),
    )
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Managed(c) => c.req_packed_command(cmd),
            RedisConn::Direct(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Managed(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Direct(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Managed(c) => c.get_db(),
            RedisConn::Direct(c) => c.get_db(),
            RedisConn::Cluster(c) => c.get_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_lists_its_seed_nodes() {
        assert_eq!(
            cluster_nodes("redis+cluster://127.0.0.1:7000,127.0.0.1:7001/").unwrap(),
            vec!["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]
        );
        assert_eq!(
            cluster_nodes("redis+cluster://:s3cret@10.0.0.1:6379, 10.0.0.2:6379").unwrap(),
            vec!["redis://:s3cret@10.0.0.1:6379", "redis://:s3cret@10.0.0.2:6379"]
        );
        assert_eq!(cluster_nodes("redis://127.0.0.1:6379"), None);
    }

    #[test]
    fn the_url_alone_chooses_one_server_or_a_cluster() {
        assert!(!RedisClient::open("redis://127.0.0.1:6379").unwrap().is_cluster());
        assert!(RedisClient::open("redis+cluster://127.0.0.1:7000,127.0.0.1:7001")
            .unwrap()
            .is_cluster());
        assert!(RedisClient::open("redis+cluster://").is_err());
    }
}
