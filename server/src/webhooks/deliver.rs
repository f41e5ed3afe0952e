//! One webhook's delivery task: takes the jobs the tenant's worker queues for it, in stream
//! order, and POSTs each — signed, with its event id — until the receiver answers 2xx or
//! the webhook's attempts run out, waiting [`plan::backoff`] between tries. Every attempt
//! goes to the delivery log; the worker hears when a job is done (delivered or given up).
//! A slow or dead receiver holds up only its own queue.

use super::plan;
use super::sign;
use super::store::{self, Attempt};
use crate::shutdown::Shutdown;
use crate::store::RedisConn;
use crate::tenant::webhooks::Webhook;
use bytes::Bytes;
use std::time::Duration;
use tokio::sync::mpsc;

/// The header naming the event (the receiver's idempotency key).
pub const EVENT_ID_HEADER: &str = "X-Pantau-Event-Id";
/// The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "X-Pantau-Signature";

/// An event to send to one webhook.
pub struct Job {
    /// The stream entry (acknowledged once every webhook is done with it).
    pub entry: String,
    /// The event's id.
    pub event_id: String,
    /// The JSON body, shared by every webhook that gets the event.
    pub body: Bytes,
}

/// What the receiver said to one attempt: its HTTP status, or why there was none.
type Answer = Result<u16, String>;

/// Deliver the queued jobs until the queue closes or shutdown; report each finished entry
/// on `done`.
pub async fn run(
    hook: Webhook,
    tenant: String,
    http: reqwest::Client,
    mut conn: RedisConn,
    mut jobs: mpsc::Receiver<Job>,
    done: mpsc::UnboundedSender<String>,
    mut shutdown: Shutdown,
) {
    loop {
        let job = tokio::select! {
            job = jobs.recv() => match job { Some(job) => job, None => return },
            _ = shutdown.wait() => return,
        };
        if !deliver(&hook, &tenant, &http, &mut conn, &job, &mut shutdown).await {
            return;
        }
        let _ = done.send(job.entry);
    }
}

/// Try `job` until delivered or given up (true), or until shutdown (false: the entry stays
/// pending and is delivered again after the restart).
async fn deliver(
    hook: &Webhook,
    tenant: &str,
    http: &reqwest::Client,
    conn: &mut RedisConn,
    job: &Job,
    shutdown: &mut Shutdown,
) -> bool {
    let first = Duration::from_millis(hook.backoff_ms);
    for attempt in 1..=hook.max_attempts {
        let answer = tokio::select! {
            answer = post(http, hook, job) => answer,
            _ = shutdown.wait() => return false,
        };
        let delivered = matches!(answer, Ok(status) if (200..300).contains(&status));
        let last = attempt == hook.max_attempts;
        let outcome = match (delivered, last) {
            (true, _) => "delivered",
            (false, false) => "retrying",
            (false, true) => "gave_up",
        };
        crate::metrics::webhook_attempt(outcome);
        let (status, error) = match answer {
            Ok(status) => (Some(status), None),
            Err(e) => (None, Some(e)),
        };
        let logged = Attempt {
            log_id: String::new(),
            event: job.event_id.clone(),
            webhook: hook.id.clone(),
            url: hook.url.clone(),
            attempt,
            status,
            error,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            outcome: outcome.to_owned(),
        };
        if let Err(e) = store::log(conn, tenant, &logged).await {
            tracing::warn!(%tenant, webhook = %hook.id, error = %e, "cannot write the delivery log");
        }
        if delivered {
            return true;
        }
        if last {
            tracing::warn!(%tenant, webhook = %hook.id, event = %job.event_id, attempts = attempt, status = ?logged.status, error = ?logged.error, "webhook delivery given up");
            return true;
        }
        let wait = plan::backoff(first, attempt);
        tracing::info!(%tenant, webhook = %hook.id, event = %job.event_id, attempt, retry_in_ms = wait.as_millis() as u64, status = ?logged.status, error = ?logged.error, "webhook delivery failed; retrying");
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait() => return false,
        }
    }
    true
}

/// One signed POST.
async fn post(http: &reqwest::Client, hook: &Webhook, job: &Job) -> Answer {
    let t = chrono::Utc::now().timestamp();
    let response = http
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_ID_HEADER, &job.event_id)
        .header(SIGNATURE_HEADER, sign::signature(&hook.secret, t, &job.body))
        .body(job.body.clone())
        .send()
        .await
        .map_err(describe)?;
    Ok(response.status().as_u16())
}

/// A transport error with its causes (`connection refused`), without the URL (logged apart).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
