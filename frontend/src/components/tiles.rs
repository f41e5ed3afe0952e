//! KPI tiles: one big number each, and the open tickets per agency as bars.

use crate::i18n::{t, Lang, Text};
use crate::kpi::WallKpis;
use crate::time::{duration_short, format_count, percent};
use leptos::prelude::*;

/// One number, large enough to read across the room.
#[component]
pub fn Tile(label: &'static str, value: Signal<String>, testid: &'static str, accent: &'static str) -> impl IntoView {
    view! {
        <div class=format!("tile accent-{accent}")>
            <div class="tile-label">{label}</div>
            <div class="tile-value" data-testid=testid>{move || value.get()}</div>
        </div>
    }
}

/// The six headline tiles.
#[component]
pub fn KpiTiles(kpis: Memo<WallKpis>, lang: Lang) -> impl IntoView {
    let count = move |f: fn(&WallKpis) -> usize| Signal::derive(move || format_count(kpis.with(|k| f(k) as u64)));
    let compliance =
        Signal::derive(move || kpis.with(|k| k.compliance_today.map(percent).unwrap_or_else(|| "–".into())));
    let median = Signal::derive(move || {
        kpis.with(|k| {
            k.median_response_minutes
                .map(|m| duration_short(m, t(lang, Text::MinutesShort), t(lang, Text::HoursShort)))
                .unwrap_or_else(|| "–".into())
        })
    });
    view! {
        <div class="tiles">
            <Tile label=t(lang, Text::Open) value=count(|k| k.open) testid="kpi-open" accent="blue" />
            <Tile label=t(lang, Text::BreachedNow) value=count(|k| k.breached_now) testid="kpi-breached" accent="red" />
            <Tile label=t(lang, Text::NewToday) value=count(|k| k.new_today) testid="kpi-new" accent="blue" />
            <Tile label=t(lang, Text::ResolvedToday) value=count(|k| k.resolved_today) testid="kpi-resolved" accent="green" />
            <Tile label=t(lang, Text::ComplianceToday) value=compliance testid="kpi-compliance" accent="green" />
            <Tile label=t(lang, Text::MedianResponse) value=median testid="kpi-median" accent="yellow" />
        </div>
    }
}

/// Horizontal bars: open tickets per agency.
#[component]
pub fn AgencyBars(kpis: Memo<WallKpis>, lang: Lang) -> impl IntoView {
    view! {
        <div class="tile bars">
            <div class="tile-label">{t(lang, Text::ByAgency)}</div>
            <ul>
                {move || {
                    let rows = kpis.with(|k| k.open_by_agency.clone());
                    let max = rows.first().map(|r| r.1).unwrap_or(1).max(1);
                    rows.into_iter()
                        .take(7)
                        .map(|(agency, n)| {
                            let width = format!("width: {}%", n * 100 / max);
                            view! {
                                <li class="bar">
                                    <span class="bar-name">{agency.to_uppercase()}</span>
                                    <span class="bar-track"><span class="bar-fill" style=width></span></span>
                                    <span class="bar-count">{n}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
