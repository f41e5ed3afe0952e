//! Ingest rate limits per API key: a token bucket per key, refilled at `rate` events per
//! second up to `burst`; an event (a batch line counts as one) takes a token, and a request
//! that cannot be paid in full is refused with the seconds until it could be (429 +
//! Retry-After). Per process: behind a load balancer each process grants its own share.
//! The bucket is pure (time comes in); [`RateLimiter`] keeps one per key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// One key's bucket.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn full(burst: f64, now: Instant) -> Bucket {
        Bucket { tokens: burst, at: now }
    }

    /// Take `cost` tokens at `now`, or say in how many seconds they will be there.
    pub fn take(&mut self, cost: f64, rate: f64, burst: f64, now: Instant) -> Result<(), u64> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        self.at = now;
        if cost <= self.tokens {
            self.tokens -= cost;
            Ok(())
        } else {
            let missing = cost.min(burst) - self.tokens;
            Err((missing / rate).ceil().max(1.0) as u64)
        }
    }
}

/// The buckets of every key seen, by `tenant/key`.
pub struct RateLimiter {
    /// Events per second a key may sustain.
    pub rate: f64,
    /// Events a key may send at once.
    pub burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate: rate.max(0.001),
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Charge `events` to `key` now; `Err(seconds)` to wait when it is over its limit.
    pub fn charge(&self, key: &str, events: usize) -> Result<(), u64> {
        let now = Instant::now();
        // A panic cannot happen under this lock (arithmetic only); if one did, the buckets
        // are still consistent numbers, so take them back.
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets
            .entry(key.to_owned())
            .or_insert_with(|| Bucket::full(self.burst, now));
        bucket.take(events as f64, self.rate, self.burst, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A burst is allowed at once, then the rate; the wait is said in whole seconds.
    #[test]
    fn a_bucket_allows_a_burst_then_the_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::full(10.0, t0);
        assert_eq!(b.take(10.0, 5.0, 10.0, t0), Ok(()));
        assert_eq!(b.take(1.0, 5.0, 10.0, t0), Err(1));
        assert_eq!(b.take(5.0, 5.0, 10.0, t0 + Duration::from_secs(1)), Ok(()));
        assert_eq!(b.take(10.0, 5.0, 10.0, t0 + Duration::from_secs(1)), Err(2));
        assert_eq!(
            b.take(500.0, 5.0, 10.0, t0 + Duration::from_secs(1)),
            Err(2),
            "capped at a burst"
        );
    }

    /// Keys have their own buckets.
    #[test]
    fn keys_are_limited_separately() {
        let limiter = RateLimiter::new(1.0, 2.0);
        assert!(limiter.charge("t/a", 2).is_ok());
        assert!(limiter.charge("t/a", 1).is_err());
        assert!(limiter.charge("t/b", 2).is_ok());
    }
}
