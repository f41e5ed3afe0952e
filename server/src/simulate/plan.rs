//! The simulated city's timetable, pure and deterministic: an endless, time-ordered
//! sequence of steps — reports arriving at the daily rhythm, each report's life (see
//! [`super::lifecycle`]) and now and then a hospital ward's beds — from a seed and a start
//! instant. The same seed, start and tenant give the same steps with the same event ids,
//! so a re-run is idempotent and a test can compare two runs.

use super::city::City;
use super::lifecycle::{life, Action, Rules};
use crate::tenant::Tenant;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Every this many reports the city also reports a hospital ward's beds.
const BEDS_EVERY: u64 = 8;

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// A citizen's report (the ingest API's JSON, with its event id and time).
    Report(Value),
    /// A hospital ward's beds (tenant-wide, no ticket).
    Beds(Value),
    /// A step in the life of case `case`'s ticket.
    Follow(Action),
}

/// One step of the timetable.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at: DateTime<Utc>,
    /// The report this step belongs to (numbered from 0 in arrival order).
    pub case: u64,
    /// The step's event id (a UUID derived from the seed, the case and the step).
    pub id: String,
    pub what: What,
}

/// A pending follow-up, ordered by time and then by when it was planned.
struct Pending {
    at: DateTime<Utc>,
    order: u64,
    case: u64,
    what: What,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// The timetable of one tenant's simulated city.
pub struct Plan {
    city: City,
    sla: std::sync::Arc<pantau_shared::sla::SlaConfig>,
    verification: bool,
    validation: bool,
    after_photo: bool,
    /// Officer ids of each category's agency.
    officers: std::collections::HashMap<String, Vec<String>>,
    /// Each category's default priority (its SLA targets scale with it).
    priorities: std::collections::HashMap<String, pantau_shared::event::Priority>,
    rng: StdRng,
    namespace: uuid::Uuid,
    /// Reports per hour over a whole day (the rhythm moves it around this mean).
    rate_per_hour: f64,
    next_arrival: DateTime<Utc>,
    cases: u64,
    order: u64,
    pending: BinaryHeap<Reverse<Pending>>,
    /// Steps planned per case so far (the event ids number them).
    step_numbers: std::collections::HashMap<u64, u32>,
}

impl Plan {
    /// The timetable of `tenant` from `start`, `rate_per_hour` reports per hour on average.
    pub fn new(tenant: &Tenant, seed: u64, start: DateTime<Utc>, rate_per_hour: f64) -> Plan {
        let officers = tenant
            .categories
            .iter()
            .map(|c| {
                let ids = tenant
                    .agency(&c.agency)
                    .map(|a| a.officers.iter().map(|o| o.id.clone()).collect())
                    .unwrap_or_default();
                (c.code.clone(), ids)
            })
            .collect();
        let priorities = tenant.categories.iter().map(|c| (c.code.clone(), c.priority)).collect();
        let name = format!("pantau-simulate/{}/{seed}/{}", tenant.id, start.timestamp_millis());
        let mut plan = Plan {
            city: City::of(tenant),
            sla: tenant.sla.clone(),
            verification: tenant.workflow.verification,
            validation: tenant.workflow.validation,
            after_photo: tenant.evidence.require_after_photo,
            officers,
            priorities,
            rng: StdRng::seed_from_u64(seed),
            namespace: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()),
            rate_per_hour: rate_per_hour.max(1e-6),
            next_arrival: start,
            cases: 0,
            order: 0,
            pending: BinaryHeap::new(),
            step_numbers: Default::default(),
        };
        plan.next_arrival = plan.arrival_after(start);
        plan
    }

    /// The next arrival after `t`: a Poisson process at the peak rate, thinned by the hour's
    /// rhythm.
    fn arrival_after(&mut self, mut t: DateTime<Utc>) -> DateTime<Utc> {
        let peak = City::peak();
        let per_ms = self.rate_per_hour * peak / 3_600_000.0;
        loop {
            let u: f64 = self.rng.random_range(f64::EPSILON..1.0);
            t += Duration::milliseconds((-u.ln() / per_ms).ceil() as i64);
            if self.rng.random::<f64>() * peak < self.city.rhythm(t) {
                return t;
            }
        }
    }

    fn id(&mut self, case: u64) -> String {
        let n = self.step_numbers.entry(case).or_insert(0);
        *n += 1;
        uuid::Uuid::new_v5(&self.namespace, format!("{case}/{n}").as_bytes()).to_string()
    }

