//! What the executive page shows, worked out from a [`KpiReport`] (pure, tested natively):
//! each tile's reading and its change against the previous period, and the local dates and
//! hours of the tenant's zone. Changes of counts and durations are relative (`▲ 12,5%`);
//! changes of shares (compliance, reopen rate) are in percentage points (`▼ 3,0 poin`),
//! which is what a share's change means to a reader.

use crate::i18n::Lang;
use crate::pages::kpi::text::{tr, Key};
use crate::time::{duration_short, format_count, percent, Reading};
use pantau_shared::stats::{KpiSet, Spread};

/// Shown where a number is not known (nothing measured).
pub const UNKNOWN: &str = "–";

/// Whether a rise is good news, bad news, or neither (intake: more reports is not a
/// judgement on the government).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    Neither,
}

/// A change against the previous period, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `▲`, `▼` or `=`; empty when there is nothing to compare.
    pub arrow: &'static str,
    /// `12,5%`, `3,0 poin`, `tetap`; empty when there is nothing to compare.
    pub text: String,
    /// CSS class: `good`, `bad` or `flat`.
    pub tone: &'static str,
}

impl Change {
    fn none() -> Change {
        Change {
            arrow: "",
            text: String::new(),
            tone: "flat",
        }
    }

    fn of(delta: f64, text: String, better: Better, lang: Lang) -> Change {
        if delta.abs() < 1e-9 {
            return Change {
                arrow: "=",
                text: tr(lang, Key::Unchanged).to_owned(),
                tone: "flat",
            };
        }
        let tone = match (better, delta > 0.0) {
            (Better::Neither, _) => "flat",
            (Better::Higher, true) | (Better::Lower, false) => "good",
            _ => "bad",
        };
        Change {
            arrow: if delta > 0.0 { "▲" } else { "▼" },
            text,
            tone,
        }
    }
}

/// One decimal, id-ID style (`12,5`).
fn decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// The relative change of an amount: `▲ 50,0%` from 2 to 3. From zero there is no ratio:
/// a rise reads `▲ +3`, no change `= tetap`.
pub fn amount_change(current: f64, previous: f64, better: Better, lang: Lang) -> Change {
    let delta = current - previous;
    let text = if previous.abs() < 1e-9 {
        format!("+{}", format_count(delta.max(0.0).round() as u64))
    } else {
        format!("{}%", decimal((delta / previous * 100.0).abs()))
    };
    Change::of(delta, text, better, lang)
}

/// The change of a share (0..=1) in percentage points: `▲ 3,0 poin`; nothing when either
/// period has no share.
pub fn share_change(current: Option<f64>, previous: Option<f64>, better: Better, lang: Lang) -> Change {
    let (Some(c), Some(p)) = (current, previous) else {
        return Change::none();
    };
    let points = (c - p) * 100.0;
    // Compare what is shown: 95,01% and 95,04% are both "95,0%", so "no change".
    let shown = (points * 10.0).round() / 10.0;
    Change::of(
        shown,
        format!("{} {}", decimal(shown.abs()), tr(lang, Key::Points)),
        better,
        lang,
    )
}

/// The change of a duration (`None`: not measured in one of the periods).
pub fn duration_change(current: Option<f64>, previous: Option<f64>, lang: Lang) -> Change {
    match (current, previous) {
        (Some(c), Some(p)) => amount_change(c, p, Better::Lower, lang),
        _ => Change::none(),
    }
}

/// A duration in minutes as a tile reading (`45 mnt`, `2,5 jam`), or `–`.
pub fn duration(minutes: Option<f64>, lang: Lang) -> Reading {
    let (min, hour) = match lang {
        Lang::Id => ("mnt", "jam"),
        Lang::En => ("min", "h"),
    };
    minutes.map_or_else(
        || Reading {
            number: UNKNOWN.into(),
            unit: "",
        },
        |m| duration_short(m, min, hour),
    )
}

/// A share as a reading: `95,9%`, or `–`.
pub fn share(value: Option<f64>) -> Reading {
    Reading {
        number: value.map_or_else(|| UNKNOWN.into(), percent),
        unit: "",
    }
}

/// A count as a reading: `1.234`.
pub fn count(n: u64) -> Reading {
    Reading {
        number: format_count(n),
        unit: "",
    }
}

/// One tile of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct TileView {
    pub label: Key,
    /// `data-testid` of the value.
    pub testid: &'static str,
    pub value: Reading,
    pub change: Change,
    /// A second, smaller reading: the same duration in business time.
    pub business: Option<Reading>,
}

