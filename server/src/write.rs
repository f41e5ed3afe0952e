//! The write path: every event a caller sends — the events API, the ticket commands, Open311
//! — becomes an [`Accepted`] (or a typed refusal) here. Validation happened before
//! ([`crate::validate`]); the store's append script is the judge of the ticket's state: it
//! refuses a stale `expected_version` and an invalid status move atomically, whatever
//! process sent them. This process's projection is not asked to judge — it may lag the
//! stream by the writer's own last event, which refused valid moves made in quick
//! succession — it only lends the script the status of a ticket opened before the script
//! kept statuses ([`ToAppend::status_hint`]).

use crate::live::LiveTenant;
use crate::store::{Store, StoreError, ToAppend};
use crate::tenant::Tenant;
use crate::validate::Command;
use pantau_shared::cursor::Cursor;
use serde::Serialize;

/// Where an accepted event landed (the body of a 202).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The event's id (the client's, or the one given to it).
    pub id: String,
    /// Its stream entry.
    #[schema(value_type = String, example = "1764590000000-0")]
    pub stream_id: Cursor,
    /// Its ticket (`None` for tenant-wide events such as resource gauges).
    pub ticket: Option<String>,
    /// The ticket's version after it (0 for tenant-wide events).
    pub version: u64,
    /// True when the id had been accepted before and nothing was written now.
    pub duplicate: bool,
}

/// Append one validated command (see [`submit_many`]).
pub async fn submit(
    store: &Store,
    live: &LiveTenant,
    tenant: &Tenant,
    command: Command,
) -> Result<Accepted, StoreError> {
    submit_many(store, live, tenant, vec![command])
        .await?
        .pop()
        .expect("one result per command")
}

/// Append commands in one pipeline, in order. The outer error is Redis being unavailable
/// (some may have been written; a retry with the same ids is safe); inner ones are per
/// command.
pub async fn submit_many(
    store: &Store,
    live: &LiveTenant,
    tenant: &Tenant,
    commands: Vec<Command>,
) -> Result<Vec<Result<Accepted, StoreError>>, StoreError> {
    let to_append: Vec<ToAppend> = {
        let projection = live.read();
        commands
            .iter()
            .map(|c| ToAppend {
                event: &c.event,
                expected_version: c.expected_version,
                status_hint: c
                    .event
                    .ticket
                    .as_deref()
                    .and_then(|t| projection.ticket(t))
                    .map(|t| t.status),
                validation: tenant.workflow.validation,
            })
            .collect()
    };
    let appended = store.append_many(&tenant.ticket_prefix, &to_append).await?;
    let results = appended
        .into_iter()
        .zip(&to_append)
        .map(|(result, ToAppend { event, .. })| {
            result.map(|a| {
                if a.is_new {
                    crate::metrics::event_ingested(&tenant.id, event.body.type_name());
                }
                tracing::info!(
                    tenant = %tenant.id,
                    event_id = %event.id,
                    event_type = event.body.type_name(),
                    stream_id = %a.stream_id,
                    ticket = a.ticket.as_deref().unwrap_or("-"),
                    duplicate = !a.is_new,
                    "event accepted"
                );
                Accepted {
                    id: event.id.clone(),
                    stream_id: a.stream_id,
                    ticket: a.ticket,
                    version: a.version,
                    duplicate: !a.is_new,
                }
            })
        })
        .collect();
    Ok(results)
}

/// A fresh event id (UUIDv7: time-ordered).
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
