//! When a socket needs a WebSocket ping, an application `heartbeat`, or closing. Pure: the
//! session feeds it the times it heard from and wrote to the client.
//!
//! - ping every `ping_every` so browsers (which answer pings by themselves) prove they live;
//! - `heartbeat` after `ping_every` without any message, so clients can tell a quiet server
//!   from a dead one (browsers cannot see pings);
//! - close after `idle_timeout` without hearing anything, not even a pong.

use tokio::time::{Duration, Instant};

/// What is due now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    Ping,
    Heartbeat,
    Close,
}

#[derive(Clone, Debug)]
pub struct Liveness {
    ping_every: Duration,
    idle_timeout: Duration,
    last_heard: Instant,
    last_sent: Instant,
    last_ping: Instant,
}

impl Liveness {
    pub fn new(now: Instant, ping_every: Duration, idle_timeout: Duration) -> Self {
        Liveness {
            ping_every,
            idle_timeout,
            last_heard: now,
            last_sent: now,
            last_ping: now,
        }
    }

    /// The client sent something (a message, a pong).
    pub fn heard(&mut self, now: Instant) {
        self.last_heard = now;
    }

    /// A message went to the client.
    pub fn sent(&mut self, now: Instant) {
        self.last_sent = now;
    }

    /// When [`Liveness::poll`] will next have something to do.
    pub fn next_deadline(&self) -> Instant {
        (self.last_heard + self.idle_timeout)
            .min(self.last_sent + self.ping_every)
            .min(self.last_ping + self.ping_every)
    }

    /// What is due at `now` (closing first), recording pings and heartbeats as done.
    pub fn poll(&mut self, now: Instant) -> Option<Due> {
        if now >= self.last_heard + self.idle_timeout {
            return Some(Due::Close);
        }
        if now >= self.last_ping + self.ping_every {
            self.last_ping = now;
            return Some(Due::Ping);
        }
        if now >= self.last_sent + self.ping_every {
            self.last_sent = now;
            return Some(Due::Heartbeat);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    /// A silent client is pinged every interval, gets heartbeats when nothing else is sent,
    /// and is closed after the idle timeout; hearing from it postpones the close.
    #[test]
    fn pings_heartbeats_and_closes() {
        let t0 = Instant::now();
        let mut l = Liveness::new(t0, 15 * S, 45 * S);
        assert_eq!(l.next_deadline(), t0 + 15 * S);
        assert_eq!(l.poll(t0 + 14 * S), None);
        assert_eq!(l.poll(t0 + 15 * S), Some(Due::Ping));
        assert_eq!(l.poll(t0 + 15 * S), Some(Due::Heartbeat));
        assert_eq!(l.poll(t0 + 15 * S), None);
        l.sent(t0 + 20 * S);
        assert_eq!(l.poll(t0 + 30 * S), Some(Due::Ping));
        assert_eq!(l.poll(t0 + 30 * S), None, "data was sent 10 s ago: no heartbeat yet");
        l.heard(t0 + 40 * S);
        assert_eq!(l.poll(t0 + 50 * S), Some(Due::Ping));
        assert_eq!(l.poll(t0 + 50 * S), Some(Due::Heartbeat));
        assert_eq!(l.poll(t0 + 84 * S), Some(Due::Ping));
        assert_eq!(l.poll(t0 + 85 * S), Some(Due::Close));
    }
}