/// The tiles for the period's `now` numbers against `before`'s, in the page's order.
pub fn tiles(now: &KpiSet, before: &KpiSet, lang: Lang) -> Vec<TileView> {
    let tile = |label, testid, value, change| TileView {
        label,
        testid,
        value,
        change,
        business: None,
    };
    let spread = |label, testid, wall: fn(&KpiSet) -> &Spread, business: fn(&KpiSet) -> &Spread, p90: bool| {
        let pick = |s: &Spread| if p90 { s.p90 } else { s.median };
        TileView {
            label,
            testid,
            value: duration(pick(wall(now)), lang),
            change: duration_change(pick(wall(now)), pick(wall(before)), lang),
            business: pick(business(now)).map(|m| duration(Some(m), lang)),
        }
    };
    let amount = |n: fn(&KpiSet) -> u64, better| amount_change(n(now) as f64, n(before) as f64, better, lang);
    vec![
        tile(
            Key::Intake,
            "kpi-intake",
            count(now.intake),
            amount(|k| k.intake, Better::Neither),
        ),
        tile(
            Key::Backlog,
            "kpi-backlog",
            count(now.backlog),
            amount(|k| k.backlog, Better::Lower),
        ),
        tile(
            Key::Resolved,
            "kpi-resolved",
            count(now.resolved),
            amount(|k| k.resolved, Better::Higher),
        ),
        tile(
            Key::ResponseOnTime,
            "kpi-response-compliance",
            share(now.response_compliance),
            share_change(
                now.response_compliance,
                before.response_compliance,
                Better::Higher,
                lang,
            ),
        ),
        tile(
            Key::ResolutionOnTime,
            "kpi-resolution-compliance",
            share(now.resolution_compliance),
            share_change(
                now.resolution_compliance,
                before.resolution_compliance,
                Better::Higher,
                lang,
            ),
        ),
        spread(
            Key::MedianResponse,
            "kpi-response-median",
            |k| &k.response_wall,
            |k| &k.response_business,
            false,
        ),
        spread(
            Key::P90Response,
            "kpi-response-p90",
            |k| &k.response_wall,
            |k| &k.response_business,
            true,
        ),
        spread(
            Key::MedianResolution,
            "kpi-resolution-median",
            |k| &k.resolution_wall,
            |k| &k.resolution_business,
            false,
        ),
        spread(
            Key::P90Resolution,
            "kpi-resolution-p90",
            |k| &k.resolution_wall,
            |k| &k.resolution_business,
            true,
        ),
        tile(
            Key::ReopenRate,
            "kpi-reopen",
            share(now.reopen_rate),
            share_change(now.reopen_rate, before.reopen_rate, Better::Lower, lang),
        ),
    ]
}

/// The local calendar date `dd/mm/yyyy` of `utc_ms` in a zone `offset_minutes` east of UTC.
/// (Written by hand: chrono's `format` machinery costs the bundle more than this page.)
pub fn local_date(utc_ms: i64, offset_minutes: i32) -> String {
    local(utc_ms, offset_minutes).map_or_else(String::new, |(y, m, d)| format!("{d:02}/{m:02}/{y}"))
}

