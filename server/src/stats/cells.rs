//! The counters behind the KPIs: per set of tickets (a [`Scope`]: all of them, or one key
//! of one dimension), one [`Cell`] per UTC hour holding counts and duration multisets.
//! Local days and hours of Indonesian zones (whole-hour offsets) are unions of UTC hours,
//! so any window is a range of cells; adding and subtracting a ticket's contribution keeps
//! them exact.

use super::contribution::{Contribution, Judged, Measured};
use pantau_shared::stats::{KpiSet, Spread};
use std::collections::BTreeMap;

pub const HOUR_MS: i64 = 3_600_000;

/// The UTC hour (index since the epoch) containing `ms`.
pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS)
}

/// How many times each duration (seconds) occurs: exact, and O(log n) to add or remove
/// even when thousands of tickets share an hour.
pub type Counts = BTreeMap<i64, u64>;

/// The four duration multisets of a cell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Durations {
    pub response_wall: Counts,
    pub response_business: Counts,
    pub resolution_wall: Counts,
    pub resolution_business: Counts,
}

/// Everything dated in one hour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub intake: i64,
    /// Tickets that stopped being open (for the backlog at earlier instants).
    pub ended: i64,
    pub resolved: i64,
    pub rejected: i64,
    pub reopened: i64,
    pub response_judged: i64,
    pub response_met: i64,
    pub resolution_judged: i64,
    pub resolution_met: i64,
    /// Follow-ups refused by the validator ("TL ditolak").
    pub follow_ups_refused: i64,
    pub durations: Durations,
}

impl Cell {
    fn is_empty(&self) -> bool {
        *self == Cell::default()
    }
}

/// Add (`sign` > 0) or remove one occurrence of `value`.
fn edit(counts: &mut Counts, value: i64, sign: i64) {
    if sign > 0 {
        *counts.entry(value).or_default() += 1;
    } else if let Some(n) = counts.get_mut(&value) {
        *n -= 1;
        if *n == 0 {
            counts.remove(&value);
        }
    }
}

/// The counters of one set of tickets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Tickets open now.
    pub open: i64,
    /// Cells by UTC hour; empty cells are dropped.
    pub cells: BTreeMap<i64, Cell>,
}

impl Scope {
    /// The cell of the hour containing `ms`.
    fn cell(&mut self, ms: i64) -> &mut Cell {
        self.cells.entry(hour_of(ms)).or_default()
    }

    /// Add (`sign` = 1) or subtract (`sign` = -1) a ticket's contribution.
    pub fn apply(&mut self, c: &Contribution, sign: i64) {
        let bump = |scope: &mut Scope, at: i64, f: &dyn Fn(&mut Cell) -> &mut i64| {
            *f(scope.cell(at)) += sign;
        };
        bump(self, c.created_ms, &|x| &mut x.intake);
        match c.ended_ms {
            Some(at) => bump(self, at, &|x| &mut x.ended),
            None => self.open += sign,
        }
        if let Some(at) = c.resolved_ms {
            bump(self, at, &|x| &mut x.resolved);
        }
        if let Some(at) = c.rejected_ms {
            bump(self, at, &|x| &mut x.rejected);
        }
        if let Some(at) = c.reopened_ms {
            bump(self, at, &|x| &mut x.reopened);
        }
        if let Some((at, count)) = c.follow_ups_refused {
            self.cell(at).follow_ups_refused += sign * count;
        }
        if let Some(Judged { at_ms, met }) = c.response {
            bump(self, at_ms, &|x| &mut x.response_judged);
            if met {
                bump(self, at_ms, &|x| &mut x.response_met);
            }
        }
        if let Some(Judged { at_ms, met }) = c.resolution {
            bump(self, at_ms, &|x| &mut x.resolution_judged);
            if met {
                bump(self, at_ms, &|x| &mut x.resolution_met);
            }
        }
        if let Some(Measured {
            at_ms,
            wall_secs,
            business_secs,
        }) = c.response_time
        {
            let d = &mut self.cell(at_ms).durations;
            edit(&mut d.response_wall, wall_secs, sign);
            if let Some(b) = business_secs {
                edit(&mut d.response_business, b, sign);
            }
        }
        if let Some(Measured {
            at_ms,
            wall_secs,
            business_secs,
        }) = c.resolution_time
        {
            let d = &mut self.cell(at_ms).durations;
            edit(&mut d.resolution_wall, wall_secs, sign);
            if let Some(b) = business_secs {
                edit(&mut d.resolution_business, b, sign);
            }
        }
        if sign < 0 {
            for at in c.instants() {
                let hour = hour_of(at);
                if self.cells.get(&hour).is_some_and(Cell::is_empty) {
                    self.cells.remove(&hour);
                }
            }
        }
    }

