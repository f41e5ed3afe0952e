//! One tenant's most recent unfiltered snapshot, serialised, shared by the sessions that
//! subscribe within a moment of each other: when a room of walls and consoles reconnects at
//! once (a server restart, a network blip), the snapshot is built and serialised once, not
//! once per screen. The first session builds it while the others wait for it (single
//! flight); it is reused while younger than the session limits' `snapshot_share`.
//!
//! Sessions that asked for compressed snapshots (`subscribe {…, compress: "deflate-raw"}`)
//! get it deflated, compressed once per shared snapshot.
//!
//! A shared snapshot may end before the projection's cursor: the session then sends the
//! entries after it as `deltas` (the resume path), so reuse never skips an event.

use axum::extract::ws::Utf8Bytes;
use pantau_shared::cursor::Cursor;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// A built snapshot: the cursor it ends at and its message (deflated once, for the
/// sessions that asked for compressed snapshots, when the first of them needs it).
#[derive(Clone, Debug)]
pub struct Built {
    pub cursor: Cursor,
    pub text: Utf8Bytes,
    /// The projection's count of applied entries when it was built.
    applied: u64,
    at: Instant,
    deflated: Arc<OnceLock<bytes::Bytes>>,
}

impl Built {
    /// The message, deflated (raw deflate, see [`deflate`]); computed once per snapshot.
    pub fn deflated(&self) -> bytes::Bytes {
        self.deflated.get_or_init(|| deflate(self.text.as_str())).clone()
    }
}

/// `text` compressed with raw deflate (RFC 1951, no header), as a compressed snapshot frame
/// carries it; the browser's `DecompressionStream("deflate-raw")` reads it back.
pub fn deflate(text: &str) -> bytes::Bytes {
    use std::io::Write;
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::with_capacity(text.len() / 8), flate2::Compression::fast());
    encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .map(bytes::Bytes::from)
        .expect("deflating into memory cannot fail")
}

/// The shared snapshot of one tenant (see the module's doc).
/// The most entries a shared snapshot may lie behind the projection: each session taking it
/// reads and sends those entries itself, which soon costs more than building anew (on a busy
/// tenant — SLA events, a flood of reports — the projection moves on quickly).
pub const MAX_BEHIND: u64 = 200;

#[derive(Debug, Default)]
pub struct SharedSnapshot {
    last: Mutex<Option<Built>>,
}

impl SharedSnapshot {
    /// The snapshot built less than `max_age` ago and at most [`MAX_BEHIND`] entries behind
    /// `applied_now` (the projection's count), or a new one from `build` (which returns its
    /// cursor, the projection's count and the message). With a zero `max_age` every call
    /// builds.
    pub async fn get_or_build(
        &self,
        max_age: Duration,
        applied_now: u64,
        build: impl FnOnce() -> (Cursor, u64, Utf8Bytes),
    ) -> Built {
        let fresh = |build: Box<dyn FnOnce() -> (Cursor, u64, Utf8Bytes) + '_>| {
            let (cursor, applied, text) = build();
            Built {
                cursor,
                text,
                applied,
                at: Instant::now(),
                deflated: Arc::default(),
            }
        };
        if max_age.is_zero() {
            return fresh(Box::new(build));
        }
        // Held while building: sessions arriving meanwhile wait and take this one.
        let mut last = self.last.lock().await;
        let young = |b: &&Built| b.at.elapsed() < max_age && applied_now.saturating_sub(b.applied) <= MAX_BEHIND;
        if let Some(built) = last.as_ref().filter(young) {
            crate::metrics::snapshot_shared(true);
            return built.clone();
        }
        crate::metrics::snapshot_shared(false);
        let built = fresh(Box::new(build));
        *last = Some(built.clone());
        built
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(ms: u64) -> Cursor {
        Cursor { ms, seq: 0 }
    }

    /// Within the age and [`MAX_BEHIND`] the first build is reused; past either, or with no
    /// age, a new one is built.
    #[tokio::test(start_paused = true)]
    async fn reused_while_young() {
        let shared = SharedSnapshot::default();
        let age = Duration::from_secs(1);
        let first = shared.get_or_build(age, 10, || (c(1), 10, "one".into())).await;
        assert_eq!(first.cursor, c(1));
        let again = shared
            .get_or_build(age, 10 + MAX_BEHIND, || panic!("a young snapshot is reused"))
            .await;
        assert_eq!(again.text.as_str(), "one");
        let ahead = shared
            .get_or_build(age, 11 + MAX_BEHIND, || (c(2), 11 + MAX_BEHIND, "two".into()))
            .await;
        assert_eq!(ahead.cursor, c(2), "too far behind the projection: built anew");
        tokio::time::advance(Duration::from_millis(1_001)).await;
        let later = shared.get_or_build(age, 0, || (c(3), 0, "three".into())).await;
        assert_eq!(later.cursor, c(3), "too old: built anew");
        let unshared = shared
            .get_or_build(Duration::ZERO, 0, || (c(4), 0, "four".into()))
            .await;
        assert_eq!(unshared.cursor, c(4));
    }

    /// A deflated snapshot inflates back to the text, and is computed once.
    #[tokio::test]
    async fn deflated_once_and_inflates_back() {
        use std::io::Read;
        let shared = SharedSnapshot::default();
        let text = r#"{"type":"snapshot","tickets":[]}"#.repeat(50);
        let built = shared
            .get_or_build(Duration::from_secs(1), 0, || (c(1), 0, text.as_str().into()))
            .await;
        let packed = built.deflated();
        assert!(packed.len() < text.len() / 4, "{} of {}", packed.len(), text.len());
        assert_eq!(packed.as_ptr(), built.deflated().as_ptr(), "computed once");
        let mut back = String::new();
        flate2::read::DeflateDecoder::new(&packed[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
    }

    /// Many sessions at once: one build.
    #[tokio::test]
    async fn a_storm_builds_once() {
        let shared = std::sync::Arc::new(SharedSnapshot::default());
        let builds = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (shared, builds) = (shared.clone(), builds.clone());
                tokio::spawn(async move {
                    shared
                        .get_or_build(Duration::from_secs(5), 0, || {
                            builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                            (c(7), 0, "snap".into())
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().cursor, c(7));
        }
        assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
