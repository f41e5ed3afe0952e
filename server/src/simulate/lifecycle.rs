//! The life of one simulated complaint, pure: drawn once when the report arrives, as the
//! steps that follow it and when — an operator verifies it (or asks the citizen, or rejects
//! it), the agency starts and resolves the work, a validator accepts it (or sends it back
//! once). Delays are shares of the ticket's own SLA deadlines (the tenant's calendars and
//! targets), so most steps are on time and some are late: warnings and breaches happen,
//! and late tickets still get resolved.

use chrono::{DateTime, Duration, Utc};
use pantau_shared::event::{Priority, REJECTION_REASONS};
use pantau_shared::sla::{Clocks, SlaConfig};
use rand::Rng;

/// Who takes a step: the citizen (reports), the agency's system (status moves, photos,
/// through an ingest key) or a signed-in operator (verification, validation, closing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Citizen,
    Agency,
    Operator,
}

/// One thing that happens to a ticket after its report.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Disposition to the category's agency (`ticket.verified`), by an operator.
    Verify { officer: Option<String> },
    /// Straight assignment where the tenant has no verification step (`ticket.assigned`).
    Assign { officer: Option<String> },
    /// `rejected` with one of the SP4N-LAPOR reasons.
    Reject { reason: &'static str },
    /// `pending_citizen`: the operator needs more from the reporter.
    AskCitizen,
    /// The agency starts work (`in_progress`).
    Start,
    /// The agency reports it done (`resolved`), with an after photo where the tenant wants one.
    Resolve { photo: bool },
    /// The validator's judgement (`ticket.validated`).
    Validate { accepted: bool },
    /// `closed` where the tenant does not validate.
    Close,
}

impl Action {
    /// Who takes this step.
    pub fn who(&self) -> Who {
        match self {
            Action::Start | Action::Resolve { .. } | Action::Assign { .. } => Who::Agency,
            _ => Who::Operator,
        }
    }
}

/// The tenant facts a life depends on.
pub struct Rules<'a> {
    pub sla: &'a SlaConfig,
    pub verification: bool,
    pub validation: bool,
    pub after_photo: bool,
    /// Officers of the category's agency.
    pub officers: &'a [String],
}

/// Shares of a target at which a step happens: most well inside it, some close to the
/// deadline (warnings), a few after it (breaches).
fn share(rng: &mut impl Rng, late_share: f64) -> f64 {
    let x: f64 = rng.random();
    if x < late_share {
        rng.random_range(1.02..1.5)
    } else if x < late_share + 0.15 {
        rng.random_range(0.75..0.98)
    } else {
        rng.random_range(0.08..0.7)
    }
}

/// `a` plus `share` of the span from `a` to `b`.
fn along(a: DateTime<Utc>, b: DateTime<Utc>, share: f64) -> DateTime<Utc> {
    a + Duration::milliseconds(((b - a).num_milliseconds() as f64 * share) as i64)
}

