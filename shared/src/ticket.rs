//! A ticket's state, folded from its events. Pure and deterministic: the same events give
//! the same ticket on every server process and in every browser.

use crate::event::{Event, EventBody, Media, Place, Priority, SlaTarget, TicketStatus};
use crate::sla::{Clocks, Pause, SlaConfig, TicketSla};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The live state of one ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// When the current resolution attempt started: creation, or the last reopening.
    pub resolution_started_at: String,
    /// Spans spent in `pending_citizen` (SLA clocks stand still).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// Deadlines of both targets under the tenant's policy (none without a policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<TicketSla>,
    /// The agencies the ticket went through: where intake routed it (at creation), then one
    /// hop per assignment that changed the agency (a new officer alone adds none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agency_chain: Vec<AgencyHop>,
    /// Kinds of the `alert.raised` events applied (`ping_pong`), each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// When triage verified it (`ticket.verified`), and who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<String>,
    /// SP4N-LAPOR deadline tier chosen at verification (else the category's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Why it was rejected (one of `event::REJECTION_REASONS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// Follow-ups the validator refused ("TL ditolak").
    #[serde(default, skip_serializing_if = "is_zero")]
    pub follow_up_rejections: u32,
    /// For a merged duplicate: the primary ticket, and the status to restore on unmerge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_before_merge: Option<TicketStatus>,
    /// For a primary: the duplicates merged into it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<DuplicateLink>,
    /// Photos stored by Pantau (`ticket.media_added`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A duplicate merged into a primary ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateLink {
    pub ticket: String,
    /// Reporters it brought (itself and its own duplicates).
    pub reporters: u32,
}

/// One step of a ticket's way through the agencies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyHop {
    /// Agency code (`dlh`).
    pub agency: String,
    /// When the ticket reached it, RFC 3339 UTC.
    pub at: String,
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
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
            resolution_started_at: event.at.clone(),
            pauses: vec![],
            sla: None,
            agency_chain: r
                .agency
                .iter()
                .map(|agency| AgencyHop {
                    agency: agency.clone(),
                    at: event.at.clone(),
                })
                .collect(),
            alerts: vec![],
            verified_at: None,
            verified_by: None,
            tier: None,
            rejection_reason: None,
            follow_up_rejections: 0,
            merged_into: None,
            status_before_merge: None,
            duplicates: vec![],
            media: vec![],
        })
    }

    /// How many citizens reported this job: itself and every duplicate merged into it.
    pub fn reporters(&self) -> u32 {
        1 + self.duplicates.iter().map(|d| d.reporters).sum::<u32>()
    }

    /// Recompute the SLA targets from the ticket's facts (after every applied event, and
    /// when the policy may have changed).
    pub fn refresh_sla(&mut self, config: &SlaConfig) {
        let (Some(created_at), Some(resolution_started_at)) = (utc(&self.created_at), utc(&self.resolution_started_at))
        else {
            self.sla = None;
            return;
        };
        let clocks = Clocks {
            category: &self.category,
            priority: self.priority,
            created_at,
            first_assigned_at: self.first_assigned_at.as_deref().and_then(utc),
            resolution_started_at,
            resolved_at: self.resolved_at.as_deref().and_then(utc),
            pauses: &self.pauses,
            tier: self.tier.as_deref(),
        };
        self.sla = config.evaluate(&clocks);
    }

    /// Apply a later event of this ticket. Every event counts towards `version` (so the
    /// version equals the number of the ticket's events in the stream, which is what the
    /// append script checks); events of unknown type change nothing else.
    pub fn apply(&mut self, event: &Event) {
        self.version += 1;
        self.updated_at = event.at.clone();
        match &event.body {
            EventBody::TicketAssigned(a) => self.route(&a.agency, a.officer.as_deref(), &event.at),
            EventBody::Verified(v) => self.verify(v, event),
            EventBody::Validated(v) => self.validate(v, event),
            EventBody::Merged(m) => self.merge(m, &event.at),
            EventBody::Unmerged(u) => self.unmerge(u, &event.at),
            EventBody::MediaAdded(m) => self.media.push(m.clone()),
            EventBody::StatusChanged(s) => {
                let previous = self.status;
                self.enter(s.status, &event.at);
                self.status_note = s.note.clone();
                if s.status == TicketStatus::Rejected {
                    self.rejection_reason = s.reason.clone();
                }
                match s.status {
                    TicketStatus::Resolved => self.resolved_at = Some(event.at.clone()),
                    TicketStatus::Closed | TicketStatus::Rejected | TicketStatus::Merged => {}
                    // Reopened: a new resolution attempt with its own deadline and marks.
                    _ if previous == TicketStatus::Resolved => self.reopened_resolution(&event.at),
                    _ => self.resolved_at = None,
                }
            }
            EventBody::Commented(_) => self.comments += 1,
            EventBody::PriorityChanged(p) => self.priority = p.priority,
            EventBody::SlaWarning(m) => push_once(&mut self.sla_warned, m.target),
            EventBody::SlaBreached(m) => push_once(&mut self.sla_breached, m.target),
            EventBody::AlertRaised(alert) => {
                if !self.alerts.contains(&alert.kind) {
                    self.alerts.push(alert.kind.clone());
                }
            }
            EventBody::ReportReceived(_) | EventBody::ResourceUpdated(_) | EventBody::Unknown => {}
        }
    }
}

