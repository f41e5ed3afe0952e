//! Events: what the Redis Stream holds, one JSON document per entry (field `event`).
//!
//! The envelope (`v`, `id`, `tenant`, `ticket`, `at`, `actor`) and the type-specific body sit
//! side by side in one object, tagged by `type` (serde's internally tagged enum), exactly as
//! `POST /api/v1/{tenant}/events` accepts them. Field order matters for one reason: the
//! append script fills in `"ticket":null` (the first occurrence, which is always the
//! envelope's because user-controlled text only appears after it).
//!
//! Compatibility, deliberately: within `v` 1 changes are additive. Readers ignore unknown
//! fields; an event whose `type` this build does not know decodes as [`EventBody::Unknown`]
//! (kept in the stream, skipped by the projection, never shown), so an older process keeps
//! running next to a newer one. A breaking change gets a new `v` and a migration.

use serde::{Deserialize, Serialize};

mod workflow;
pub use workflow::{Media, MediaStage, Merge, Reporter, Unmerge, Validation, Verification, REJECTION_REASONS};

/// One event of a tenant's stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Schema version ([`crate::PROTOCOL_VERSION`] when written).
    pub v: u32,
    /// Idempotency key: client-supplied or a generated UUIDv7.
    pub id: String,
    /// The tenant (region) whose stream holds the event.
    pub tenant: String,
    /// The ticket the event belongs to (e.g. `TGR-000123`); for a new report it is assigned
    /// at append time, so `None` only before the event is in the stream (and for tenant-wide
    /// events such as `resource.updated`).
    pub ticket: Option<String>,
    /// When it happened, RFC 3339 in UTC.
    pub at: String,
    /// Who caused it (user, API key or source system), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The type tag and its fields.
    #[serde(flatten)]
    pub body: EventBody,
}

/// The type-specific part of an event, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type")]
pub enum EventBody {
    /// A citizen report arrived (LAKSA app, Open311, call centre, ...); opens a ticket.
    #[serde(rename = "report.received")]
    ReportReceived(Report),
    /// The ticket was routed (or re-routed) to an agency (OPD) and possibly an officer.
    #[serde(rename = "ticket.assigned")]
    TicketAssigned(Assignment),
    /// The ticket moved through its workflow.
    #[serde(rename = "ticket.status_changed")]
    StatusChanged(StatusChange),
    /// Someone commented on the ticket.
    #[serde(rename = "ticket.commented")]
    Commented(Comment),
    /// The ticket's priority changed.
    #[serde(rename = "ticket.priority_changed")]
    PriorityChanged(PriorityChange),
    /// An operator verified the report in triage and dispositioned it to an agency.
    #[serde(rename = "ticket.verified")]
    Verified(Verification),
    /// A validator accepted or refused the agency's follow-up of a resolved ticket.
    #[serde(rename = "ticket.validated")]
    Validated(Validation),
    /// The ticket (a duplicate) was merged into another.
    #[serde(rename = "ticket.merged")]
    Merged(Merge),
    /// A merge undone.
    #[serde(rename = "ticket.unmerged")]
    Unmerged(Unmerge),
    /// A photo was attached (stored by Pantau, checked against the ticket).
    #[serde(rename = "ticket.media_added")]
    MediaAdded(Media),
    /// An SLA target of the ticket is close to its deadline.
    #[serde(rename = "sla.warning")]
    SlaWarning(SlaMark),
    /// An SLA target of the ticket passed its deadline.
    #[serde(rename = "sla.breached")]
    SlaBreached(SlaMark),
    /// Pantau flagged the ticket (e.g. `ping_pong`: bounced between agencies).
    #[serde(rename = "alert.raised")]
    AlertRaised(Alert),
    /// A numeric gauge (hospital beds, permits in process) reported by a source system.
    #[serde(rename = "resource.updated")]
    ResourceUpdated(Resource),
    /// A type this build does not know (written by a newer version): kept, never applied.
    #[serde(other)]
    Unknown,
}

impl EventBody {
    /// The wire name of the type (`report.received`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::ReportReceived(_) => "report.received",
            EventBody::TicketAssigned(_) => "ticket.assigned",
            EventBody::StatusChanged(_) => "ticket.status_changed",
            EventBody::Commented(_) => "ticket.commented",
            EventBody::PriorityChanged(_) => "ticket.priority_changed",
            EventBody::Verified(_) => "ticket.verified",
            EventBody::Validated(_) => "ticket.validated",
            EventBody::Merged(_) => "ticket.merged",
            EventBody::Unmerged(_) => "ticket.unmerged",
            EventBody::MediaAdded(_) => "ticket.media_added",
            EventBody::SlaWarning(_) => "sla.warning",
            EventBody::SlaBreached(_) => "sla.breached",
            EventBody::AlertRaised(_) => "alert.raised",
            EventBody::ResourceUpdated(_) => "resource.updated",
            EventBody::Unknown => "unknown",
        }
    }

    /// Another ticket this event changes besides its own: a merge or unmerge changes the
    /// primary's reporters (folded by [`crate::ticket::Ticket::link`], not counted in the
    /// primary's version).
    pub fn primary(&self) -> Option<&str> {
        match self {
            EventBody::Merged(m) => Some(&m.primary),
            EventBody::Unmerged(u) => Some(&u.primary),
            _ => None,
        }
    }

    /// Whether the event opens a new ticket (the append script then numbers one).
    pub fn opens_ticket(&self) -> bool {
        matches!(self, EventBody::ReportReceived(_))
    }
}

