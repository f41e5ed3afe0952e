//! Schemas of the document that no handler type carries: the one error body (its shape is
//! pinned to [`AppError::body`](crate::error::AppError::body) by a test) and the answers the
//! handlers build with `json!`. Documentation only: nothing here is sent or parsed.

use crate::write::Accepted;
use pantau_shared::ticket::Ticket;
use pantau_shared::workload::Load;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Name of the error body's schema in `components.schemas`.
pub const ERROR_SCHEMA: &str = "ErrorBody";

/// Every refusal of the API: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and people (`message`).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// `malformed_json`, `invalid_field`, `unknown_tenant`, `payload_too_large`,
    /// `not_found`, `version_conflict`, `invalid_transition`, `unauthenticated`,
    /// `bad_credentials`, `forbidden`, `csrf`, `category`, `workflow`, `locked_out`,
    /// `rate_limited`, `store_unavailable`, …
    #[schema(example = "invalid_field")]
    pub code: String,
    pub message: String,
    /// The request field at fault (`reason`, `[3].lat` in a batch), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `version_conflict`: the ticket's version now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

/// `GET /healthz`, and `GET /readyz` when ready.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready`, or `catching_up` (503: the tenants whose projection is behind).
    #[schema(example = "ready")]
    pub status: String,
    /// With `catching_up`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenants: Option<Vec<String>>,
}

/// `GET …/tickets`: one page of the matching tickets.
#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    /// Matching tickets in all pages.
    pub total: usize,
    pub offset: usize,
    pub tickets: Vec<Ticket>,
}

/// `GET …/sla`: tickets per SLA state of each target, now.
#[derive(Serialize, ToSchema)]
pub struct SlaSummary {
    /// Unix ms.
    pub server_time: i64,
    /// Tickets per state of their response target (`on_track`, `warning`, `breached`,
    /// `paused`, `met`, `missed`).
    pub response: BTreeMap<String, u64>,
    /// Tickets per state of their resolution target.
    pub resolution: BTreeMap<String, u64>,
}

/// `GET …/workload`.
#[derive(Serialize, ToSchema)]
pub struct Workload {
    /// Unix ms.
    pub server_time: i64,
    pub rows: Vec<Load>,
}

/// `POST …/tickets/bulk/assign`: each ticket judged on its own.
#[derive(Serialize, ToSchema)]
pub struct BulkReply {
    pub results: Vec<BulkOutcome>,
}

/// One ticket of a bulk reassignment: 202 with where its event landed, or the status and
/// error body it would have got alone.
#[derive(Serialize, ToSchema)]
pub struct BulkOutcome {
    pub ticket: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// The `ticket.*` commands carry, besides their own fields, these optional ones.
#[derive(Deserialize, ToSchema)]
pub struct CommandMeta {
    /// Client-chosen UUID: a retry with the same id is answered `duplicate: true`.
    pub id: Option<String>,
    /// The ticket version the caller saw (409 `version_conflict` if it moved on).
    pub expected_version: Option<u64>,
}

/// A `ticket.*` command's body: the event's own fields and the optional [`CommandMeta`]
/// (`type`, `ticket` and the actor come from the route and the caller).
#[derive(Deserialize, ToSchema)]
pub struct Command<T> {
    #[serde(flatten)]
    pub fields: T,
    #[serde(flatten)]
    pub meta: CommandMeta,
}

/// `{tenant}` of a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TenantPath {
    /// The tenant's id (`tangerang`).
    pub tenant: String,
}

/// `{tenant}` and `{ticket}` of a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TicketPath {
    /// The tenant's id (`tangerang`).
    pub tenant: String,
    /// The ticket's number (`TGR-000042`).
    pub ticket: String,
}

/// `POST …/tickets/{ticket}/merge`: merge `{ticket}` (a duplicate) into `into`.
#[derive(Deserialize, ToSchema)]
pub struct MergeBody {
    /// The ticket that carries the job.
    pub into: String,
    #[serde(flatten)]
    pub meta: CommandMeta,
}

/// A file: a photo (JPEG, PNG or WebP), served as stored.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Photo(pub Vec<u8>);

/// `POST …/tickets/{ticket}/media` (`multipart/form-data`).
#[derive(Deserialize, ToSchema)]
pub struct MediaForm {
    /// The photo: JPEG, PNG or WebP, within the tenant's `evidence.max_bytes`.
    #[schema(value_type = String, format = Binary)]
    pub photo: Vec<u8>,
    /// `report`, `progress` or `completion` (default: `progress` for people, `report` for
    /// keys).
    pub stage: Option<pantau_shared::event::MediaStage>,
    /// Idempotency key, a UUID: the event's id. Sending the same upload again with it answers
    /// `duplicate: true` and the photo as first stored; no second event.
    pub id: Option<String>,
}