/// The steps after a report of `category` (at its default `priority`) at `at`, in time order.
pub fn life(
    rules: &Rules<'_>,
    category: &str,
    priority: Priority,
    at: DateTime<Utc>,
    rng: &mut impl Rng,
) -> Vec<(DateTime<Utc>, Action)> {
    let clocks = Clocks {
        category,
        priority,
        created_at: at,
        first_assigned_at: None,
        resolution_started_at: at,
        resolved_at: None,
        pauses: &[],
        tier: None,
    };
    // Without a policy the category still lives: a day to respond, three to resolve.
    let (respond_by, resolve_by) = match rules.sla.evaluate(&clocks) {
        Some(sla) => (
            sla.response.deadline.unwrap_or(at + Duration::hours(24)),
            sla.resolution.deadline.unwrap_or(at + Duration::hours(72)),
        ),
        None => (at + Duration::hours(24), at + Duration::hours(72)),
    };
    let officer = rules
        .officers
        .get(rng.random_range(0..rules.officers.len().max(1)))
        .cloned();
    let mut steps = Vec::new();
    let mut t = along(at, respond_by, share(rng, 0.07));
    if rules.verification {
        let fate: f64 = rng.random();
        if fate < 0.04 {
            let reason = REJECTION_REASONS[rng.random_range(0..REJECTION_REASONS.len())];
            return vec![(t, Action::Reject { reason })];
        }
        if fate < 0.08 {
            steps.push((t, Action::AskCitizen));
            // The citizen answers within hours; the operator verifies soon after.
            t += Duration::minutes(rng.random_range(30..8 * 60));
        }
        steps.push((
            t,
            Action::Verify {
                officer: officer.clone(),
            },
        ));
    } else {
        steps.push((
            t,
            Action::Assign {
                officer: officer.clone(),
            },
        ));
    }
    let resolved = along(at, resolve_by, share(rng, 0.12)).max(t + Duration::minutes(20));
    let started = along(t, resolved, rng.random_range(0.1..0.5));
    steps.push((started, Action::Start));
    steps.push((
        resolved,
        Action::Resolve {
            photo: rules.after_photo,
        },
    ));
    let judged = resolved + Duration::minutes(rng.random_range(15..4 * 60));
    if rules.validation {
        if rng.random::<f64>() < 0.08 {
            // "TL ditolak": back to the agency, which resolves again within hours.
            steps.push((judged, Action::Validate { accepted: false }));
            let again = judged + Duration::minutes(rng.random_range(60..10 * 60));
            steps.push((
                again,
                Action::Resolve {
                    photo: rules.after_photo,
                },
            ));
            let judged_again = again + Duration::minutes(rng.random_range(15..3 * 60));
            steps.push((judged_again, Action::Validate { accepted: true }));
        } else {
            steps.push((judged, Action::Validate { accepted: true }));
        }
    } else if rng.random::<f64>() < 0.7 {
        steps.push((judged, Action::Close));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rules(sla: &SlaConfig, validation: bool) -> Rules<'_> {
        Rules {
            sla,
            verification: true,
            validation,
            after_photo: false,
            officers: &[],
        }
    }

    /// Every life is in time order, ends resolved, closed or rejected, and over many lives
    /// most resolutions meet the deadline while some miss it.
    #[test]
    fn lives_end_and_some_are_late() {
        let tenants = crate::tenant::test_tenants();
        let tenant = tenants.get("tangerang").unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let at: DateTime<Utc> = "2026-03-02T03:00:00Z".parse().unwrap();
        let (mut late, mut total) = (0, 0);
        for _ in 0..2000 {
            let steps = life(&rules(&tenant.sla, true), "sampah", Priority::Medium, at, &mut rng);
            assert!(steps.windows(2).all(|w| w[0].0 <= w[1].0), "{steps:?}");
            let last = &steps.last().unwrap().1;
            assert!(
                matches!(last, Action::Validate { accepted: true } | Action::Reject { .. }),
                "{last:?}"
            );
            if let Some((resolved, _)) = steps.iter().find(|(_, a)| matches!(a, Action::Resolve { .. })) {
                total += 1;
                // `sampah` is 24 hours round the clock.
                if *resolved > at + Duration::hours(24) {
                    late += 1;
                }
            }
        }
        let share = f64::from(late) / f64::from(total);
        assert!((0.05..0.25).contains(&share), "late share {share}");
    }

    #[test]
    fn without_validation_a_life_never_validates() {
        let tenants = crate::tenant::test_tenants();
        let tenant = tenants.get("banjar").unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let at: DateTime<Utc> = "2026-03-02T03:00:00Z".parse().unwrap();
        for _ in 0..300 {
            let steps = life(
                &rules(&tenant.sla, false),
                "jalan_rusak",
                Priority::Medium,
                at,
                &mut rng,
            );
            assert!(!steps.iter().any(|(_, a)| matches!(a, Action::Validate { .. })));
        }
    }
}
