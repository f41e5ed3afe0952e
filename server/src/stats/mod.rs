//! Executive KPIs kept incrementally: the projection hands every touched ticket to
//! [`Stats`] before an event ([`Stats::detach`]) and after it ([`Stats::attach`]); the stats
//! subtract the ticket's old [contribution](contribution::Contribution) and add its new one
//! to hourly counters, so a report reads at most ~60 days of hour cells per scope and never
//! scans the tickets. Pure: no clock, no I/O. Not part of the projection's snapshot: rebuilt
//! from the tickets when a snapshot loads ([`Stats::rebuild`] via `Projection::set_sla`),
//! which gives the same numbers because a contribution depends only on the ticket's state.
//!
//! # Definitions
//! Windows are whole local days of the tenant ending now: **today** (local midnight to
//! now), **7d** (6 days before today's midnight to now), **30d** (29 days before); the
//! *previous* period is the same number of whole local days just before the window. A
//! bucket is a local hour (today) or a local day (30 days). "In the window" means
//! `from ≤ t`, and `t < to` for a closed period.
//!
//! | name | formula | dated by |
//! |---|---|---|
//! | intake | reports created | `created_at` in the window |
//! | backlog | tickets open (not resolved/closed/rejected) at the window's end | created before the end, not ended before it; a reopened ticket counts as open from its report |
//! | resolved | tickets resolved | latest resolution (`resolved_at`) in the window |
//! | rejected | tickets rejected | last update of a rejected ticket in the window |
//! | response compliance | met ÷ judged response targets | judged at the first assignment (met if at or before the deadline), or at the deadline when a breach was recorded and nobody was assigned |
//! | resolution compliance | met ÷ judged resolution targets | judged at the latest resolution, or at the deadline of a recorded breach of an open ticket |
//! | response time | median, p90 (nearest rank) of report → first assignment, wall minutes and business minutes (the ticket's SLA calendar, pauses excluded) | first assignment in the window |
//! | resolution time | the same for report → latest resolution | latest resolution in the window |
//! | reopen rate | reopened ÷ resolved | latest reopening in the window ÷ resolutions in the window |
//! | follow-ups refused ("TL ditolak") | refusals of the agency's follow-up by the validator, each refusal of a ticket counted | the ticket's last update in the window (the ticket keeps a count, not when each refusal was) |
//!
//! Breakdowns group by a ticket's *current* agency, category, kecamatan and channel (`-`
//! when it has none). Counters are per UTC hour, so windows are exact for whole-hour UTC
//! offsets (all of Indonesia: WIB +420, WITA +480, WIT +540).
//!
//! - [`business`]: business seconds between two instants under an SLA calendar.
//! - [`contribution`]: one ticket's share of every counter (pure function of its state).
//! - [`cells`]: hourly counters per scope and their sums over a range of hours.
//! - [`report`]: windows, previous periods, breakdowns and trends in the tenant's zone.

pub mod business;
pub mod cells;
pub mod contribution;
pub mod report;

use cells::Scope;
use contribution::Contribution;
use pantau_shared::sla::SlaConfig;
use pantau_shared::stats::Dimension;
use pantau_shared::ticket::Ticket;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The incremental KPI counters of one tenant, plus the indexes the forecast needs (open
/// tickets, recent resolutions) so it does not scan every ticket either.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Every ticket.
    all: Scope,
    /// Per dimension (in [`Dimension::ALL`] order), per key.
    by: [BTreeMap<String, Scope>; 4],
    /// Kecamatan code → name.
    kecamatan_names: BTreeMap<String, String>,
    /// Ids of open tickets.
    open: BTreeSet<String>,
    /// (latest resolution ms, id) of resolved tickets.
    resolutions: BTreeSet<(i64, String)>,
    /// Tickets whose contribution is currently subtracted (between detach and attach).
    detached: HashSet<String>,
}

impl Stats {
    /// Counters over `tickets` under `sla`, from scratch.
    pub fn rebuild<'a>(tickets: impl IntoIterator<Item = &'a Ticket>, sla: &SlaConfig) -> Stats {
        let mut stats = Stats::default();
        for t in tickets {
            stats.add(t, sla, 1);
        }
        stats
    }

    /// Subtract `t`'s contribution before it changes (once per batch: a ticket already
    /// detached stays so until [`Stats::attach`]).
    pub fn detach(&mut self, t: &Ticket, sla: &SlaConfig) {
        if self.detached.insert(t.id.clone()) {
            self.add(t, sla, -1);
        }
    }

    /// Note a ticket that is about to be created (nothing to subtract).
    pub fn detach_new(&mut self, id: &str) {
        self.detached.insert(id.to_owned());
    }

    /// Add `t`'s contribution after it changed (and its SLA was recomputed).
    pub fn attach(&mut self, t: &Ticket, sla: &SlaConfig) {
        if self.detached.remove(&t.id) {
            self.add(t, sla, 1);
        }
    }

    fn add(&mut self, t: &Ticket, sla: &SlaConfig, sign: i64) {
        if sign > 0 {
            if t.status.is_open() {
                self.open.insert(t.id.clone());
            }
        } else {
            self.open.remove(&t.id);
        }
        let Some(c) = Contribution::of(t, sla) else { return };
        if let Some(r) = c.resolved_ms {
            if sign > 0 {
                self.resolutions.insert((r, t.id.clone()));
            } else {
                self.resolutions.remove(&(r, t.id.clone()));
            }
        }
        self.all.apply(&c, sign);
        for d in Dimension::ALL {
            let key = c.key(d);
            let scopes = &mut self.by[d as usize];
            match scopes.get_mut(key) {
                Some(scope) => {
                    scope.apply(&c, sign);
                    if *scope == Scope::default() {
                        scopes.remove(key);
                    }
                }
                None if sign > 0 => {
                    let mut scope = Scope::default();
                    scope.apply(&c, sign);
                    scopes.insert(key.to_owned(), scope);
                }
                None => {}
            }
        }
        if let (Some(name), true) = (c.kecamatan_name, sign > 0) {
            if !self.kecamatan_names.contains_key(c.key(Dimension::Kecamatan)) {
                self.kecamatan_names
                    .insert(c.key(Dimension::Kecamatan).to_owned(), name.to_owned());
            }
        }
    }

    /// Counters over every ticket.
    pub fn all(&self) -> &Scope {
        &self.all
    }

    /// Counters per key of `dimension`.
    pub fn by(&self, dimension: Dimension) -> &BTreeMap<String, Scope> {
        &self.by[dimension as usize]
    }

    /// The label of a key (the kecamatan's name).
    pub fn label(&self, dimension: Dimension, key: &str) -> Option<&str> {
        (dimension == Dimension::Kecamatan)
            .then(|| self.kecamatan_names.get(key).map(String::as_str))
            .flatten()
    }

    /// Ids of open tickets, ordered.
    pub fn open_ids(&self) -> impl Iterator<Item = &str> {
        self.open.iter().map(String::as_str)
    }

    /// Ids of tickets whose latest resolution is at or after `since_ms`.
    pub fn resolved_since(&self, since_ms: i64) -> impl Iterator<Item = &str> {
        self.resolutions
            .range((since_ms, String::new())..)
            .map(|(_, id)| id.as_str())
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
