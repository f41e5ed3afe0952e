//! The complaint workflow's steps on one ticket (issue 18): routing, verification in
//! triage, validation of the follow-up, merging duplicates, and the status moves with their
//! SLA effects. Called by [`Ticket::apply`]; pure.
//!
//! | event | from | to | SLA effect |
//! |---|---|---|---|
//! | `ticket.assigned` | any open | `assigned` if it was `received` | ends the response target (first time) |
//! | `ticket.verified` | `received`, `pending_citizen` | `assigned` | ends the response target (first time); ends a pause |
//! | `ticket.validated` accepted | `resolved` | `closed` | none (resolution ended at `resolved`) |
//! | `ticket.validated` refused | `resolved` | `in_progress` | resolution resumes from its original start |
//! | `ticket.merged` | any open | `merged` | the duplicate leaves every count; a pause ends |
//! | `ticket.unmerged` | `merged` | the status before the merge | clocks as before the merge |

use super::{utc, AgencyHop, DuplicateLink, Ticket};
use crate::event::{Event, EventBody, Merge, SlaTarget, TicketStatus, Unmerge, Validation, Verification};
use crate::sla::Pause;

impl Ticket {
    /// Route to `agency` (and `officer`): a new hop when the agency changes; the first
    /// routing ends the response target; a `received` ticket becomes `assigned`.
    pub(super) fn route(&mut self, agency: &str, officer: Option<&str>, at: &str) {
        if self.agency.as_deref() != Some(agency) {
            self.agency_chain.push(AgencyHop {
                agency: agency.to_owned(),
                at: at.to_owned(),
            });
        }
        self.agency = Some(agency.to_owned());
        self.officer = officer.map(str::to_owned);
        if self.first_assigned_at.is_none() {
            self.first_assigned_at = Some(at.to_owned());
        }
        if self.status == TicketStatus::Received {
            self.status = TicketStatus::Assigned;
        }
    }

    /// Move to `next` at `at`, keeping the citizen pauses right: leaving `pending_citizen`
    /// closes the open pause, entering it opens one.
    pub(super) fn enter(&mut self, next: TicketStatus, at: &str) {
        let previous = self.status;
        self.status = next;
        let at = utc(at);
        if previous == TicketStatus::PendingCitizen && next != TicketStatus::PendingCitizen {
            if let Some(open) = self.pauses.iter_mut().rev().find(|p| p.to.is_none()) {
                open.to = at;
            }
        }
        if next == TicketStatus::PendingCitizen && previous != TicketStatus::PendingCitizen {
            if let Some(from) = at {
                self.pauses.push(Pause { from, to: None });
            }
        }
    }

    pub(super) fn verify(&mut self, v: &Verification, event: &Event) {
        if self.status == TicketStatus::PendingCitizen {
            self.enter(TicketStatus::Received, &event.at);
        }
        self.route(&v.agency, v.officer.as_deref(), &event.at);
        self.verified_at = Some(event.at.clone());
        self.verified_by = event.actor.clone();
        if v.tier.is_some() {
            self.tier = v.tier.clone();
        }
        if v.note.is_some() {
            self.status_note = v.note.clone();
        }
    }

    pub(super) fn validate(&mut self, v: &Validation, event: &Event) {
        if v.accepted {
            self.enter(TicketStatus::Closed, &event.at);
        } else {
            // "TL ditolak": back to the agency; the resolution target keeps its start (and
            // its warning/breach marks), so the time spent waiting for validation counts.
            self.enter(TicketStatus::InProgress, &event.at);
            self.resolved_at = None;
            self.follow_up_rejections += 1;
            self.status_note = v.reason.clone();
        }
    }

    pub(super) fn merge(&mut self, m: &Merge, at: &str) {
        self.status_before_merge = Some(self.status);
        self.merged_into = Some(m.primary.clone());
        self.enter(TicketStatus::Merged, at);
    }

    pub(super) fn unmerge(&mut self, u: &Unmerge, at: &str) {
        self.enter(u.restore, at);
        self.merged_into = None;
        self.status_before_merge = None;
    }

    /// Fold the primary's side of a merge or unmerge written on `duplicate` (the event's
    /// own ticket): the primary counts its reporters. Not a version of the primary.
    pub fn link(&mut self, duplicate: &str, body: &EventBody) {
        match body {
            EventBody::Merged(m) if m.primary == self.id => {
                self.duplicates.retain(|d| d.ticket != duplicate);
                self.duplicates.push(DuplicateLink {
                    ticket: duplicate.to_owned(),
                    reporters: m.reporters.max(1),
                });
            }
            EventBody::Unmerged(u) if u.primary == self.id => self.duplicates.retain(|d| d.ticket != duplicate),
            _ => {}
        }
    }

    /// Reopened after `resolved`: a new resolution attempt with its own deadline and marks.
    pub(super) fn reopened_resolution(&mut self, at: &str) {
        self.resolved_at = None;
        self.resolution_started_at = at.to_owned();
        self.sla_warned.retain(|t| *t != SlaTarget::Resolution);
        self.sla_breached.retain(|t| *t != SlaTarget::Resolution);
    }
}

