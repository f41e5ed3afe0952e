//! The wall display: header with tenant, live status and local clock; KPI tiles and the
//! open tickets per category on the left; the newest tickets on the right. No interaction.

use crate::components::header::Header;
use crate::components::report_list::ReportList;
use crate::components::tiles::{CategoryBars, CountTile};
use crate::i18n::{t, Lang, Text};
use crate::state::WallState;
use leptos::prelude::*;

#[component]
pub fn WallPage(state: WallState, lang: Lang) -> impl IntoView {
    let total = Signal::derive(move || state.board.with(|b| b.tickets.len() as u64));
    let open = Signal::derive(move || {
        state
            .board
            .with(|b| b.tickets.values().filter(|t| t.status.is_open()).count() as u64)
    });
    let arrived = Signal::derive(move || state.board.with(|b| b.arrived));
    view! {
        <div class="wall" data-testid="wall">
            <Header state=state lang=lang />
            <main class="wall-body">
                <section class="kpis">
                    <div class="tile-row">
                        <CountTile label=t(lang, Text::TotalReports) value=total testid="report-total" accent="blue" />
                        <CountTile label=t(lang, Text::OpenTickets) value=open testid="open-total" accent="red" />
                    </div>
                    <CountTile label=t(lang, Text::ArrivedNow) value=arrived testid="report-arrived" accent="green" />
                    <CategoryBars state=state lang=lang />
                </section>
                <ReportList state=state lang=lang />
            </main>
        </div>
    }
}
