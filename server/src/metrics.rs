//! Prometheus metrics: every metric's name and description, the recorder (installed once
//! per process), the one-line helpers the rest of the server calls, and `GET /metrics`
//! (text exposition format, rendered from the recorder's handle — no listener of its own).
//! When `--metrics-token` (`PANTAU_METRICS_TOKEN`) is set the route wants
//! `Authorization: Bearer <token>` (401 otherwise); unset, it is public.
//!
//! | name | type | labels | meaning |
//! |---|---|---|---|
//! | `pantau_events_ingested_total` | counter | `tenant`, `type` | events appended (not duplicates) by the write path |
//! | `pantau_events_refused_total` | counter | `reason` | events refused by `POST …/events` (the error code; per line for batches) |
//! | `pantau_append_duration_seconds` | histogram | — | one append pipeline round trip to Redis |
//! | `pantau_projection_lag_seconds` | gauge | `tenant` | age of the newest entry when this process's tailer applied it; 0 when a read finds nothing new |
//! | `pantau_catch_up_duration_seconds` | gauge | `tenant` | how long the last catch-up (start or reconnect) took |
//! | `pantau_ws_sessions_open` | gauge | — | WebSocket sessions open now |
//! | `pantau_ws_frames_sent_total` | counter | — | text frames sent to sessions |
//! | `pantau_ws_sent_bytes_total` | counter | — | bytes of those frames |
//! | `pantau_ws_resyncs_total` | counter | `reason` | resyncs sent (`lagged`, `gap`, a resume refusal) |
//! | `pantau_ws_slow_client_drops_total` | counter | — | sessions closed because a send timed out |
//! | `pantau_ws_backlog_frames` | gauge | `tenant` | frames the tenant's slowest session has not yet taken (its fan-out ring's fill), set at each publish |
//! | `pantau_sla_warnings_total` | counter | `target` | SLA warnings emitted (`response`, `resolution`) |
//! | `pantau_sla_breaches_total` | counter | `target` | SLA breaches emitted |
//! | `pantau_redis_errors_total` | counter | `op` | failed Redis calls (`append`, `tail`, `lease`) |
//! | `pantau_webhook_attempts_total` | counter | `outcome` | webhook delivery attempts (`delivered`, `retrying`, `gave_up`) |
//! | `pantau_connections_open` | gauge | — | TCP connections held now (HTTP, and WebSockets after their upgrade) |
//! | `pantau_connections_refused_total` | counter | `limit` | connections refused over a limit (`total`, `per_addr`) |
//! | `pantau_connections_timed_out_total` | counter | `phase` | connections cut for slowness (`headers`: not in within the header timeout; `body`: below the minimum body rate) |

use crate::error::AppError;
use crate::state::AppState;
use crate::store::{Appended, StoreError};
use ::metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use pantau_shared::event::{Event, EventBody, SlaTarget};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

pub const EVENTS_INGESTED: &str = "pantau_events_ingested_total";
pub const EVENTS_REFUSED: &str = "pantau_events_refused_total";
pub const APPEND_DURATION: &str = "pantau_append_duration_seconds";
pub const PROJECTION_LAG: &str = "pantau_projection_lag_seconds";
pub const CATCH_UP_DURATION: &str = "pantau_catch_up_duration_seconds";
pub const WS_SESSIONS_OPEN: &str = "pantau_ws_sessions_open";
pub const WS_FRAMES_SENT: &str = "pantau_ws_frames_sent_total";
pub const WS_SENT_BYTES: &str = "pantau_ws_sent_bytes_total";
pub const WS_RESYNCS: &str = "pantau_ws_resyncs_total";
pub const WS_SNAPSHOTS: &str = "pantau_ws_snapshots_total";
pub const WS_SLOW_DROPS: &str = "pantau_ws_slow_client_drops_total";
pub const WS_BACKLOG: &str = "pantau_ws_backlog_frames";
pub const SLA_WARNINGS: &str = "pantau_sla_warnings_total";
pub const SLA_BREACHES: &str = "pantau_sla_breaches_total";
pub const REDIS_ERRORS: &str = "pantau_redis_errors_total";
pub const WEBHOOK_ATTEMPTS: &str = "pantau_webhook_attempts_total";
pub const CONNECTIONS_OPEN: &str = "pantau_connections_open";
pub const CONNECTIONS_REFUSED: &str = "pantau_connections_refused_total";
pub const CONNECTIONS_TIMED_OUT: &str = "pantau_connections_timed_out_total";

