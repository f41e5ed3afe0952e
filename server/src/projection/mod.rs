//! The live state of one tenant, folded from its stream: every ticket, the stream ids of
//! each ticket's events (its history, read back from Redis on demand), and the latest
//! resource gauges. Pure: no I/O, so it is rebuilt identically by every process.
//!
//! Applying is idempotent: an entry at or before [`Projection::cursor`] is ignored, so
//! replaying the stream over a snapshot never double-counts.

pub mod query;

use crate::stats::Stats;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Event, EventBody};
use pantau_shared::protocol::Gauge;
use pantau_shared::sla::SlaConfig;
use pantau_shared::ticket::Ticket;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Everything derived from a tenant's stream up to `cursor`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Projection {
    /// Last stream entry applied.
    cursor: Cursor,
    /// Entries applied (including ones that changed nothing).
    applied: u64,
    /// Boxed: a `Ticket` is ~900 bytes inline, and the map keeps up to twice as many buckets
    /// as entries — at 1M tickets unboxed buckets alone took ~2 GB (BENCHMARKS.md §12).
    tickets: HashMap<String, Box<Ticket>>,
    /// Stream ids of each ticket's events, oldest first.
    history: HashMap<String, Vec<Cursor>>,
    /// Latest gauge per `kind/facility/unit`.
    gauges: BTreeMap<String, Gauge>,
    /// The tenant's SLA rules (configuration, not state: not part of snapshots).
    #[serde(skip)]
    sla: Arc<SlaConfig>,
    /// The rules every ticket's SLA targets were computed with, stored in snapshots (`None`:
    /// unknown, as in a snapshot written before this field): a snapshot loaded under the same
    /// rules keeps its targets instead of computing all of them again (~0.8 s at 250,000
    /// tickets). Targets depend only on the ticket and the rules, never on the time.
    #[serde(default, rename = "sla_rules")]
    computed_with: Option<SlaConfig>,
    /// Executive KPI counters, kept from every ticket change (rebuilt by `set_sla`, so not
    /// part of snapshots).
    #[serde(skip)]
    stats: Stats,
}

impl PartialEq for Projection {
    /// Equal state (the rules are configuration, compared by their effect on tickets).
    fn eq(&self, other: &Self) -> bool {
        self.cursor == other.cursor
            && self.applied == other.applied
            && self.tickets == other.tickets
            && self.history == other.history
            && self.gauges == other.gauges
    }
}

impl Projection {
    /// An empty projection whose tickets get SLA targets under `sla`.
    pub fn new(sla: Arc<SlaConfig>) -> Self {
        Projection {
            computed_with: Some((*sla).clone()),
            sla,
            ..Default::default()
        }
    }

    /// Use `sla` from now on and recompute every ticket's targets — unless they were computed
    /// under these very rules (a snapshot loaded under the rules it was written with).
    pub fn set_sla(&mut self, sla: Arc<SlaConfig>) {
        if self.computed_with.as_ref() != Some(&*sla) {
            for t in self.tickets.values_mut() {
                t.refresh_sla(&sla);
            }
            self.computed_with = Some((*sla).clone());
        }
        self.stats = Stats::rebuild(self.tickets.values().map(|t| &**t), &sla);
        self.sla = sla;
    }

    /// Last stream entry applied (`0-0` for none).
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    /// Number of stream entries applied.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// Apply the entry at `cursor`; false (and no change) if it was already applied.
    pub fn apply(&mut self, cursor: Cursor, event: &Event) -> bool {
        let Some(touched) = self.fold(cursor, event) else {
            return false;
        };
        if let Some(ticket) = touched.and_then(|id| self.tickets.get_mut(id)) {
            ticket.refresh_sla(&self.sla);
            self.stats.attach(ticket, &self.sla);
        }
        true
    }

    /// Apply entries in order (those already applied are skipped), recomputing each touched
    /// ticket's SLA once at the end rather than after each of its events: deadlines depend
    /// only on the ticket's state, and during a replay a ticket's events often share a batch.
    pub fn apply_batch(&mut self, events: &[(Cursor, Event)]) {
        let mut touched: Vec<&str> = Vec::new();
        for (cursor, event) in events {
            if let Some(Some(id)) = self.fold(*cursor, event) {
                touched.push(id);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            if let Some(ticket) = self.tickets.get_mut(id) {
                ticket.refresh_sla(&self.sla);
                self.stats.attach(ticket, &self.sla);
            }
        }
    }

    /// Fold one entry into the state without recomputing SLAs: `None` if it was already
    /// applied, else the ticket it changed (if any).
    fn fold<'e>(&mut self, cursor: Cursor, event: &'e Event) -> Option<Option<&'e str>> {
        if cursor <= self.cursor {
            return None;
        }
        self.cursor = cursor;
        self.applied += 1;
        Some(match (&event.body, &event.ticket) {
            (EventBody::ReportReceived(_), Some(id)) => {
                if self.tickets.contains_key(id) {
                    None
                } else {
                    Ticket::open(event).map(|ticket| {
                        self.stats.detach_new(id);
                        self.tickets.insert(id.clone(), Box::new(ticket));
                        self.history.insert(id.clone(), vec![cursor]);
                        id.as_str()
                    })
                }
            }
            (EventBody::ResourceUpdated(r), _) => {
                let key = format!("{}/{}/{}", r.kind, r.facility, r.unit.as_deref().unwrap_or(""));
                self.gauges.insert(
                    key,
                    Gauge {
                        resource: r.clone(),
                        reported_at: event.at.clone(),
                    },
                );
                None
            }
            (_, Some(id)) => match self.tickets.get_mut(id) {
                None => None,
                Some(ticket) => {
                    self.stats.detach(ticket, &self.sla);
                    ticket.apply(event);
                    self.history.entry(id.clone()).or_default().push(cursor);
                    if let Some(primary) = event.body.primary().and_then(|p| self.tickets.get_mut(p)) {
                        // A merge or unmerge: the primary's reporters change (nothing the
                        // KPIs count, so no detach/attach).
                        primary.link(id, &event.body);
                    }
                    Some(id.as_str())
                }
            },
            (_, None) => None,
        })
    }

    pub fn ticket(&self, id: &str) -> Option<&Ticket> {
        self.tickets.get(id).map(|t| &**t)
    }

    /// Stream ids of the ticket's events, oldest first.
    pub fn history(&self, id: &str) -> Option<&[Cursor]> {
        self.history.get(id).map(Vec::as_slice)
    }

    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values().map(|t| &**t)
    }

    /// The executive KPI counters (see [`crate::stats`]).
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Number of tickets held.
    pub fn ticket_count(&self) -> usize {
        self.tickets.len()
    }

    pub fn gauges(&self) -> impl Iterator<Item = &Gauge> {
        self.gauges.values()
    }
}

#[cfg(test)]
mod tests;
