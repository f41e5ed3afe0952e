//! The wall display: header with tenant, live status and local clock; KPI tiles and the
//! category breakdown on the left; the latest reports on the right. No interaction needed.

use crate::components::header::Header;
use crate::components::report_list::ReportList;
use crate::components::tiles::{CategoryBars, CountTile};
use crate::i18n::{t, Lang, Text};
use crate::state::WallState;
use leptos::prelude::*;

#[component]
pub fn WallPage(state: WallState, lang: Lang) -> impl IntoView {
    let total = Signal::derive(move || state.total.get());
    let arrived = Signal::derive(move || state.arrived.get());
    view! {
        <div class="wall" data-testid="wall">
            <Header state=state lang=lang />
            <main class="wall-body">
                <section class="kpis">
                    <CountTile label=t(lang, Text::TotalReports) value=total testid="report-total" accent="blue" />
                    <CountTile label=t(lang, Text::ArrivedNow) value=arrived testid="report-arrived" accent="green" />
                    <CategoryBars state=state lang=lang />
                </section>
                <ReportList state=state lang=lang />
            </main>
        </div>
    }
}