/// The local `yyyy-mm-dd` of `utc_ms` (the exports' `from` and `to`).
pub fn local_iso_date(utc_ms: i64, offset_minutes: i32) -> String {
    local(utc_ms, offset_minutes).map_or_else(String::new, |(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// The local `dd/mm` of `utc_ms` (axis labels).
pub fn local_day_month(utc_ms: i64, offset_minutes: i32) -> String {
    local(utc_ms, offset_minutes).map_or_else(String::new, |(_, m, d)| format!("{d:02}/{m:02}"))
}

/// The local (year, month, day) of `utc_ms`.
fn local(utc_ms: i64, offset_minutes: i32) -> Option<(i32, u32, u32)> {
    use chrono::Datelike;
    let d = chrono::DateTime::from_timestamp_millis(utc_ms + i64::from(offset_minutes) * 60_000)?.date_naive();
    Some((d.year(), d.month(), d.day()))
}

/// The period `from`–`to` as local dates: one date for a single day, else `a – b`. The end
/// is exclusive when it is a midnight (a whole previous period), so it reads as the last
/// day it contains.
pub fn period(from_ms: i64, to_ms: i64, offset_minutes: i32) -> String {
    let last = if to_ms > from_ms { to_ms - 1 } else { to_ms };
    let (a, b) = (local_date(from_ms, offset_minutes), local_date(last, offset_minutes));
    if a == b {
        a
    } else {
        format!("{a} – {b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts change relatively, from zero absolutely; the tone follows what "better" means.
    #[test]
    fn amount_changes() {
        let c = amount_change(3.0, 2.0, Better::Neither, Lang::Id);
        assert_eq!((c.arrow, c.text.as_str(), c.tone), ("▲", "50,0%", "flat"));
        let c = amount_change(1.0, 4.0, Better::Lower, Lang::Id);
        assert_eq!((c.arrow, c.text.as_str(), c.tone), ("▼", "75,0%", "good"));
        let c = amount_change(3.0, 0.0, Better::Lower, Lang::En);
        assert_eq!((c.arrow, c.text.as_str(), c.tone), ("▲", "+3", "bad"));
        let c = amount_change(0.0, 0.0, Better::Higher, Lang::En);
        assert_eq!((c.arrow, c.text.as_str()), ("=", "no change"));
    }

    /// Shares change in points, rounded as shown; no comparison without both shares.
    #[test]
    fn share_changes() {
        let c = share_change(Some(0.9), Some(0.87), Better::Higher, Lang::Id);
        assert_eq!((c.arrow, c.text.as_str(), c.tone), ("▲", "3,0 poin", "good"));
        let c = share_change(Some(0.1), Some(0.25), Better::Lower, Lang::En);
        assert_eq!((c.arrow, c.text.as_str(), c.tone), ("▼", "15,0 pts", "good"));
        assert_eq!(
            share_change(Some(0.95011), Some(0.95039), Better::Higher, Lang::Id).arrow,
            "="
        );
        assert_eq!(share_change(None, Some(0.5), Better::Higher, Lang::Id).arrow, "");
    }

    /// The fixture of the browser test: 3 reports, 1 resolved, against an empty previous
    /// day: the tiles read 3 / 2 / 1 and rises from zero.
    #[test]
    fn tiles_of_a_small_day() {
        let now = KpiSet {
            intake: 3,
            backlog: 2,
            resolved: 1,
            resolution_judged: 1,
            resolution_met: 1,
            resolution_compliance: Some(1.0),
            resolution_wall: Spread {
                count: 1,
                median: Some(30.0),
                p90: Some(30.0),
            },
            resolution_business: Spread {
                count: 1,
                median: Some(150.0),
                p90: Some(150.0),
            },
            reopen_rate: Some(0.0),
            ..KpiSet::default()
        };
        let t = tiles(&now, &KpiSet::default(), Lang::Id);
        let shown = |id: &str| t.iter().find(|t| t.testid == id).unwrap().clone();
        assert_eq!(shown("kpi-intake").value.number, "3");
        assert_eq!(shown("kpi-intake").change.text, "+3");
        assert_eq!(shown("kpi-backlog").value.number, "2");
        assert_eq!(shown("kpi-resolved").value.number, "1");
        assert_eq!(shown("kpi-resolution-compliance").value.number, "100%");
        assert_eq!(shown("kpi-response-compliance").value.number, UNKNOWN);
        let median = shown("kpi-resolution-median");
        assert_eq!((median.value.number.as_str(), median.value.unit), ("30", "mnt"));
        assert_eq!(
            median.business.map(|b| format!("{} {}", b.number, b.unit)).as_deref(),
            Some("2,5 jam")
        );
        assert_eq!(median.change.arrow, "", "nothing measured before");
        assert_eq!(t.len(), 10);
    }

    /// Dates are the tenant's: 23:30 UTC is already the next day in WIB.
    #[test]
    fn local_dates_and_periods() {
        let late = 1_795_476_600_000; // 2026-11-23T23:30:00Z = 24/11 06:30 WIB
        assert_eq!(local_date(late, 0), "23/11/2026");
        assert_eq!(local_date(late, 420), "24/11/2026");
        assert_eq!(local_day_month(late, 480), "24/11");
        assert_eq!(local_iso_date(late, 420), "2026-11-24");
        let midnight = 1_795_453_200_000; // 2026-11-24T00:00 WIB
        assert_eq!(period(midnight, late, 420), "24/11/2026");
        let week_before = midnight - 7 * 86_400_000;
        assert_eq!(period(week_before, midnight, 420), "17/11/2026 – 23/11/2026");
    }
}
