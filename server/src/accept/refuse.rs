//! Refusing a connection over a limit: a complete HTTP/1.1 answer written on the raw socket
//! (`429` when the client's address holds too many, `503` when the server is full; both
//! with `Retry-After` and the one JSON error body), then a short lingering close so the
//! client reads it instead of a reset. Refusals are counted, and logged at most once a
//! second with how many were not logged.

use super::table::Refusal;
use crate::error::AppError;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Seconds a refused client is told to wait.
pub const RETRY_AFTER_SECS: u64 = 2;
/// Refusals lingering at once; beyond these a refused connection is just closed.
const LINGERING: usize = 64;
/// How long a refusal waits for the request and then for the client to close.
const LINGER: Duration = Duration::from_secs(1);

/// The error a refusal answers with.
pub fn error(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::PerAddr => AppError::TooManyRequests {
            code: "too_many_connections",
            retry_after_secs: RETRY_AFTER_SECS,
        },
        Refusal::Total => AppError::Busy {
            retry_after_secs: RETRY_AFTER_SECS,
        },
    }
}

/// The whole HTTP/1.1 response of a refusal (pure).
pub fn response_bytes(refusal: Refusal) -> Vec<u8> {
    let error = error(refusal);
    let status = error.status();
    let body = json!({ "error": error.body() }).to_string();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\nretry-after: {RETRY_AFTER_SECS}\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes()
}

/// Writes refusals and logs them (rate-limited).
pub struct Refuser {
    lingering: Arc<Semaphore>,
    last_log: Mutex<Option<Instant>>,
    unlogged: AtomicU64,
}

impl Default for Refuser {
    fn default() -> Self {
        Refuser {
            lingering: Arc::new(Semaphore::new(LINGERING)),
            last_log: Mutex::new(None),
            unlogged: AtomicU64::new(0),
        }
    }
}

impl Refuser {
    /// Refuse `tcp` from `peer`: count, log (at most once a second), answer in the
    /// background.
    pub fn refuse(&self, tcp: TcpStream, peer: SocketAddr, refusal: Refusal) {
        crate::metrics::connection_refused(refusal.label());
        self.log(peer, refusal);
        let Ok(permit) = self.lingering.clone().try_acquire_owned() else {
            return; // too many refusals in progress: closing is the answer
        };
        tokio::spawn(async move {
            answer(tcp, refusal).await;
            drop(permit);
        });
    }

    fn log(&self, peer: SocketAddr, refusal: Refusal) {
        let now = Instant::now();
        let mut last = self.last_log.lock().expect("the log lock is never poisoned");
        if last.is_some_and(|t| now.duration_since(t) < Duration::from_secs(1)) {
            self.unlogged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        *last = Some(now);
        let also = self.unlogged.swap(0, Ordering::Relaxed);
        tracing::warn!(
            %peer,
            limit = refusal.label(),
            refused_since_last_log = also,
            "connection refused: over the connection limit"
        );
    }
}

/// Wait briefly for the request, answer, close our side, and let the client close first.
async fn answer(mut tcp: TcpStream, refusal: Refusal) {
    let mut scratch = [0u8; 4096];
    let _ = tokio::time::timeout(LINGER, tcp.read(&mut scratch)).await;
    if tcp.write_all(&response_bytes(refusal)).await.is_err() {
        return;
    }
    let _ = tcp.shutdown().await;
    let _ = tokio::time::timeout(LINGER, async {
        while matches!(tcp.read(&mut scratch).await, Ok(n) if n > 0) {}
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_complete_http_answers_with_the_error_body() {
        let text = String::from_utf8(response_bytes(Refusal::PerAddr)).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 429 Too Many Requests\r\n"), "{head}");
        assert!(head.contains("retry-after: 2"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "too_many_connections");

        let text = String::from_utf8(response_bytes(Refusal::Total)).unwrap();
        assert!(text.starts_with("HTTP/1.1 503 Service Unavailable\r\n"), "{text}");
        assert!(text.contains("\"code\":\"server_busy\""), "{text}");
    }
}
