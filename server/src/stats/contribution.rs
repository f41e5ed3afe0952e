//! What one ticket adds to the statistics, as a pure function of its current state and the
//! tenant's SLA rules. Because it depends on nothing else, the statistics can subtract a
//! ticket's contribution before an event and add it back after, and a rebuild from the
//! tickets alone gives the same numbers.

use super::business::business_secs;
use chrono::{DateTime, Utc};
use pantau_shared::event::SlaTarget;
use pantau_shared::sla::{SlaConfig, SlaState, Target};
use pantau_shared::stats::{Dimension, NONE_KEY};
use pantau_shared::ticket::Ticket;

/// A judged SLA target: when, and whether it was met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judged {
    pub at_ms: i64,
    pub met: bool,
}

/// A measured duration, seconds, dated by the instant that ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub at_ms: i64,
    pub wall_secs: i64,
    /// `None` when the ticket has no SLA calendar (no policy covers it).
    pub business_secs: Option<i64>,
}

/// One ticket's share of every statistic (borrowing its keys from the ticket: computed
/// twice per change, so it allocates nothing).
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution<'t> {
    /// The ticket's key per [`Dimension::ALL`] (agency, category, kecamatan, channel).
    pub keys: [&'t str; 4],
    /// The kecamatan's name, the label of its key.
    pub kecamatan_name: Option<&'t str>,
    /// When it was reported.
    pub created_ms: i64,
    /// When it stopped being open (latest resolution, else its last update); `None` while open.
    pub ended_ms: Option<i64>,
    /// Latest resolution.
    pub resolved_ms: Option<i64>,
    /// Its last update, when rejected.
    pub rejected_ms: Option<i64>,
    /// Latest reopening.
    pub reopened_ms: Option<i64>,
    pub response: Option<Judged>,
    pub resolution: Option<Judged>,
    /// Report to first assignment.
    pub response_time: Option<Measured>,
    /// Report to latest resolution.
    pub resolution_time: Option<Measured>,
    /// Follow-ups the validator refused ("TL ditolak"), dated by the ticket's last update
    /// (the ticket keeps a count, not the instants): `(at_ms, count)`, when any.
    pub follow_ups_refused: Option<(i64, i64)>,
}

fn ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_millis())
}

fn utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// How a target was judged: met/missed when done, missed at its deadline when the breach
/// was recorded (`sla.breached`) and it is not done; otherwise not (yet) judged.
fn judge(target: &Target, breached: bool) -> Option<Judged> {
    match target.done_at {
        Some(done) => Some(Judged {
            at_ms: done.timestamp_millis(),
            met: target.state(done) == SlaState::Met,
        }),
        None if breached => target.deadline.map(|d| Judged {
            at_ms: d.timestamp_millis(),
            met: false,
        }),
        None => None,
    }
}

impl<'t> Contribution<'t> {
    /// The key of `t` in `dimension`.
    pub fn key(&self, dimension: Dimension) -> &'t str {
        self.keys[dimension as usize]
    }

    /// Every instant the contribution is dated by (the cells it touches).
    pub fn instants(&self) -> impl Iterator<Item = i64> + '_ {
        [
            Some(self.created_ms),
            self.ended_ms,
            self.resolved_ms,
            self.rejected_ms,
            self.reopened_ms,
        ]
        .into_iter()
        .chain([self.response.map(|j| j.at_ms), self.resolution.map(|j| j.at_ms)])
        .chain([
            self.response_time.map(|m| m.at_ms),
            self.resolution_time.map(|m| m.at_ms),
            self.follow_ups_refused.map(|(at, _)| at),
        ])
        .flatten()
    }

    /// What `t` contributes under `sla`; `None` for a ticket without a readable report time.
    pub fn of(t: &'t Ticket, sla: &SlaConfig) -> Option<Contribution<'t>> {
        let created_ms = ms(&t.created_at)?;
        let resolved_ms = t.resolved_at.as_deref().and_then(ms);
        let ended_ms = (!t.status.is_open()).then(|| {
            resolved_ms
                .or_else(|| ms(&t.updated_at))
                .unwrap_or(created_ms)
                .max(created_ms)
        });
        let rejected_ms =
            (t.status == pantau_shared::event::TicketStatus::Rejected).then(|| ended_ms.unwrap_or(created_ms));
        let reopened_ms = ms(&t.resolution_started_at).filter(|r| *r > created_ms);
        let (response, resolution) = match &t.sla {
            Some(s) => (
                judge(&s.response, t.sla_breached.contains(&SlaTarget::Response)),
                judge(&s.resolution, t.sla_breached.contains(&SlaTarget::Resolution)),
            ),
            None => (None, None),
        };
        let calendar = sla
            .policy(&t.category, t.priority)
            .and_then(|p| sla.calendars.get(p.calendar));
        let measure = |end_ms: i64| {
            let wall_secs = (end_ms - created_ms).max(0) / 1000;
            let business_secs = match (calendar, utc(created_ms), utc(end_ms)) {
                (Some(c), Some(from), Some(to)) => Some(business_secs(c, from, to, &t.pauses)),
                _ => None,
            };
            Measured {
                at_ms: end_ms,
                wall_secs,
                business_secs,
            }
        };
        let first_assigned_ms = t.first_assigned_at.as_deref().and_then(ms);
        Some(Contribution {
            keys: [
                t.agency.as_deref().unwrap_or(NONE_KEY),
                &t.category,
                t.kecamatan.as_ref().map_or(NONE_KEY, |k| k.code.as_str()),
                t.channel.as_deref().unwrap_or(NONE_KEY),
            ],
            kecamatan_name: t.kecamatan.as_ref().map(|k| k.name.as_str()),
            created_ms,
            ended_ms,
            resolved_ms,
            rejected_ms,
            reopened_ms,
            response,
            resolution,
            response_time: first_assigned_ms.map(measure),
            resolution_time: resolved_ms.map(measure),
            follow_ups_refused: (t.follow_up_rejections > 0).then(|| {
                let at = ms(&t.updated_at).unwrap_or(created_ms).max(created_ms);
                (at, i64::from(t.follow_up_rejections))
            }),
        })
    }
}
