//! What the map shows, counted from the board's tickets: per kecamatan its open tickets,
//! how many are breached and its worst state; every ticket's marker in screen space; and
//! the tickets that stand out (breached or critical). Also when the map is too dense for
//! markers: above [`DENSE_ENTER`] bubbles a city's worth of red dots tells an operator
//! nothing, so the map turns into a choropleth — each kecamatan filled by its worst state
//! and labelled with its count — keeping individual markers only for the stand-outs, the
//! most overdue first. Pure: the projection comes in as a function.

use crate::components::urgent::next_deadline_ms;
use crate::map::cluster::Marker;
use crate::map::style::{urgency, Urgency};
use crate::state::{ById, Entry};
use pantau_shared::event::Priority;

/// Bubbles (after clustering) above which the map switches to the choropleth.
pub const DENSE_ENTER: usize = 150;
/// Bubbles below which it switches back (a gap, so the map does not flicker at the edge).
pub const DENSE_LEAVE: usize = 110;
/// Most stand-out markers drawn over the choropleth.
pub const MAX_STANDOUTS: usize = 40;

/// How the map draws tickets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MapMode {
    /// A (clustered) marker per ticket.
    #[default]
    Markers,
    /// Counts and worst state per kecamatan, markers only for stand-outs.
    Choropleth,
}

impl MapMode {
    /// Value of the map's `data-mode` attribute.
    pub fn code(self) -> &'static str {
        match self {
            MapMode::Markers => "markers",
            MapMode::Choropleth => "choropleth",
        }
    }
}

/// The mode after a repaint that would draw `bubbles` bubbles in `current` mode.
pub fn next_mode(current: MapMode, bubbles: usize) -> MapMode {
    match current {
        MapMode::Markers if bubbles > DENSE_ENTER => MapMode::Choropleth,
        MapMode::Choropleth if bubbles < DENSE_LEAVE => MapMode::Markers,
        mode => mode,
    }
}

/// The tickets of one kecamatan that still need work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KecamatanLoad {
    pub open: usize,
    pub breached: usize,
    /// The most urgent state among them.
    pub worst: Urgency,
}

/// A ticket that stands out, and how far past its deadline it is (ms; negative before).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standout {
    pub marker: Marker,
    pub critical: bool,
    pub overdue_ms: f64,
}

/// Everything the map draws from the tickets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Open (and paused) tickets per kecamatan code.
    pub kecamatan: ById<KecamatanLoad>,
    /// A marker per ticket on the map (open, or resolved in the last minutes).
    pub markers: Vec<Marker>,
    /// Breached or critical open tickets: critical first, then the most overdue; capped at
    /// [`MAX_STANDOUTS`].
    pub standouts: Vec<Standout>,
    /// Markers in the breached state.
    pub breached: usize,
}

impl Tally {
    /// The busiest kecamatan's open tickets (0 with none).
    pub fn max_open(&self) -> usize {
        self.kecamatan.values().map(|k| k.open).max().unwrap_or(0)
    }
}