mod workflow;

fn push_once(targets: &mut Vec<SlaTarget>, t: SlaTarget) {
    if !targets.contains(&t) {
        targets.push(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Assignment;
    use crate::protocol::{Filters, Kpis};

    /// The sample report of ticket `id` at (`lat`, `lon`), placed in Kecamatan Tangerang.
    fn report(id: &str, lat: f64, lon: f64) -> Event {
        let mut e = crate::fixtures::report(id, "sampah", "2026-11-23T03:00:00.000Z");
        let r = crate::fixtures::report_mut(&mut e);
        (r.lat, r.lon) = (lat, lon);
        r.kecamatan = Some(Place {
            code: "36.71.01".into(),
            name: "Tangerang".into(),
        });
        e
    }

    /// Filters match on agency, category, kecamatan (code or name) and bounding box; an
    /// assignment can move a ticket out of an agency filter.
    #[test]
    fn filters_match_tickets() {
        let mut t = Ticket::open(&report("TGR-1", -6.18, 106.64)).unwrap();
        let f = |json: &str| serde_json::from_str::<Filters>(json).unwrap();
        assert!(f("{}").matches(&t));
        assert!(f(r#"{"agency":"dlh","category":"sampah","kecamatan":"tangerang"}"#).matches(&t));
        assert!(f(r#"{"kecamatan":"36.71.01","bbox":[106.6,-6.2,106.7,-6.1]}"#).matches(&t));
        assert!(!f(r#"{"bbox":[106.7,-6.2,106.8,-6.1]}"#).matches(&t));
        assert!(!f(r#"{"category":"banjir"}"#).matches(&t));
        let mut assign = report("TGR-1", 0.0, 0.0);
        assign.body = EventBody::TicketAssigned(Assignment {
            agency: "pupr".into(),
            officer: None,
            reason: None,
        });
        t.apply(&assign);
        assert!(!f(r#"{"agency":"dlh"}"#).matches(&t));
        assert_eq!(t.status, TicketStatus::Assigned);
        let k = Kpis::of([&t], utc("2026-11-23T04:00:00Z").unwrap());
        assert_eq!((k.total, k.open, k.open_by_agency["pupr"]), (1, 1, 1));
    }

    /// The agency chain starts with the intake routing and grows only when an assignment
    /// changes the agency; an alert's kind is recorded once however often it is applied.
    #[test]
    fn agency_chain_and_alerts() {
        let mut t = Ticket::open(&report("TGR-1", -6.18, 106.64)).unwrap();
        let step = |at: &str, body: EventBody| crate::fixtures::event("TGR-1", at, body);
        let assign = |agency: &str, officer: Option<&str>| {
            EventBody::TicketAssigned(Assignment {
                agency: agency.into(),
                officer: officer.map(Into::into),
                reason: None,
            })
        };
        t.apply(&step("2026-11-23T04:00:00.000Z", assign("dlh", Some("dlh-budi"))));
        t.apply(&step("2026-11-23T05:00:00.000Z", assign("pupr", None)));
        t.apply(&step("2026-11-23T06:00:00.000Z", assign("pupr", Some("pupr-andi"))));
        let hops: Vec<(&str, &str)> = t
            .agency_chain
            .iter()
            .map(|h| (h.agency.as_str(), h.at.as_str()))
            .collect();
        assert_eq!(
            hops,
            [
                ("dlh", "2026-11-23T03:00:00.000Z"),
                ("pupr", "2026-11-23T05:00:00.000Z")
            ]
        );
        let alert = EventBody::AlertRaised(crate::event::Alert {
            kind: "ping_pong".into(),
            chain: vec!["dlh".into(), "pupr".into()],
            reassignments: 1,
        });
        t.apply(&step("2026-11-23T07:00:00.000Z", alert.clone()));
        t.apply(&step("2026-11-23T08:00:00.000Z", alert));
        assert_eq!(t.alerts, ["ping_pong"]);
        assert_eq!(t.version, 6);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["agency_chain"][1]["agency"], "pupr");
        let fresh = serde_json::to_value(Ticket::open(&report("TGR-2", 0.0, 0.0)).unwrap()).unwrap();
        assert!(fresh.get("alerts").is_none(), "empty lists are left out");
    }
}
