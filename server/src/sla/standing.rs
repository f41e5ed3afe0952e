//! Where a ticket's SLA target stands at a moment, as the ticket API reports it (`sla_now`):
//! its state, the seconds left (negative when late) and the share of the target used. Pure.

use chrono::{DateTime, Utc};
use pantau_shared::sla::{SlaState, Target};
use serde::Serialize;

/// A target's standing at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub state: SlaState,
    /// Seconds until the deadline (negative when late); business seconds left while paused;
    /// `None` when the target has no clock.
    pub remaining_secs: Option<i64>,
    /// Business time used over the whole target (1.0 = at the deadline, capped at 10);
    /// `None` once met or while paused.
    pub share_used: Option<f64>,
}

/// `target`'s standing at `now`.
pub fn standing(target: &Target, now: DateTime<Utc>) -> Standing {
    let total = f64::from(target.minutes) * 60.0;
    let remaining = match (target.deadline, target.paused_remaining_secs) {
        (Some(d), _) => Some((d - now).num_seconds()),
        (None, left) => left,
    };
    let share_used = match (target.done_at, remaining) {
        (None, Some(r)) if target.deadline.is_some() => Some(((total - r.max(0) as f64) / total).clamp(0.0, 10.0)),
        _ => None,
    };
    Standing {
        state: target.state(now),
        remaining_secs: remaining,
        share_used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn target(deadline: Option<&str>, done: Option<&str>, paused_left: Option<i64>) -> Target {
        Target {
            minutes: 60,
            started_at: at("2026-11-23T02:00:00Z"),
            deadline: deadline.map(at),
            warn_at: deadline.map(|d| at(d) - chrono::Duration::minutes(12)),
            done_at: done.map(at),
            paused_remaining_secs: paused_left,
        }
    }

    /// A running target reports the seconds left and the share used; past its deadline the
    /// seconds are negative while the share only says "used up".
    #[test]
    fn running_and_late_targets() {
        let t = target(Some("2026-11-23T03:00:00Z"), None, None);
        let half = standing(&t, at("2026-11-23T02:30:00Z"));
        assert_eq!(half.remaining_secs, Some(1800));
        assert_eq!(half.share_used, Some(0.5));
        assert_eq!(half.state, SlaState::OnTrack);
        let late = standing(&t, at("2026-11-23T03:10:00Z"));
        assert_eq!(late.remaining_secs, Some(-600));
        assert_eq!(late.share_used, Some(1.0));
        assert_eq!(late.state, SlaState::Breached);
    }

    /// A paused target keeps its business seconds left and no share; a met one no share.
    #[test]
    fn paused_and_met_targets() {
        let paused = standing(&target(None, None, Some(900)), at("2026-11-23T05:00:00Z"));
        assert_eq!((paused.remaining_secs, paused.share_used), (Some(900), None));
        assert_eq!(paused.state, SlaState::Paused);
        let met = standing(
            &target(Some("2026-11-23T03:00:00Z"), Some("2026-11-23T02:40:00Z"), None),
            at("2026-11-23T05:00:00Z"),
        );
        assert_eq!(met.share_used, None);
        assert_eq!(met.state, SlaState::Met);
    }
}