    /// Open tickets at the instant `end` (start of the hour `end_hour`): open now, minus
    /// those reported since, plus those that ended since.
    pub fn backlog_at(&self, end_hour: i64) -> u64 {
        let (mut created, mut ended) = (0, 0);
        for cell in self.cells.range(end_hour..).map(|(_, c)| c) {
            created += cell.intake;
            ended += cell.ended;
        }
        (self.open - created + ended).max(0) as u64
    }

    /// The numbers of the hours `[from_hour, to_hour)`, with the backlog at `to_hour`
    /// (`None`: now).
    pub fn kpis(&self, from_hour: i64, to_hour: Option<i64>) -> KpiSet {
        let range = match to_hour {
            Some(to) if to <= from_hour => self.cells.range(from_hour..from_hour),
            Some(to) => self.cells.range(from_hour..to),
            None => self.cells.range(from_hour..),
        };
        let mut sum = Cell::default();
        let mut durations: [Vec<(i64, u64)>; 4] = Default::default();
        for (_, c) in range {
            sum.intake += c.intake;
            sum.resolved += c.resolved;
            sum.rejected += c.rejected;
            sum.reopened += c.reopened;
            sum.response_judged += c.response_judged;
            sum.response_met += c.response_met;
            sum.resolution_judged += c.resolution_judged;
            sum.resolution_met += c.resolution_met;
            sum.follow_ups_refused += c.follow_ups_refused;
            let d = &c.durations;
            for (all, counts) in durations.iter_mut().zip([
                &d.response_wall,
                &d.response_business,
                &d.resolution_wall,
                &d.resolution_business,
            ]) {
                all.extend(counts.iter().map(|(v, n)| (*v, *n)));
            }
        }
        let n = |v: i64| v.max(0) as u64;
        let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        let [rw, rb, sw, sb] = &mut durations;
        KpiSet {
            intake: n(sum.intake),
            backlog: match to_hour {
                Some(to) => self.backlog_at(to),
                None => n(self.open),
            },
            resolved: n(sum.resolved),
            rejected: n(sum.rejected),
            reopened: n(sum.reopened),
            response_judged: n(sum.response_judged),
            response_met: n(sum.response_met),
            response_compliance: ratio(sum.response_met, sum.response_judged),
            resolution_judged: n(sum.resolution_judged),
            resolution_met: n(sum.resolution_met),
            resolution_compliance: ratio(sum.resolution_met, sum.resolution_judged),
            response_wall: spread(rw),
            response_business: spread(rb),
            resolution_wall: spread(sw),
            resolution_business: spread(sb),
            reopen_rate: ratio(sum.reopened, sum.resolved),
            follow_ups_refused: n(sum.follow_ups_refused),
        }
    }
}

/// Median and nearest-rank 90th percentile, in minutes, of the durations (seconds) given
/// as `(value, count)` pairs (reordered; a value may appear in several pairs).
pub fn spread(counts: &mut [(i64, u64)]) -> Spread {
    counts.sort_unstable();
    let n: u64 = counts.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return Spread::default();
    }
    // The value at 1-based rank `k`.
    let at = |k: u64| {
        let mut seen = 0;
        for (v, c) in counts.iter() {
            seen += c;
            if seen >= k {
                return *v as f64 / 60.0;
            }
        }
        0.0
    };
    let median = if n % 2 == 1 {
        at(n / 2 + 1)
    } else {
        (at(n / 2) + at(n / 2 + 1)) / 2.0
    };
    // Nearest rank: the smallest value with at least 90 % of the values at or below it.
    let rank = (n * 9).div_ceil(10).max(1);
    Spread {
        count: n,
        median: Some(median),
        p90: Some(at(rank)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Median of an even count is the mean of the middle two; p90 is the nearest rank.
    #[test]
    fn spread_by_hand() {
        let mut v: Vec<(i64, u64)> = (1..=10).rev().map(|m| (m * 60, 1)).collect();
        let s = spread(&mut v);
        assert_eq!((s.count, s.median, s.p90), (10, Some(5.5), Some(9.0)));
        let s = spread(&mut [(120, 1)]);
        assert_eq!((s.median, s.p90), (Some(2.0), Some(2.0)));
        assert_eq!(spread(&mut []), Spread::default());
        // Counts split over cells: 1 min ×3, 2 min ×1 (twice), 10 min ×5 → n = 10.
        let s = spread(&mut [(600, 5), (60, 3), (120, 1), (120, 1)]);
        assert_eq!((s.count, s.median, s.p90), (10, Some(6.0), Some(10.0)));
    }
}
