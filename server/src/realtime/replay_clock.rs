//! A replaying session's clock (pure): the replayed instant runs `speed` times faster than
//! real time from where it was last set, stands still while paused, and jumps on a seek.

use pantau_shared::protocol::REPLAY_SPEEDS;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct ReplayClock {
    /// The replayed instant (Unix ms) at `base`.
    base_at: f64,
    base: Instant,
    speed: f64,
    paused: bool,
}

impl ReplayClock {
    /// At `from_ms` now, running at `speed` (clamped to 1–1000).
    pub fn new(from_ms: i64, speed: f64, now: Instant) -> Self {
        ReplayClock {
            base_at: from_ms as f64,
            base: now,
            speed: clamp(speed),
            paused: false,
        }
    }

    /// The replayed instant at `now`, Unix ms.
    pub fn at(&self, now: Instant) -> i64 {
        if self.paused {
            return self.base_at as i64;
        }
        (self.base_at + now.saturating_duration_since(self.base).as_secs_f64() * 1000.0 * self.speed) as i64
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Restart the count from `now` (before any change).
    fn rebase(&mut self, now: Instant) {
        self.base_at = self.at(now) as f64;
        self.base = now;
    }

    pub fn set_paused(&mut self, paused: bool, now: Instant) {
        self.rebase(now);
        self.paused = paused;
    }

    pub fn set_speed(&mut self, speed: f64, now: Instant) {
        self.rebase(now);
        self.speed = clamp(speed);
    }

    pub fn seek(&mut self, at_ms: i64, now: Instant) {
        self.base_at = at_ms as f64;
        self.base = now;
    }
}

fn clamp(speed: f64) -> f64 {
    if speed.is_finite() {
        speed.clamp(*REPLAY_SPEEDS.start(), *REPLAY_SPEEDS.end())
    } else {
        *REPLAY_SPEEDS.start()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_clock_runs_pauses_seeks_and_changes_speed() {
        let t0 = Instant::now();
        let mut clock = ReplayClock::new(1_000_000, 60.0, t0);
        assert_eq!(clock.at(t0 + Duration::from_secs(2)), 1_000_000 + 120_000);
        clock.set_paused(true, t0 + Duration::from_secs(2));
        assert_eq!(clock.at(t0 + Duration::from_secs(10)), 1_120_000, "paused");
        clock.set_paused(false, t0 + Duration::from_secs(10));
        clock.set_speed(1000.0, t0 + Duration::from_secs(10));
        assert_eq!(clock.at(t0 + Duration::from_secs(11)), 1_120_000 + 1_000_000);
        clock.seek(5_000, t0 + Duration::from_secs(11));
        assert_eq!(clock.at(t0 + Duration::from_secs(11)), 5_000);
        clock.set_speed(1e9, t0);
        assert_eq!(clock.speed(), 1000.0);
        clock.set_speed(f64::NAN, t0);
        assert_eq!(clock.speed(), 1.0);
    }
}
