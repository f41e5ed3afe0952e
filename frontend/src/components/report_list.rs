//! The latest reports, newest on top; a new one slides in highlighted (a CSS animation that
//! runs once when its row is created — the keyed list creates rows only for new reports).

use crate::i18n::{self, t, Lang, Text};
use crate::state::WallState;
use crate::time;
use leptos::prelude::*;
use pantau_shared::event::{Event, EventBody};

#[component]
pub fn ReportList(state: WallState, lang: Lang) -> impl IntoView {
    let offset = move || {
        state
            .tenant
            .with(|t| t.as_ref().map(|i| (i.utc_offset_minutes, i.zone_label.clone())))
    };
    let row = move |e: Event| {
        let EventBody::ReportReceived(report) = e.body else {
            return None;
        };
        let when = time::parse_ms(&e.at)
            .zip(offset())
            .map(|(ms, (off, label))| format!("{} {}", time::clock_hm(ms, off), label))
            .unwrap_or_default();
        let ticket = e.ticket.unwrap_or_default();
        let ticket_attr = ticket.clone();
        let place = report
            .kecamatan
            .map(|k| format!("Kec. {}", k.name))
            .or(report.address)
            .unwrap_or_default();
        Some(view! {
            <li class=format!("report cat-{}", report.category) data-testid="report-item" data-ticket=ticket_attr>
                <span class="report-cat">{i18n::category(lang, &report.category)}</span>
                <span class="report-desc">{report.description}</span>
                <span class="report-where">{place}</span>
                <span class="report-meta">
                    <span class="report-ticket">{ticket}</span>
                    <span class="report-time">{when}</span>
                </span>
            </li>
        })
    };
    view! {
        <section class="reports">
            <h2>{t(lang, Text::LatestReports)}</h2>
            <Show
                when=move || state.recent.with(|r| !r.is_empty())
                fallback=move || view! { <p class="empty">{t(lang, Text::NoReports)}</p> }
            >
                <ul class="report-list" data-testid="report-list">
                    <For each=move || state.recent.get() key=|e| e.id.clone() children=row />
                </ul>
            </Show>
        </section>
    }
}
