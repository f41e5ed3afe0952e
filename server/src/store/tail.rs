//! The tailer: one task per tenant per process reads new stream entries with `XREAD BLOCK`
//! on a connection of its own and hands each batch, serialised once, to the realtime hub.
//! It never skips: after a Redis error it backs off exponentially and resumes from the last
//! id it delivered.

use super::{decode_entry, stream_key, StoreError, EVENT_FIELD};
use crate::realtime::hub::{Frame, TenantChannel};
use crate::shutdown::Shutdown;
use pantau_shared::cursor::Cursor;
use redis::streams::{StreamRangeReply, StreamReadOptions, StreamReadReply};
use redis::AsyncCommands;
use std::time::Duration;
use tracing::Instrument;

/// How long one `XREAD` blocks waiting for entries.
const BLOCK_MS: usize = 5_000;
/// Most entries taken per read (one frame).
const BATCH: usize = 500;
/// Backoff bounds after a Redis error.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Run until shutdown, publishing every new entry of `tenant` to `channel`.
pub async fn run(client: redis::Client, tenant: String, channel: TenantChannel, shutdown: Shutdown) {
    let span = tracing::info_span!("tailer", tenant = %tenant);
    run_inner(client, tenant, channel, shutdown).instrument(span).await
}

async fn run_inner(client: redis::Client, tenant: String, channel: TenantChannel, mut shutdown: Shutdown) {
    let stop = shutdown.clone();
    let mut last: Option<Cursor> = None;
    let mut backoff = BACKOFF_MIN;
    loop {
        let result = tokio::select! {
            _ = shutdown.wait() => return,
            r = tail_once(&client, &tenant, &channel, &mut last, &stop) => r,
        };
        match result {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "tailer lost redis; retrying");
                tokio::select! {
                    _ = shutdown.wait() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}

/// Connect and read until shutdown (Ok) or a Redis error (Err); `last` survives errors.
async fn tail_once(
    client: &redis::Client,
    tenant: &str,
    channel: &TenantChannel,
    last: &mut Option<Cursor>,
    shutdown: &Shutdown,
) -> Result<(), StoreError> {
    // A blocking read needs its own connection and no response timeout shorter than the block.
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_millis(BLOCK_MS as u64 + 5_000)));
    let mut conn = client.get_multiplexed_async_connection_with_config(&config).await?;
    let key = stream_key(tenant);
    let mut from = match *last {
        Some(c) => c,
        None => {
            let newest: StreamRangeReply = conn.xrevrange_count(&key, "+", "-", 1).await?;
            let start = match newest.ids.first() {
                Some(entry) => entry.id.parse().unwrap_or(Cursor::ZERO),
                None => Cursor::ZERO,
            };
            *last = Some(start);
            start
        }
    };
    tracing::info!(from = %from, "tailing");
    let options = StreamReadOptions::default().block(BLOCK_MS).count(BATCH);
    while !shutdown.is_triggered() {
        let reply: Option<StreamReadReply> = conn.xread_options(&[&key], &[from.to_string()], &options).await?;
        let Some(reply) = reply else { continue };
        let mut events = Vec::new();
        let mut to = from;
        for entry in reply.keys.into_iter().flat_map(|k| k.ids) {
            match decode_entry(&entry.id, entry.get(EVENT_FIELD)) {
                Ok((cursor, event)) => {
                    to = cursor;
                    events.push((cursor, event));
                }
                Err(e) => {
                    // Skip a corrupt entry loudly rather than wedging every wall on it.
                    tracing::error!(error = %e, "skipping undecodable stream entry");
                    if let Ok(c) = entry.id.parse() {
                        to = c;
                    }
                }
            }
        }
        if to == from {
            continue;
        }
        if !events.is_empty() {
            channel.publish(Frame::deltas(from, to, events));
        }
        from = to;
        *last = Some(to);
    }
    Ok(())
}