/// Count `entries` at `now_ms` (server clock), placing markers with `project(lon, lat)`.
pub fn tally<'a>(
    entries: impl Iterator<Item = &'a Entry>,
    now_ms: f64,
    project: impl Fn(f64, f64) -> (f64, f64),
) -> Tally {
    let mut out = Tally::default();
    for entry in entries {
        let t = &entry.ticket;
        let Some(u) = urgency(t, now_ms, entry.at.resolved.map(|r| r as f64)) else {
            continue;
        };
        let breached = u == Urgency::Breached;
        if let (true, Some(k)) = (u >= Urgency::Paused, &t.kecamatan) {
            match out.kecamatan.get_mut(k.code.as_str()) {
                Some(load) => {
                    load.open += 1;
                    load.breached += usize::from(breached);
                    load.worst = load.worst.max(u);
                }
                None => {
                    let load = KecamatanLoad {
                        open: 1,
                        breached: usize::from(breached),
                        worst: u,
                    };
                    out.kecamatan.insert(k.code.clone(), load);
                }
            }
        }
        let (x, y) = project(t.lon, t.lat);
        let marker = Marker { x, y, urgency: u };
        out.markers.push(marker);
        out.breached += usize::from(breached);
        let critical = t.priority == Priority::Critical && t.status.is_open();
        if breached || critical {
            let overdue_ms = next_deadline_ms(t).map_or(0.0, |d| now_ms - d);
            out.standouts.push(Standout {
                marker,
                critical,
                overdue_ms,
            });
        }
    }
    let order = |a: &Standout, b: &Standout| b.critical.cmp(&a.critical).then(b.overdue_ms.total_cmp(&a.overdue_ms));
    if out.standouts.len() > MAX_STANDOUTS {
        out.standouts.select_nth_unstable_by(MAX_STANDOUTS, order);
        out.standouts.truncate(MAX_STANDOUTS);
    }
    out.standouts.sort_by(order);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Board;
    use pantau_shared::cursor::Cursor;
    use pantau_shared::event::{Place, PriorityChange};
    use pantau_shared::fixtures::{event, report, report_mut};
    use pantau_shared::sla::{Calendar, Policy, SlaConfig};

    /// 24/7, respond within 60 minutes and resolve within 600 for garbage.
    fn sla() -> SlaConfig {
        SlaConfig {
            warning_share: 0.75,
            calendars: vec![Calendar {
                week: None,
                holidays: Default::default(),
                utc_offset_minutes: 420,
            }],
            policies: [Priority::Medium, Priority::Critical]
                .into_iter()
                .map(|priority| Policy {
                    category: "sampah".into(),
                    priority,
                    response_minutes: 60,
                    resolution_minutes: 600,
                    calendar: 0,
                })
                .collect(),
            tiers: vec![],
        }
    }

    /// A board of garbage reports `(id, kecamatan code, reported at)`.
    fn board(reports: &[(&str, &str, &str)]) -> Board {
        let mut b = Board::default();
        let c = |ms| Cursor { ms, seq: 0 };
        b.reset(c(0), vec![], sla(), vec![]);
        let events: Vec<_> = reports
            .iter()
            .map(|(id, kec, at)| {
                let mut e = report(id, "sampah", at);
                report_mut(&mut e).kecamatan = Some(Place {
                    code: (*kec).into(),
                    name: format!("Kec {kec}"),
                });
                e
            })
            .collect();
        b.apply(c(0), c(1), &events);
        b
    }

    const NOW: f64 = 1_795_402_800_000.0; // 2026-11-23T03:00:00Z

    /// Per kecamatan: open tickets, breached ones and the worst state; every ticket gets a
    /// marker where the projection puts it.
    #[test]
    fn counts_per_kecamatan() {
        let b = board(&[
            ("A", "01", "2026-11-23T02:50:00Z"), // on track
            ("B", "01", "2026-11-23T01:00:00Z"), // response breached
            ("C", "02", "2026-11-23T02:10:00Z"), // warning (50 of 60 minutes)
        ]);
        let t = tally(b.entries(), NOW, |lon, lat| (lon, -lat));
        let k01 = t.kecamatan["01"];
        assert_eq!((k01.open, k01.breached, k01.worst), (2, 1, Urgency::Breached));
        assert_eq!(t.kecamatan["02"].worst, Urgency::Warning);
        assert_eq!((t.markers.len(), t.breached, t.max_open()), (3, 1, 2));
        let m = t.markers[0];
        assert_eq!(
            (m.x, m.y),
            (pantau_shared::fixtures::POINT.1, -pantau_shared::fixtures::POINT.0)
        );
    }

    /// Stand-outs are breached or critical tickets: critical first, then the most overdue,
    /// capped.
    #[test]
    fn standouts_rank_critical_then_overdue() {
        let mut b = board(&[
            ("OLD", "01", "2026-11-22T20:00:00Z"),
            ("OLDER", "01", "2026-11-22T10:00:00Z"),
            ("FRESH", "01", "2026-11-23T02:59:00Z"),
            ("CRIT", "01", "2026-11-23T02:58:00Z"),
        ]);
        let raise = event(
            "CRIT",
            "2026-11-23T02:59:00Z",
            pantau_shared::event::EventBody::PriorityChanged(PriorityChange {
                priority: Priority::Critical,
                reason: None,
            }),
        );
        let c = |ms| Cursor { ms, seq: 0 };
        b.apply(c(1), c(2), &[raise]);
        let t = tally(b.entries(), NOW, |x, y| (x, y));
        let order: Vec<(bool, f64)> = t.standouts.iter().map(|s| (s.critical, s.overdue_ms)).collect();
        assert_eq!(
            order.len(),
            3,
            "the fresh on-track ticket does not stand out: {order:?}"
        );
        assert!(order[0].0, "critical first");
        assert!(order[1].1 > order[2].1, "then the most overdue");
        let many: Vec<_> = (0..MAX_STANDOUTS + 5)
            .map(|i| (format!("T{i}"), "01", "2026-11-22T10:00:00Z"))
            .collect();
        let many: Vec<_> = many.iter().map(|(id, k, at)| (id.as_str(), *k, *at)).collect();
        let b = board(&many);
        assert_eq!(tally(b.entries(), NOW, |x, y| (x, y)).standouts.len(), MAX_STANDOUTS);
    }

    /// The map turns into a choropleth above a density and back below a lower one.
    #[test]
    fn mode_switches_with_a_gap() {
        assert_eq!(next_mode(MapMode::Markers, DENSE_ENTER), MapMode::Markers);
        assert_eq!(next_mode(MapMode::Markers, DENSE_ENTER + 1), MapMode::Choropleth);
        assert_eq!(next_mode(MapMode::Choropleth, DENSE_LEAVE), MapMode::Choropleth);
        assert_eq!(next_mode(MapMode::Choropleth, DENSE_LEAVE - 1), MapMode::Markers);
    }
}
