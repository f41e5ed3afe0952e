//! A ticket's state, folded from its events. Pure and deterministic: the same events give
//! the same ticket on every server process and in every browser.

use crate::event::{Event, EventBody, Place, Priority, SlaTarget, TicketStatus};
use serde::{Deserialize, Serialize};

/// The live state of one ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Ticket number (`TGR-000123`).
    pub id: String,
    pub tenant: String,
    /// Number of events applied; commands carry it as `expected_version`.
    pub version: u64,
    pub status: TicketStatus,
    pub category: String,
    pub priority: Priority,
    pub description: String,
    pub lat: f64,
    pub lon: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kecamatan: Option<Place>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kelurahan: Option<Place>,
    /// Responsible agency (OPD), if routed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
    /// When the report arrived (RFC 3339 UTC).
    pub created_at: String,
    /// When the last event was applied.
    pub updated_at: String,
    /// First assignment: ends the response target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_assigned_at: Option<String>,
    /// Latest resolution (cleared when reopened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// The note of the latest status change (Open311 `status_notes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    pub comments: u32,
    /// SLA targets warned about / breached (from `sla.*` events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sla_warned: Vec<SlaTarget>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sla_breached: Vec<SlaTarget>,
}

impl Ticket {
    /// The ticket a `report.received` event opens; `None` for any other event or one
    /// without a ticket number.
    pub fn open(event: &Event) -> Option<Ticket> {
        let EventBody::ReportReceived(r) = &event.body else {
            return None;
        };
        Some(Ticket {
            id: event.ticket.clone()?,
            tenant: event.tenant.clone(),
            version: 1,
            status: TicketStatus::Received,
            category: r.category.clone(),
            priority: r.priority,
            description: r.description.clone(),
            lat: r.lat,
            lon: r.lon,
            address: r.address.clone(),
            kecamatan: r.kecamatan.clone(),
            kelurahan: r.kelurahan.clone(),
            agency: r.agency.clone(),
            officer: None,
            channel: r.channel.clone(),
            media_urls: r.media_urls.clone(),
            created_at: event.at.clone(),
            updated_at: event.at.clone(),
            first_assigned_at: None,
            resolved_at: None,
            status_note: None,
            comments: 0,
            sla_warned: vec![],
            sla_breached: vec![],
        })
    }

    /// Apply a later event of this ticket. Every event counts towards `version` (so the
    /// version equals the number of the ticket's events in the stream, which is what the
    /// append script checks); events of unknown type change nothing else.
    pub fn apply(&mut self, event: &Event) {
        self.version += 1;
        self.updated_at = event.at.clone();
        match &event.body {
            EventBody::TicketAssigned(a) => {
                self.agency = Some(a.agency.clone());
                self.officer = a.officer.clone();
                if self.first_assigned_at.is_none() {
                    self.first_assigned_at = Some(event.at.clone());
                }
                if self.status == TicketStatus::Received {
                    self.status = TicketStatus::Assigned;
                }
            }
            EventBody::StatusChanged(s) => {
                self.status = s.status;
                self.status_note = s.note.clone();
                match s.status {
                    TicketStatus::Resolved => self.resolved_at = Some(event.at.clone()),
                    TicketStatus::Closed | TicketStatus::Rejected => {}
                    _ => self.resolved_at = None,
                }
            }
            EventBody::Commented(_) => self.comments += 1,
            EventBody::PriorityChanged(p) => self.priority = p.priority,
            EventBody::SlaWarning(m) => push_once(&mut self.sla_warned, m.target),
            EventBody::SlaBreached(m) => push_once(&mut self.sla_breached, m.target),
            EventBody::ReportReceived(_) | EventBody::ResourceUpdated(_) | EventBody::Unknown => {}
        }
    }
}

fn push_once(targets: &mut Vec<SlaTarget>, t: SlaTarget) {
    if !targets.contains(&t) {
        targets.push(t);
    }
}