/// Append latency buckets, seconds (a local Redis answers in well under a millisecond).
const APPEND_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Install the recorder (first call in the process) and describe every metric; later
/// calls return the same handle. If another recorder was installed globally first, the
/// handle renders an empty (but valid) page instead of panicking.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(APPEND_DURATION.into()), APPEND_BUCKETS)
            .expect("the bucket list is not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    describe_counter!(
        EVENTS_INGESTED,
        Unit::Count,
        "Events appended (not duplicates) by the write path."
    );
    describe_counter!(
        EVENTS_REFUSED,
        Unit::Count,
        "Events refused by the ingest API, by error code."
    );
    describe_histogram!(
        APPEND_DURATION,
        Unit::Seconds,
        "One append pipeline round trip to Redis."
    );
    describe_gauge!(
        PROJECTION_LAG,
        Unit::Seconds,
        "Age of the newest entry when the tailer applied it."
    );
    describe_gauge!(
        CATCH_UP_DURATION,
        Unit::Seconds,
        "How long the tenant's last catch-up took."
    );
    describe_gauge!(WS_SESSIONS_OPEN, Unit::Count, "WebSocket sessions open.");
    describe_counter!(WS_FRAMES_SENT, Unit::Count, "Text frames sent to WebSocket sessions.");
    describe_counter!(
        WS_SENT_BYTES,
        Unit::Bytes,
        "Bytes of the text frames sent to WebSocket sessions."
    );
    describe_counter!(
        WS_RESYNCS,
        Unit::Count,
        "Resyncs sent to WebSocket sessions, by reason."
    );
    describe_counter!(
        WS_SNAPSHOTS,
        Unit::Count,
        "Unfiltered snapshots sent to WebSocket sessions: built, or shared (built moments before for another session)."
    );
    describe_counter!(
        WS_SLOW_DROPS,
        Unit::Count,
        "WebSocket sessions closed because a send timed out."
    );
    describe_gauge!(
        WS_BACKLOG,
        Unit::Count,
        "Frames the tenant's slowest WebSocket session has not yet taken."
    );
    describe_counter!(SLA_WARNINGS, Unit::Count, "SLA warnings emitted, by target.");
    describe_counter!(SLA_BREACHES, Unit::Count, "SLA breaches emitted, by target.");
    describe_counter!(REDIS_ERRORS, Unit::Count, "Failed Redis calls, by operation.");
    describe_counter!(WEBHOOK_ATTEMPTS, Unit::Count, "Webhook delivery attempts, by outcome.");
    describe_gauge!(CONNECTIONS_OPEN, Unit::Count, "TCP connections held.");
    describe_counter!(
        CONNECTIONS_REFUSED,
        Unit::Count,
        "Connections refused over a connection limit, by limit."
    );
    describe_counter!(
        CONNECTIONS_TIMED_OUT,
        Unit::Count,
        "Connections cut for slow request headers or bodies, by phase."
    );
}

/// An event was appended (not a duplicate).
pub fn event_ingested(tenant: &str, event_type: &'static str) {
    counter!(EVENTS_INGESTED, "tenant" => tenant.to_owned(), "type" => event_type).increment(1);
}

/// The ingest API refused an event (`reason`: the error code).
pub fn event_refused(reason: &'static str) {
    counter!(EVENTS_REFUSED, "reason" => reason).increment(1);
}

/// Times one append pipeline; records when dropped.
pub struct AppendTimer(Instant);

impl AppendTimer {
    pub fn start() -> Self {
        AppendTimer(Instant::now())
    }
}

impl Drop for AppendTimer {
    fn drop(&mut self) {
        histogram!(APPEND_DURATION).record(self.0.elapsed().as_secs_f64());
    }
}

/// The tailer applied entries up to the one appended at `entry_ms` (Unix ms).
pub fn projection_applied(tenant: &str, entry_ms: u64) {
    let now_ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    let lag = now_ms.saturating_sub(entry_ms) as f64 / 1000.0;
    gauge!(PROJECTION_LAG, "tenant" => tenant.to_owned()).set(lag);
}

/// A read of the stream found nothing new (`at_head`): this process's projection is at the
/// head, so its lag is zero (however old the last entry is).
pub fn at_head_if(at_head: bool, tenant: &str) {
    if at_head {
        gauge!(PROJECTION_LAG, "tenant" => tenant.to_owned()).set(0.0);
    }
}

/// A tailer reached the stream's head `started` after it began reading.
pub fn caught_up(tenant: &str, started: Instant) {
    gauge!(CATCH_UP_DURATION, "tenant" => tenant.to_owned()).set(started.elapsed().as_secs_f64());
}

/// An open WebSocket session: counted while it lives.
pub struct SessionOpen(());

impl SessionOpen {
    pub fn new() -> Self {
        gauge!(WS_SESSIONS_OPEN).increment(1.0);
        SessionOpen(())
    }
}

