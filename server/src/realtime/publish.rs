//! The publisher: one task per tenant between the tailer and the hub. It coalesces the
//! tailer's batches so a tenant's sessions get at most one `deltas` frame per interval
//! (leading edge: a batch after a quiet interval goes out at once), serialises each frame
//! once, and keeps status changes in order with the data around them.

use crate::live::Tailed;
use crate::realtime::hub::{Frame, TenantChannel};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Batches being coalesced.
struct Pending {
    from: Cursor,
    to: Cursor,
    events: Vec<(Cursor, Event)>,
}

fn flush(channel: &TenantChannel, pending: &mut Option<Pending>) {
    if let Some(p) = pending.take() {
        if channel.has_subscribers() {
            channel.publish(Frame::deltas(p.from, p.to, p.events));
        }
    }
}

/// Add a message to the pending frame; a status flushes the data before it and goes out.
fn take(channel: &TenantChannel, pending: &mut Option<Pending>, msg: Tailed) {
    match msg {
        Tailed::Batch { from, to, mut events } => match pending {
            Some(p) => {
                p.to = to;
                p.events.append(&mut events);
            }
            None => *pending = Some(Pending { from, to, events }),
        },
        Tailed::Link(state, reason) => {
            flush(channel, pending);
            channel.publish(Frame::status(state, reason));
        }
    }
}

/// Run until the tailer's sender is dropped.
pub async fn run(mut rx: mpsc::Receiver<Tailed>, channel: TenantChannel, interval: Duration) {
    let mut last_flush = Instant::now() - interval;
    let mut pending: Option<Pending> = None;
    while let Some(msg) = rx.recv().await {
        take(&channel, &mut pending, msg);
        let due = last_flush + interval;
        let mut open = true;
        while open && pending.is_some() && Instant::now() < due {
            tokio::select! {
                _ = tokio::time::sleep_until(due) => break,
                next = rx.recv() => match next {
                    Some(m) => take(&channel, &mut pending, m),
                    None => open = false,
                },
            }
        }
        while let Ok(m) = rx.try_recv() {
            take(&channel, &mut pending, m);
        }
        if pending.is_some() {
            flush(&channel, &mut pending);
            last_flush = Instant::now();
        }
        if !open {
            break;
        }
    }
    flush(&channel, &mut pending);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::hub::Hub;
    use pantau_shared::protocol::LinkState;
    use std::sync::Arc;

    fn batch(from: u64, to: u64) -> Tailed {
        let c = |ms| Cursor { ms, seq: 0 };
        Tailed::Batch {
            from: c(from),
            to: c(to),
            events: vec![],
        }
    }

    fn deltas(frame: &Arc<Frame>) -> (u64, u64) {
        match &**frame {
            Frame::Deltas { from, to, .. } => (from.ms, to.ms),
            Frame::Status { .. } => panic!("expected deltas"),
        }
    }

    /// The first batch goes out at once; batches inside the interval are merged into one
    /// frame sent when the interval ends; a status keeps its place in the order.
    #[tokio::test(start_paused = true)]
    async fn coalesces_with_a_leading_edge() {
        let hub = Hub::new(["t"], 16);
        let channel = hub.channel("t").unwrap().clone();
        let mut frames = channel.subscribe();
        let (tx, rx) = mpsc::channel(16);
        let task = tokio::spawn(run(rx, channel, Duration::from_millis(100)));

        tx.send(batch(0, 1)).await.unwrap();
        assert_eq!(deltas(&frames.recv().await.unwrap()), (0, 1));
        let t0 = Instant::now();
        tx.send(batch(1, 2)).await.unwrap();
        tx.send(batch(2, 3)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
        tx.send(batch(3, 4)).await.unwrap();
        assert_eq!(deltas(&frames.recv().await.unwrap()), (1, 4));
        assert!(
            Instant::now() - t0 >= Duration::from_millis(90),
            "held until the interval ended"
        );

        tokio::time::sleep(Duration::from_millis(200)).await;
        tx.send(batch(4, 5)).await.unwrap();
        tx.send(Tailed::Link(LinkState::Degraded, None)).await.unwrap();
        assert_eq!(deltas(&frames.recv().await.unwrap()), (4, 5));
        assert!(matches!(
            &*frames.recv().await.unwrap(),
            Frame::Status {
                state: LinkState::Degraded,
                ..
            }
        ));
        drop(tx);
        task.await.unwrap();
    }
}