#[cfg(test)]
mod tests {
    use crate::event::{EventBody, Merge, StatusChange, TicketStatus, Unmerge, Validation, Verification};
    use crate::fixtures::{event, report};
    use crate::ticket::Ticket;

    fn opened() -> Ticket {
        Ticket::open(&report("TGR-1", "sampah", "2026-12-01T01:00:00Z")).unwrap()
    }

    fn status(at: &str, status: TicketStatus) -> crate::event::Event {
        event(
            "TGR-1",
            at,
            EventBody::StatusChanged(StatusChange {
                status,
                note: None,
                reason: None,
            }),
        )
    }

    fn verified(at: &str, agency: &str) -> crate::event::Event {
        let mut e = event(
            "TGR-1",
            at,
            EventBody::Verified(Verification {
                agency: agency.into(),
                officer: None,
                tier: Some("normatif".into()),
                note: None,
            }),
        );
        e.actor = Some("user:ani".into());
        e
    }

    /// Verifying after asking the citizen ends the pause, routes (a hop when the agency
    /// changes), stops the response clock and records who verified.
    #[test]
    fn verification_after_asking_the_citizen() {
        let mut t = opened();
        t.apply(&status("2026-12-01T02:00:00Z", TicketStatus::PendingCitizen));
        assert!(t.pauses[0].to.is_none());
        t.apply(&verified("2026-12-01T03:00:00Z", "pupr"));
        assert_eq!(t.status, TicketStatus::Assigned);
        assert!(t.pauses[0].to.is_some(), "the pause ended");
        assert_eq!(t.agency.as_deref(), Some("pupr"));
        assert_eq!(t.agency_chain.len(), 2, "dlh at intake, then pupr");
        assert_eq!(t.first_assigned_at.as_deref(), Some("2026-12-01T03:00:00Z"));
        assert_eq!(t.verified_by.as_deref(), Some("user:ani"));
        assert_eq!(t.tier.as_deref(), Some("normatif"));
    }

    /// A refused follow-up goes back in progress with the resolution clock's start kept; an
    /// accepted one closes.
    #[test]
    fn validation_refused_keeps_the_clock_then_accepted_closes() {
        let mut t = opened();
        t.apply(&verified("2026-12-01T02:00:00Z", "dlh"));
        t.apply(&status("2026-12-01T05:00:00Z", TicketStatus::Resolved));
        let refuse = Validation {
            accepted: false,
            reason: Some("Masih ada".into()),
            site_check: true,
        };
        t.apply(&event("TGR-1", "2026-12-01T06:00:00Z", EventBody::Validated(refuse)));
        assert_eq!(t.status, TicketStatus::InProgress);
        assert_eq!(t.resolved_at, None);
        assert_eq!(t.resolution_started_at, "2026-12-01T01:00:00Z", "not restarted");
        assert_eq!(t.follow_up_rejections, 1);
        assert_eq!(t.status_note.as_deref(), Some("Masih ada"));
        t.apply(&status("2026-12-01T07:00:00Z", TicketStatus::Resolved));
        let accept = Validation {
            accepted: true,
            reason: None,
            site_check: false,
        };
        t.apply(&event("TGR-1", "2026-12-01T08:00:00Z", EventBody::Validated(accept)));
        assert_eq!(t.status, TicketStatus::Closed);
        assert_eq!(t.resolved_at.as_deref(), Some("2026-12-01T07:00:00Z"));
    }

    /// Merge then unmerge: the duplicate's status comes back, the primary counts reporters.
    #[test]
    fn merge_and_unmerge() {
        let mut dup = opened();
        dup.apply(&status("2026-12-01T02:00:00Z", TicketStatus::PendingCitizen));
        let mut primary = Ticket::open(&report("TGR-2", "sampah", "2026-12-01T00:30:00Z")).unwrap();
        let merge = EventBody::Merged(Merge {
            primary: "TGR-2".into(),
            reporters: 1,
        });
        dup.apply(&event("TGR-1", "2026-12-01T03:00:00Z", merge.clone()));
        primary.link("TGR-1", &merge);
        assert_eq!(
            (dup.status, dup.merged_into.as_deref()),
            (TicketStatus::Merged, Some("TGR-2"))
        );
        assert!(!dup.status.is_open() && dup.pauses[0].to.is_some());
        assert_eq!(
            (primary.reporters(), primary.version),
            (2, 1),
            "not a version of the primary"
        );
        primary.link("TGR-1", &merge);
        assert_eq!(primary.reporters(), 2, "linking twice counts once");
        let unmerge = EventBody::Unmerged(Unmerge {
            primary: "TGR-2".into(),
            restore: TicketStatus::PendingCitizen,
        });
        dup.apply(&event("TGR-1", "2026-12-01T04:00:00Z", unmerge.clone()));
        primary.link("TGR-1", &unmerge);
        assert_eq!(
            (dup.status, dup.merged_into.clone()),
            (TicketStatus::PendingCitizen, None)
        );
        assert_eq!(dup.pauses.len(), 2, "waiting for the citizen again");
        assert_eq!(primary.reporters(), 1);
    }
}