impl Default for SessionOpen {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SessionOpen {
    fn drop(&mut self) {
        gauge!(WS_SESSIONS_OPEN).decrement(1.0);
    }
}

/// A text frame of `bytes` went to a session.
pub fn frame_sent(bytes: usize) {
    counter!(WS_FRAMES_SENT).increment(1);
    counter!(WS_SENT_BYTES).increment(bytes as u64);
}

/// A session was told to resync.
pub fn resync(reason: &str) {
    counter!(WS_RESYNCS, "reason" => reason.to_owned()).increment(1);
}

/// An unfiltered snapshot was sent: `shared` when another session's, built moments before.
pub fn snapshot_shared(shared: bool) {
    counter!(WS_SNAPSHOTS, "source" => if shared { "shared" } else { "built" }).increment(1);
}

/// After a publish, `frames` of `tenant`'s fan-out ring are still unread by its slowest
/// session.
pub fn fanout_backlog(tenant: &str, frames: usize) {
    gauge!(WS_BACKLOG, "tenant" => tenant.to_owned()).set(frames as f64);
}

/// A session was closed because a send did not complete in time.
pub fn slow_client_dropped() {
    counter!(WS_SLOW_DROPS).increment(1);
}

/// The SLA emitter appended `due` with these `results`: count the warnings and breaches
/// actually written (not those an earlier leader wrote).
pub fn sla_emitted(due: &[Event], results: &[Result<Appended, StoreError>]) {
    for (event, result) in due.iter().zip(results) {
        let (name, mark) = match &event.body {
            EventBody::SlaWarning(m) => (SLA_WARNINGS, m),
            EventBody::SlaBreached(m) => (SLA_BREACHES, m),
            _ => continue,
        };
        if !result.as_ref().is_ok_and(|a| a.is_new) {
            continue;
        }
        let target = match mark.target {
            SlaTarget::Response => "response",
            SlaTarget::Resolution => "resolution",
        };
        counter!(name, "target" => target).increment(1);
    }
}

/// A Redis call failed.
pub fn redis_error(op: &'static str) {
    counter!(REDIS_ERRORS, "op" => op).increment(1);
}

/// One webhook delivery attempt ended (`delivered`, `retrying`, `gave_up`).
pub fn webhook_attempt(outcome: &'static str) {
    counter!(WEBHOOK_ATTEMPTS, "outcome" => outcome).increment(1);
}

/// An accepted TCP connection: counted while it lives.
pub struct ConnectionOpen(());

impl ConnectionOpen {
    pub fn new() -> Self {
        gauge!(CONNECTIONS_OPEN).increment(1.0);
        ConnectionOpen(())
    }
}

impl Default for ConnectionOpen {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ConnectionOpen {
    fn drop(&mut self) {
        gauge!(CONNECTIONS_OPEN).decrement(1.0);
    }
}

/// A connection was refused over a limit (`total`, `per_addr`).
pub fn connection_refused(limit: &'static str) {
    counter!(CONNECTIONS_REFUSED, "limit" => limit).increment(1);
}

/// A connection was cut for slowness (`headers`, `body`).
pub fn connection_timed_out(phase: &'static str) {
    counter!(CONNECTIONS_TIMED_OUT, "phase" => phase).increment(1);
}

/// `GET /metrics`.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/metrics", get(scrape))
}

/// Prometheus text format. With `--metrics-token`, only for its bearer.
#[utoipa::path(get, path = "/metrics", tag = "system",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`unauthenticated`: the server wants `--metrics-token` as a bearer", body = crate::http::openapi::schemas::ErrorBody),
    ))]
async fn scrape(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = state.config.metrics_token.as_deref() {
        if !bearer_matches(&headers, token) {
            return Err(AppError::Unauthenticated("this scrape needs the metrics bearer token"));
        }
    }
    let handle = install();
    handle.run_upkeep();
    let body = handle.render();
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response())
}

/// Whether the request carries `Authorization: Bearer <token>` (compared in constant time).
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Counts refusals of `POST /api/v1/{tenant}/events` by the error code the response
/// carries (see [`ErrorCode`]); lines refused inside a 207 batch are counted where they are
/// judged.
pub async fn count_refusals(req: Request, next: Next) -> Response {
    let ingest = req.method() == Method::POST
        && req.uri().path().starts_with("/api/v1/")
        && req.uri().path().ends_with("/events");
    let response = next.run(req).await;
    if ingest {
        if let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>() {
            event_refused(code);
        }
    }
    response
}

/// The error code of an error response, attached by [`AppError`]'s `into_response`.
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub &'static str);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installing_twice_is_harmless() {
        let a = install() as *const _;
        let b = install() as *const _;
        assert_eq!(a, b);
        event_refused("invalid_field");
        let page = install().render();
        assert!(
            page.contains("pantau_events_refused_total{reason=\"invalid_field\"}"),
            "{page}"
        );
    }

    #[test]
    fn bearer_tokens_must_match_exactly() {
        let mut headers = HeaderMap::new();
        assert!(!bearer_matches(&headers, "s3cret"));
        headers.insert(header::AUTHORIZATION, "Bearer s3cre".parse().unwrap());
        assert!(!bearer_matches(&headers, "s3cret"));
        headers.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(bearer_matches(&headers, "s3cret"));
    }
}
