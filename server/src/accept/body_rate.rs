//! Request bodies that trickle: a body must keep up a minimum average rate after a grace
//! period — by `grace + received / min_rate` after the request began, the next bytes must
//! be in, or reading fails. The middleware then answers `408` with the one JSON error body
//! (`request_timeout`) and closes the connection, whatever the handler made of the failed
//! read. Bodies nobody reads are not timed here (hyper drops them with the connection).

use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper::body::{Body as _, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The rule: `min_rate` bytes per second on average (0: off), after `grace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyRate {
    pub min_rate: u64,
    pub grace: Duration,
}

impl BodyRate {
    /// How long after the request began the body may take to deliver `received` bytes and
    /// the next ones (pure).
    pub fn allowance(&self, received: u64) -> Duration {
        self.grace + Duration::from_secs_f64(received as f64 / self.min_rate.max(1) as f64)
    }
}

/// The middleware: wraps the request body in a [`RateBody`] and turns its failure into 408.
pub async fn enforce(rate: BodyRate, req: Request, next: Next) -> Response {
    if rate.min_rate == 0 || req.body().size_hint().exact() == Some(0) {
        return next.run(req).await;
    }
    let tripped = Arc::new(AtomicBool::new(false));
    let flag = tripped.clone();
    let req = req.map(|body| Body::new(RateBody::new(body, rate, flag)));
    let response = next.run(req).await;
    if !tripped.load(Ordering::Relaxed) {
        return response;
    }
    crate::metrics::connection_timed_out("body");
    let mut response = AppError::RequestTimeout("the request body arrived too slowly").into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A body read failed because it came too slowly.
#[derive(Debug, thiserror::Error)]
#[error("request body arrived too slowly")]
pub struct TooSlow;

/// A request body that fails once it falls behind its [`BodyRate`].
pub struct RateBody {
    inner: Body,
    rate: BodyRate,
    started: Instant,
    received: u64,
    deadline: Pin<Box<Sleep>>,
    tripped: Arc<AtomicBool>,
}

impl RateBody {
    pub fn new(inner: Body, rate: BodyRate, tripped: Arc<AtomicBool>) -> RateBody {
        let started = Instant::now();
        RateBody {
            inner,
            rate,
            started,
            received: 0,
            deadline: Box::pin(tokio::time::sleep_until(started + rate.allowance(0))),
            tripped,
        }
    }
}

impl hyper::body::Body for RateBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    let next = this.started + this.rate.allowance(this.received);
                    this.deadline.as_mut().reset(next);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                ready!(this.deadline.as_mut().poll(cx));
                this.tripped.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(axum::Error::new(TooSlow))))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use tokio::sync::mpsc;

    const RATE: BodyRate = BodyRate {
        min_rate: 100,
        grace: Duration::from_secs(2),
    };

    #[test]
    fn the_allowance_grows_with_what_arrived() {
        assert_eq!(RATE.allowance(0), Duration::from_secs(2));
        assert_eq!(RATE.allowance(100), Duration::from_secs(3));
        assert_eq!(RATE.allowance(1_000), Duration::from_secs(12));
    }

    async fn next(body: &mut RateBody) -> Option<Result<Frame<Bytes>, axum::Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_fails_and_trips_the_flag() {
        let (tx, rx) = mpsc::channel::<Bytes>(4);
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
        });
        let tripped = Arc::new(AtomicBool::new(false));
        let mut body = RateBody::new(Body::from_stream(stream), RATE, tripped.clone());
        tx.send(Bytes::from_static(b"0123456789")).await.unwrap();
        let frame = next(&mut body).await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap().len(), 10);
        assert!(!tripped.load(Ordering::Relaxed));
        // Allowed until 2.1 s after the start; nothing more comes.
        let error = next(&mut body).await.unwrap().unwrap_err();
        assert!(error.to_string().contains("too slowly"), "{error}");
        assert!(tripped.load(Ordering::Relaxed));
        drop(tx);
    }
}
