//! Catch-up: replaying a long stream into the projection when a process starts (or after it
//! was disconnected), as a three-stage pipeline so Redis, JSON decoding and the projection
//! work at the same time instead of taking turns:
//!
//! 1. a task reads the stream with `XRANGE` in batches of [`BATCH`], one batch ahead, and
//!    takes each entry's bytes out of the reply without copying them;
//! 2. a blocking thread decodes the JSON of one batch while the next is fetched;
//! 3. the tailer applies each decoded batch under one write lock and publishes it.
//!
//! Measured on 1M events (2 cores, `scripts/bench cold_start`, BENCHMARKS.md): the former
//! `XREAD COUNT 1000` loop, which fetched, decoded and applied one batch at a time, was ready
//! in 6.8 s; this pipeline in 4.6–5.9 s on a quiet machine. Of that, decoding keeps its
//! thread busy ~3.3 s and applying ~2.6 s: the fetch (XRANGE plus parsing the reply) is now
//! the critical path.

use super::{RedisConn, StoreError, EVENT_FIELD};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::Value;
use tokio::sync::mpsc;

/// Entries per `XRANGE` during catch-up.
pub const BATCH: usize = 5_000;
/// Batches in flight between two stages.
const DEPTH: usize = 2;

/// An entry as fetched: its id and its event JSON, not yet decoded.
type RawEntry = (String, Option<Vec<u8>>);

/// The batches of a catch-up, decoded, in stream order. Dropping it stops the stages.
pub struct CatchUp {
    decoded: mpsc::Receiver<Result<Vec<(Cursor, Event)>, StoreError>>,
    fetcher: tokio::task::JoinHandle<()>,
}

impl CatchUp {
    /// Start reading `key` after `from` (exclusive) until a batch comes back short.
    pub fn start(conn: &RedisConn, key: &str, from: Cursor) -> CatchUp {
        let (raw_tx, mut raw_rx) = mpsc::channel::<Result<Vec<RawEntry>, StoreError>>(DEPTH);
        let (decoded_tx, decoded) = mpsc::channel(DEPTH);
        let fetcher = tokio::spawn(fetch(conn.clone(), key.to_owned(), from, raw_tx));
        // Ends when the fetcher is done (or aborted) or the receiver is dropped.
        tokio::task::spawn_blocking(move || {
            while let Some(batch) = raw_rx.blocking_recv() {
                if decoded_tx.blocking_send(batch.map(decode)).is_err() {
                    return;
                }
            }
        });
        CatchUp { decoded, fetcher }
    }

    /// The next decoded batch (never empty), or `None` when the stream's end was reached.
    pub async fn next(&mut self) -> Option<Result<Vec<(Cursor, Event)>, StoreError>> {
        loop {
            match self.decoded.recv().await? {
                Ok(events) if events.is_empty() => continue,
                other => return Some(other),
            }
        }
    }
}

impl Drop for CatchUp {
    fn drop(&mut self) {
        self.fetcher.abort();
    }
}

/// Stage 1: fetch batches until one comes back short (or the receiver is gone).
async fn fetch(
    mut conn: RedisConn,
    key: String,
    mut from: Cursor,
    tx: mpsc::Sender<Result<Vec<RawEntry>, StoreError>>,
) {
    loop {
        let reply = redis::cmd("XRANGE")
            .arg(&key)
            .arg(format!("({from}"))
            .arg("+")
            .arg("COUNT")
            .arg(BATCH)
            .query_async::<Value>(&mut conn)
            .await;
        let entries = match reply {
            Ok(v) => raw_entries(v),
            Err(e) => {
                let _ = tx.send(Err(e.into())).await;
                return;
            }
        };
        let full = entries.len() == BATCH;
        let next = entries.last().and_then(|(id, _)| id.parse().ok());
        if tx.send(Ok(entries)).await.is_err() {
            return;
        }
        match next {
            Some(next) if full => from = next,
            _ => return,
        }
    }
}

/// The entries of an `XRANGE` reply, moving each id and event out of the reply.
fn raw_entries(reply: Value) -> Vec<RawEntry> {
    let Value::Array(entries) = reply else {
        return vec![];
    };
    entries
        .into_iter()
        .filter_map(|entry| {
            let Value::Array(mut parts) = entry else { return None };
            if parts.len() != 2 {
                return None;
            }
            let fields = parts.pop()?;
            let id = match parts.pop()? {
                Value::BulkString(b) => String::from_utf8(b).ok()?,
                Value::SimpleString(s) => s,
                _ => return None,
            };
            Some((id, event_bytes(fields)))
        })
        .collect()
}

/// The [`EVENT_FIELD`] value of an entry's field list.
fn event_bytes(fields: Value) -> Option<Vec<u8>> {
    let Value::Array(fields) = fields else { return None };
    let mut fields = fields.into_iter();
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        if matches!(&name, Value::BulkString(n) if n == EVENT_FIELD.as_bytes()) {
            if let Value::BulkString(v) = value {
                return Some(v);
            }
        }
    }
    None
}

/// Stage 2: decode a batch; a corrupt entry is skipped loudly (as the tailer does).
fn decode(batch: Vec<RawEntry>) -> Vec<(Cursor, Event)> {
    batch
        .into_iter()
        .filter_map(|(id, json)| {
            let decoded = id.parse::<Cursor>().map_err(|e| e.to_string()).and_then(|c| {
                let json = json.ok_or_else(|| format!("no `{EVENT_FIELD}` field"))?;
                super::read_event(&json).map(|e| (c, e)).map_err(|e| e.to_string())
            });
            decoded
                .map_err(|reason| tracing::error!(id, reason, "skipping undecodable stream entry"))
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    /// An XRANGE reply yields each entry's id and event bytes; entries without the field
    /// keep their id (so they are reported, not silently lost).
    #[test]
    fn takes_ids_and_events_out_of_a_reply() {
        let reply = Value::Array(vec![
            Value::Array(vec![bulk("1-0"), Value::Array(vec![bulk("event"), bulk("{}")])]),
            Value::Array(vec![bulk("2-0"), Value::Array(vec![bulk("other"), bulk("x")])]),
        ]);
        assert_eq!(
            raw_entries(reply),
            vec![("1-0".to_owned(), Some(b"{}".to_vec())), ("2-0".to_owned(), None)]
        );
    }

    /// A batch with a corrupt entry decodes the others.
    #[test]
    fn skips_corrupt_entries() {
        assert!(decode(vec![("1-0".into(), Some(b"not json".to_vec())), ("x".into(), None)]).is_empty());
    }
}