/// A place in the tenant's administrative hierarchy (kecamatan, kelurahan/desa).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    /// Kemendagri region code (`36.71.01`), a stable id.
    pub code: String,
    /// Name (`Tangerang`).
    pub name: String,
}

/// A citizen report: what, where, through which channel, and where it was routed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Category code of the tenant, e.g. `sampah`, `jalan_rusak`, `banjir`.
    pub category: String,
    /// The citizen's words.
    pub description: String,
    /// WGS84 latitude, −90..90.
    pub lat: f64,
    /// WGS84 longitude, −180..180.
    pub lon: f64,
    /// Street address as the citizen gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Reporting channel (`app`, `web`, `sms`, `call_center`, `open311`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Photos or other media the citizen attached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
    /// Kecamatan containing the point (placed at ingest by point-in-polygon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kecamatan: Option<Place>,
    /// Kelurahan/desa containing the point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kelurahan: Option<Place>,
    /// Who reported, if the channel knows (never shown publicly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<Reporter>,
    /// Agency the category routes to, stamped at ingest so replays do not depend on config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Priority at intake (the category's default unless the source set one).
    #[serde(default)]
    pub priority: Priority,
}

/// Routing of a ticket to an agency (OPD) and optionally an officer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    /// Agency code (`dlh`, `pupr`, ...).
    pub agency: String,
    /// Officer's name or id within the agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    /// Why (shown in the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A workflow step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// The new status.
    pub status: TicketStatus,
    /// What was done / why (e.g. the resolution note the citizen sees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For `rejected`: one of [`REJECTION_REASONS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub text: String,
}

/// A priority change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityChange {
    pub priority: Priority,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Which SLA target an SLA event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// Until first assignment/acknowledgement.
    Response,
    /// Until resolution.
    Resolution,
}

/// An SLA warning or breach.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaMark {
    pub target: SlaTarget,
    /// The deadline concerned, RFC 3339 UTC.
    pub deadline: String,
}

/// An alert Pantau raised on a ticket (emitted by the SLA emitter's lease holder, once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    /// What was noticed: `ping_pong` (reassigned between agencies too often).
    pub kind: String,
    /// For `ping_pong`: the agency codes the ticket went through, in order.
    #[serde(default)]
    pub chain: Vec<String>,
    /// For `ping_pong`: the changes of agency counted within the window.
    #[serde(default)]
    pub reassignments: u32,
}

/// A numeric gauge from a source system, in the shape the national hospital bed reporting
/// uses (facility, ward = `ruang`, capacity = `jumlah`, used = `terpakai`, queue = `antrian`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resource {
    /// Kind of gauge (`hospital_beds`, `permits`).
    pub kind: String,
    /// Facility or office reporting.
    pub facility: String,
    /// Ward or sub-unit (`ruang`), or permit type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Capacity (`jumlah`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// In use (`terpakai`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<u32>,
    /// Waiting (`antrian`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<u32>,
}

/// Where a ticket is in its workflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// New, not yet routed (LAKSA: red).
    #[default]
    Received,
    /// Routed to an agency (red until work starts).
    Assigned,
    /// Being worked on (LAKSA: yellow).
    InProgress,
    /// Waiting for the citizen (SLA clocks pause).
    PendingCitizen,
    /// Done (LAKSA: green).
    Resolved,
    /// Confirmed and archived; final.
    Closed,
    /// Not a valid complaint; final.
    Rejected,
    /// A duplicate merged into another ticket (which carries the job); undone by unmerge.
    Merged,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 8] = [
        TicketStatus::Received,
        TicketStatus::Assigned,
        TicketStatus::InProgress,
        TicketStatus::PendingCitizen,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::Rejected,
        TicketStatus::Merged,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Received => "received",
            TicketStatus::Assigned => "assigned",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::PendingCitizen => "pending_citizen",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
            TicketStatus::Rejected => "rejected",
            TicketStatus::Merged => "merged",
        }
    }

    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<TicketStatus> {
        TicketStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the ticket still needs work (Open311 `open`).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::Rejected | TicketStatus::Merged
        )
    }

    /// Whether nothing may follow (closed and rejected are final; a resolved ticket may be
    /// reopened).
    pub fn is_final(self) -> bool {
        matches!(self, TicketStatus::Closed | TicketStatus::Rejected)
    }

    /// Whether a `ticket.status_changed` may move `self` to `next` (a merged ticket moves
    /// only by unmerge, and only a merge makes one).
    pub fn can_move_to(self, next: TicketStatus) -> bool {
        use TicketStatus::*;
        if self.is_final() || self == next || self == Merged {
            return false;
        }
        match next {
            Received | Merged => false,
            Assigned | InProgress | PendingCitizen => self != Resolved || next == InProgress,
            Resolved => self != Received,
            Closed => self == Resolved,
            Rejected => self != Resolved,
        }
    }
}

/// Urgency of a ticket; SLA targets depend on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Medium, Priority::High, Priority::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[cfg(test)]
mod tests;
