//! Duplicate reports (issue 18): ten citizens reporting the same pile of rubbish are one job.
//! Pure, no I/O:
//!
//! - [`candidates`]: for a ticket, the other open tickets that may be the same job — the same
//!   or a related category, within the tenant's distance (great-circle, metres) and time
//!   window — nearest first, then earliest reported;
//! - [`check_merge`], [`check_unmerge`]: whether a merge or unmerge may be written, with the
//!   refusal naming the field, so the handler stays thin.
//!
//! The events themselves (`ticket.merged`, `ticket.unmerged`) and their fold live in
//! `pantau_shared`; the append script still judges the duplicate's own status move.
//! Distances use `geo`'s haversine (the crate is already used for kecamatan polygons).

use crate::tenant::duplicates::DuplicateRule;
use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};
use pantau_shared::event::TicketStatus;
use pantau_shared::ticket::Ticket;
use serde::Serialize;

/// Most candidates offered for one ticket.
pub const MAX_CANDIDATES: usize = 20;

/// Another ticket that may be the same job.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub ticket: String,
    /// Great-circle distance between the two reports, metres (rounded to 0.1 m).
    pub distance_m: f64,
    pub category: String,
    pub status: TicketStatus,
    pub created_at: String,
    /// Its version now: a merge of it sends it as `expected_version`.
    pub version: u64,
    pub description: String,
    /// Citizens it stands for (itself and its own duplicates).
    pub reporters: u32,
}

/// Metres between two WGS84 points.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat_a, lon_a) = a;
    let (lat_b, lon_b) = b;
    Haversine.distance(Point::new(lon_a, lat_a), Point::new(lon_b, lat_b))
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// The open tickets among `others` that may be the same job as `of`: not `of` itself, not
/// already merged, same or related category, within `rule.max_distance_m` and reported
/// within `rule.window_hours` of it (either side). Nearest first, then earliest, then id; at
/// most [`MAX_CANDIDATES`].
pub fn candidates<'a>(
    of: &Ticket,
    others: impl IntoIterator<Item = &'a Ticket>,
    rule: &DuplicateRule,
) -> Vec<Candidate> {
    let window_secs = i64::from(rule.window_hours) * 3600;
    let created = utc(&of.created_at);
    let mut found: Vec<(f64, &Ticket)> = others
        .into_iter()
        .filter(|t| t.id != of.id && t.status.is_open() && t.merged_into.is_none())
        .filter(|t| rule.related(&of.category, &t.category))
        .filter(|t| match (created, utc(&t.created_at)) {
            (Some(a), Some(b)) => (a - b).num_seconds().abs() <= window_secs,
            _ => false,
        })
        .map(|t| (distance_m((of.lat, of.lon), (t.lat, t.lon)), t))
        .filter(|(d, _)| *d <= rule.max_distance_m)
        .collect();
    found.sort_by(|(da, a), (db, b)| {
        da.total_cmp(db)
            .then_with(|| utc(&a.created_at).cmp(&utc(&b.created_at)))
            .then_with(|| a.id.cmp(&b.id))
    });
    found
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(d, t)| Candidate {
            ticket: t.id.clone(),
            distance_m: (d * 10.0).round() / 10.0,
            category: t.category.clone(),
            status: t.status,
            created_at: t.created_at.clone(),
            version: t.version,
            description: t.description.clone(),
            reporters: t.reporters(),
        })
        .collect()
}

/// Why a merge or unmerge is refused: the HTTP status class and the field it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The request names something impossible (422): itself, an unknown ticket.
    Invalid { field: &'static str, message: String },
    /// Not now, given the tickets' states (409).
    Conflict {
        code: &'static str,
        field: &'static str,
        message: String,
    },
}

/// Whether `duplicate` may be merged into `primary` (`None`: no such ticket in the tenant).
pub fn check_merge(duplicate: &Ticket, into: &str, primary: Option<&Ticket>) -> Result<(), Refusal> {
    if into == duplicate.id {
        return Err(Refusal::Invalid {
            field: "into",
            message: "a ticket cannot be merged into itself".into(),
        });
    }
    let Some(primary) = primary else {
        return Err(Refusal::Invalid {
            field: "into",
            message: format!("no ticket {into} in this tenant"),
        });
    };
    if duplicate.duplicates.iter().any(|d| d.ticket == into) || primary.merged_into.as_deref() == Some(&duplicate.id) {
        return Err(Refusal::Conflict {
            code: "merge_cycle",
            field: "into",
            message: format!(
                "{into} is merged into {}: merging back would make a cycle",
                duplicate.id
            ),
        });
    }
    if !primary.status.is_open() {
        return Err(Refusal::Conflict {
            code: "not_mergeable",
            field: "into",
            message: format!(
                "{into} is {}: only an open ticket can take duplicates",
                primary.status.as_str()
            ),
        });
    }
    if !duplicate.status.is_open() {
        return Err(Refusal::Conflict {
            code: "not_mergeable",
            field: "ticket",
            message: format!(
                "{} is {}: only an open ticket can be merged",
                duplicate.id,
                duplicate.status.as_str()
            ),
        });
    }
    Ok(())
}

/// Whether `duplicate` may leave the ticket it was merged into (`primary`, as the projection
/// knows it): the status it gets back. Refused while the primary is itself merged elsewhere
/// (its own primary counts these reporters: unmerge the primary first).
pub fn check_unmerge(duplicate: &Ticket, primary: Option<&Ticket>) -> Result<(String, TicketStatus), Refusal> {
    let (Some(into), TicketStatus::Merged) = (duplicate.merged_into.as_ref(), duplicate.status) else {
        return Err(Refusal::Conflict {
            code: "not_merged",
            field: "ticket",
            message: format!("{} is not merged into another ticket", duplicate.id),
        });
    };
    if let Some(p) = primary.filter(|p| p.status == TicketStatus::Merged) {
        return Err(Refusal::Conflict {
            code: "primary_merged",
            field: "primary",
            message: format!(
                "{into} is itself merged into {}: unmerge it first",
                p.merged_into.as_deref().unwrap_or("another ticket")
            ),
        });
    }
    let restore = duplicate
        .status_before_merge
        .filter(|s| s.is_open())
        .unwrap_or(TicketStatus::Received);
    Ok((into.clone(), restore))
}

#[cfg(test)]
mod tests;