    /// A new report at the next arrival, with its whole life planned.
    fn arrive(&mut self) -> Step {
        let at = self.next_arrival;
        let case = self.cases;
        self.cases += 1;
        let id = self.id(case);
        let report = self.city.report(&id, at, &mut self.rng);
        let category = report["category"].as_str().unwrap_or_default().to_owned();
        let officers = self.officers.get(&category).cloned().unwrap_or_default();
        let rules = Rules {
            sla: &self.sla,
            verification: self.verification,
            validation: self.validation,
            after_photo: self.after_photo,
            officers: &officers,
        };
        let priority = self.priorities.get(&category).copied().unwrap_or_default();
        for (when, action) in life(&rules, &category, priority, at, &mut self.rng) {
            self.order += 1;
            self.pending.push(Reverse(Pending {
                at: when,
                order: self.order,
                case,
                what: What::Follow(action),
            }));
        }
        if case % BEDS_EVERY == BEDS_EVERY - 1 {
            // A ward reports a few minutes after this report (tenant-wide, no ticket).
            self.order += 1;
            let beds_at = at + Duration::minutes(2);
            let beds = self.city.beds("", beds_at, &mut self.rng);
            self.pending.push(Reverse(Pending {
                at: beds_at,
                order: self.order,
                case,
                what: What::Beds(beds),
            }));
        }
        self.next_arrival = self.arrival_after(at);
        Step {
            at,
            case,
            id,
            what: What::Report(report),
        }
    }
}

impl Iterator for Plan {
    type Item = Step;

    /// The next step in time order (never `None`: the city does not stop).
    fn next(&mut self) -> Option<Step> {
        let follow_first = self.pending.peek().is_some_and(|Reverse(p)| p.at < self.next_arrival);
        if !follow_first {
            return Some(self.arrive());
        }
        let Reverse(p) = self.pending.pop()?;
        let id = self.id(p.case);
        let what = match p.what {
            What::Beds(mut beds) => {
                beds["id"] = id.clone().into();
                What::Beds(beds)
            }
            other => other,
        };
        Some(Step {
            at: p.at,
            case: p.case,
            id,
            what,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(seed: u64) -> Plan {
        let tenants = crate::tenant::test_tenants();
        let start: DateTime<Utc> = "2026-03-02T00:00:00Z".parse().unwrap();
        Plan::new(tenants.get("tangerang").unwrap(), seed, start, 60.0)
    }

    /// Same seed, same city: the same steps with the same ids; another seed, another city.
    #[test]
    fn a_seed_gives_the_same_city() {
        let a: Vec<Step> = plan(7).take(2000).collect();
        let b: Vec<Step> = plan(7).take(2000).collect();
        assert_eq!(a, b);
        let c: Vec<Step> = plan(8).take(2000).collect();
        assert_ne!(a, c);
        let ids: std::collections::HashSet<&str> = a.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), a.len(), "every step has its own id");
    }

    /// Steps come in time order, every report's life follows it, and over two days at
    /// 60 an hour about 2,880 reports arrive, more by day than by night.
    #[test]
    fn steps_are_in_order_and_follow_their_report() {
        let start: DateTime<Utc> = "2026-03-02T00:00:00Z".parse().unwrap();
        let end = start + Duration::days(2);
        let steps: Vec<Step> = plan(3).take_while(|s| s.at < end).collect();
        assert!(steps.windows(2).all(|w| w[0].at <= w[1].at));
        let mut reported = std::collections::HashSet::new();
        let (mut day, mut night) = (0, 0);
        for s in &steps {
            match &s.what {
                What::Report(r) => {
                    reported.insert(s.case);
                    // Local hour in WIB.
                    let hour = (s.at + Duration::hours(7)).format("%H").to_string();
                    let hour: u32 = hour.parse().unwrap();
                    if (8..10).contains(&hour) {
                        day += 1;
                    } else if (2..4).contains(&hour) {
                        night += 1;
                    }
                    assert_eq!(r["id"], s.id.as_str());
                }
                What::Follow(_) | What::Beds(_) => assert!(reported.contains(&s.case), "{s:?}"),
            }
        }
        let n = reported.len();
        assert!((2_500..3_300).contains(&n), "{n} reports");
        assert!(day > 5 * night, "day {day}, night {night}");
    }
}
