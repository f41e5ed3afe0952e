//! KPI tiles: one big number each (its unit, if any, smaller beside it), and the open
//! tickets per agency as bars. The numbers come from the shared KPI definition.

use crate::i18n::{t, Lang, Text};
use crate::time::{duration_short, format_count, percent, Reading};
use leptos::prelude::*;
use pantau_shared::kpi::{Kpis, Today};

/// Shown while a number is not known (no data yet, nothing to judge).
const UNKNOWN: &str = "–";

/// A reading without a unit.
fn plain(number: String) -> Reading {
    Reading { number, unit: "" }
}

/// One number, large enough to read across the room.
#[component]
pub fn Tile(label: &'static str, value: Signal<Reading>, testid: &'static str, accent: &'static str) -> impl IntoView {
    view! {
        <div class=format!("tile accent-{accent}")>
            <div class="tile-label">{label}</div>
            <div class="tile-value" data-testid=testid>
                {move || value.with(|v| v.number.clone())}
                // A leading space, so the pair reads "15 jam" to screen readers and tests too.
                <span class="tile-unit">{move || value.with(|v| if v.unit.is_empty() { String::new() } else { format!(" {}", v.unit) })}</span>
            </div>
        </div>
    }
}

/// The six headline tiles.
#[component]
pub fn KpiTiles(kpis: Memo<Kpis>, lang: Lang) -> impl IntoView {
    let count = move |f: fn(&Kpis) -> u64| Signal::derive(move || plain(format_count(kpis.with(f))));
    let day = move |f: fn(&Today) -> u64| {
        Signal::derive(move || plain(format_count(kpis.with(|k| k.today.as_deref().map_or(0, f)))))
    };
    let compliance = Signal::derive(move || {
        plain(kpis.with(|k| {
            k.today
                .as_deref()
                .and_then(|d| d.compliance)
                .map_or_else(|| UNKNOWN.into(), percent)
        }))
    });
    let median = Signal::derive(move || {
        kpis.with(|k| {
            k.today.as_ref().and_then(|d| d.median_response_minutes).map_or_else(
                || plain(UNKNOWN.into()),
                |m| duration_short(m, t(lang, Text::MinutesShort), t(lang, Text::HoursShort)),
            )
        })
    });
    view! {
        <div class="tiles">
            <Tile label=t(lang, Text::Open) value=count(|k| k.open) testid="kpi-open" accent="blue" />
            <Tile label=t(lang, Text::BreachedNow) value=count(|k| k.breached_now) testid="kpi-breached" accent="red" />
            <Tile label=t(lang, Text::NewToday) value=day(|d| d.new) testid="kpi-new" accent="blue" />
            <Tile label=t(lang, Text::ResolvedToday) value=day(|d| d.resolved) testid="kpi-resolved" accent="green" />
            <Tile label=t(lang, Text::ComplianceToday) value=compliance testid="kpi-compliance" accent="green" />
            <Tile label=t(lang, Text::MedianResponse) value=median testid="kpi-median" accent="yellow" />
        </div>
    }
}

/// Agencies shown as bars (the busiest).
const BARS: usize = 7;

/// Horizontal bars: open tickets per agency, busiest first.
#[component]
pub fn AgencyBars(kpis: Memo<Kpis>, lang: Lang) -> impl IntoView {
    view! {
        <div class="tile bars">
            <div class="tile-label">{t(lang, Text::ByAgency)}</div>
            <ul>
                {move || {
                    let rows = kpis.with(Kpis::agencies_by_load);
                    let max = rows.first().map_or(1, |r| r.open).max(1);
                    rows.into_iter()
                        .take(BARS)
                        .map(|row| {
                            // Set through CSSOM (`style:`), which the CSP allows; a `style` attribute it blocks.
                            // A scale, not a width: a new length is no layout of the page.
                            let scale = format!("scaleX({:.3})", row.open as f64 / max as f64);
                            view! {
                                <li class="bar">
                                    <span class="bar-name">{row.agency.to_ascii_uppercase()}</span>
                                    <span class="bar-track"><span class="bar-fill" style:transform=scale></span></span>
                                    <span class="bar-count">{format_count(row.open)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
