//! The soak's verdict: the soak events as stored in each tenant's stream (read back from
//! Redis in order, duplicates counted), and each client's fold compared with its tenant's —
//! a client that was never resynced must have received exactly the stored events, each
//! once, in the stream's order.

use super::client::{End, Fold};
use super::load::event_numbers;
use pantau_e2e::{stream_key, RedisServer};
use redis::streams::StreamRangeReply;

/// Entries read per XRANGE.
const CHUNK: usize = 5_000;

/// One tenant's stream, as far as soak events go.
pub struct Stored {
    pub fold: Fold,
    /// Soak events stored more than once.
    pub duplicates: u64,
}

/// Read every tenant's stream in order; `capacity` bounds the event numbers.
pub async fn read_streams(redis: &RedisServer, tenants: &[String], capacity: usize) -> anyhow::Result<Vec<Stored>> {
    let mut conn = redis.conn().await;
    let mut seen = vec![false; capacity];
    let mut all = Vec::new();
    for tenant in tenants {
        let key = stream_key(tenant);
        let mut stored = Stored {
            fold: Fold::default(),
            duplicates: 0,
        };
        let mut from = "-".to_owned();
        loop {
            let reply: StreamRangeReply = redis::cmd("XRANGE")
                .arg(&key)
                .arg(&from)
                .arg("+")
                .arg("COUNT")
                .arg(CHUNK)
                .query_async(&mut conn)
                .await?;
            for entry in &reply.ids {
                let event: String = entry.get("event").unwrap_or_default();
                for seq in event_numbers(&event) {
                    match seen.get_mut(seq as usize) {
                        Some(s) if *s => stored.duplicates += 1,
                        Some(s) => {
                            *s = true;
                            stored.fold.add(seq);
                        }
                        None => anyhow::bail!("stored event number {seq} was never sent"),
                    }
                }
            }
            match reply.ids.last() {
                Some(last) if reply.ids.len() == CHUNK => from = format!("({}", last.id),
                _ => break,
            }
        }
        all.push(stored);
    }
    Ok(all)
}

/// How the clients fared against the stored streams.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Soak events stored (all tenants) and stored twice.
    pub stored: u64,
    pub stored_duplicates: u64,
    /// Clients that received exactly their tenant's stored events, once each, in order.
    pub exact_clients: usize,
    /// Clients never resynced that nevertheless missed, repeated or reordered an event (or
    /// saw a gap between frames, or whose socket ended early).
    pub bad_clients: usize,
    /// Clients resynced at least once (they got a snapshot instead of some events: not
    /// judged event by event), and all resyncs.
    pub resynced_clients: usize,
    pub resyncs: u64,
    /// Frames that did not continue the previous one, over all clients.
    pub gaps: u64,
    /// Sockets that ended before the soak did.
    pub ended_early: usize,
    /// Deliveries received, and expected (stored events × the tenant's clients).
    pub delivered: u64,
    pub expected: u64,
    /// The first few bad clients, described.
    pub examples: Vec<String>,
}

/// Compare every client with its tenant's stream.
pub fn judge(ends: &[End], stored: &[Stored]) -> Verdict {
    let mut v = Verdict {
        stored: stored.iter().map(|s| s.fold.count).sum(),
        stored_duplicates: stored.iter().map(|s| s.duplicates).sum(),
        ..Verdict::default()
    };
    for (i, end) in ends.iter().enumerate() {
        let want = stored[end.tenant].fold;
        v.delivered += end.fold.count;
        v.expected += want.count;
        v.resyncs += end.resyncs;
        v.gaps += end.gaps;
        v.ended_early += usize::from(end.ended_early);
        if end.resyncs > 0 {
            v.resynced_clients += 1;
        } else if end.fold == want && end.gaps == 0 && !end.ended_early {
            v.exact_clients += 1;
        } else {
            v.bad_clients += 1;
            if v.examples.len() < 5 {
                v.examples.push(format!(
                    "client {i} (tenant {}): {} events (stream {}), same sum {}, same order {}, {} gaps, ended early {}",
                    end.tenant,
                    end.fold.count,
                    want.count,
                    end.fold.sum == want.sum,
                    end.fold.hash == want.hash,
                    end.gaps,
                    end.ended_early
                ));
            }
        }
    }
    v
}
