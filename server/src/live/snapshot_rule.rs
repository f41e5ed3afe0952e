//! When the tailer stores a projection snapshot. Pure.

use std::time::Duration;

/// A snapshot is stored at least this long after the last one, if anything changed.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_secs(60);

/// Whether to store a snapshot now: after `every` entries — or, once the projection holds
/// more tickets than that, after as many entries as it holds tickets (a snapshot serialises
/// every ticket, so snapshotting a large projection every `every` entries made ingest
/// quadratic: it was the top of the server's profile under load) — or after
/// [`SNAPSHOT_INTERVAL`] if anything changed.
pub fn snapshot_due(since: u64, every: u64, tickets: u64, elapsed: Duration) -> bool {
    since >= every.max(tickets) || (since > 0 && elapsed >= SNAPSHOT_INTERVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snapshots follow the configured count while the projection is small, its size once
    /// it is large, and the interval whenever something changed.
    #[test]
    fn snapshots_are_amortised_over_the_projection_size() {
        let soon = Duration::from_secs(1);
        assert!(snapshot_due(10_000, 10_000, 500, soon));
        assert!(!snapshot_due(9_999, 10_000, 500, soon));
        assert!(
            !snapshot_due(10_000, 10_000, 150_000, soon),
            "a large projection waits longer"
        );
        assert!(snapshot_due(150_000, 10_000, 150_000, soon));
        assert!(snapshot_due(1, 10_000, 150_000, SNAPSHOT_INTERVAL));
        assert!(!snapshot_due(0, 10_000, 150_000, SNAPSHOT_INTERVAL), "nothing changed");
    }
}
