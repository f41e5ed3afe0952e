//! Workload per agency and per officer, defined once for `GET /api/v1/{tenant}/workload` and
//! the console's panel (which recounts it from its own tickets). Pure: tickets in, an
//! instant and the tenant's UTC offset (for "today"); no clock, no I/O.
//!
//! A ticket counts towards its current agency ([`UNROUTED`] when not routed) and, when it
//! names an officer, towards that officer's row too. Definitions, all at `now`:
//! - **open**: status not `resolved`, `closed` or `rejected`; **in progress**: `in_progress`;
//! - **breached**: open with either SLA target breached (as [`crate::kpi`]'s `breached_now`);
//!   **warning**: open, not breached, with either target in warning;
//! - **oldest open**: the creation time of the oldest open ticket;
//! - **resolved today**: resolved since local midnight in the tenant's zone (the latest
//!   resolution, as the KPIs count it).
//!
//! Rows exist only for an agency or officer with an open ticket or one resolved today.

use crate::kpi::{day_start_ms, Instants, UNROUTED};
use crate::sla::SlaState;
use crate::ticket::Ticket;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The load of one agency (`officer` none) or of one officer of an agency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Load {
    /// Agency code ([`UNROUTED`] for tickets not routed).
    pub agency: String,
    /// The officer's id; `None` on the agency's own row.
    pub officer: Option<String>,
    pub open: u64,
    pub in_progress: u64,
    /// Open tickets with a target in warning (and none breached).
    pub warning: u64,
    /// Open tickets with a target breached.
    pub breached: u64,
    /// Creation time (Unix ms) of the oldest open ticket.
    pub oldest_open_ms: Option<i64>,
    pub resolved_today: u64,
}

impl Load {
    /// Count `t` (already judged: `open`, its worst SLA state, its instants) in this row.
    fn add(&mut self, t: &Ticket, worst: Option<SlaState>, at: Instants, since: i64) {
        if t.status.is_open() {
            self.open += 1;
            self.in_progress += u64::from(t.status == crate::event::TicketStatus::InProgress);
            match worst {
                Some(SlaState::Breached) => self.breached += 1,
                Some(SlaState::Warning) => self.warning += 1,
                _ => {}
            }
            if let Some(created) = at.created {
                self.oldest_open_ms = Some(self.oldest_open_ms.map_or(created, |o| o.min(created)));
            }
        }
        if at.resolved.is_some_and(|r| r >= since) {
            self.resolved_today += 1;
        }
    }
}

/// The worse of a ticket's two SLA states at `now`, as far as load goes: breached over
/// warning over anything else.
fn worst_state(t: &Ticket, now: DateTime<Utc>) -> Option<SlaState> {
    let sla = t.sla.as_ref()?;
    let states = [sla.response.state(now), sla.resolution.state(now)];
    if states.contains(&SlaState::Breached) {
        Some(SlaState::Breached)
    } else if states.contains(&SlaState::Warning) {
        Some(SlaState::Warning)
    } else {
        None
    }
}

/// One row per agency plus one per (agency, officer) with open tickets or resolutions
/// today, most overloaded first: breached, then warning, then open (all descending), then
/// agency and officer (ascending; an agency's own row before its officers').
pub fn workload<'a>(tickets: impl IntoIterator<Item = &'a Ticket>, now_ms: i64, utc_offset_minutes: i32) -> Vec<Load> {
    let now = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    let since = day_start_ms(now_ms, utc_offset_minutes);
    let mut rows: BTreeMap<(String, Option<String>), Load> = BTreeMap::new();
    for t in tickets {
        let at = Instants::of(t);
        let counts = t.status.is_open() || at.resolved.is_some_and(|r| r >= since);
        if !counts {
            continue;
        }
        let worst = worst_state(t, now);
        let agency = t.agency.as_deref().unwrap_or(UNROUTED);
        let mut keys = vec![(agency, None)];
        if let Some(officer) = t.officer.as_deref() {
            keys.push((agency, Some(officer)));
        }
        for (agency, officer) in keys {
            let row = rows
                .entry((agency.to_owned(), officer.map(str::to_owned)))
                .or_insert_with_key(|(agency, officer)| Load {
                    agency: agency.clone(),
                    officer: officer.clone(),
                    ..Load::default()
                });
            row.add(t, worst, at, since);
        }
    }
    let mut rows: Vec<Load> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.breached
            .cmp(&a.breached)
            .then(b.warning.cmp(&a.warning))
            .then(b.open.cmp(&a.open))
            .then_with(|| a.agency.cmp(&b.agency))
            .then_with(|| a.officer.cmp(&b.officer))
    });
    rows
}

#[cfg(test)]
mod tests;
