//! The wall display (1920×1080 and 3840×2160; sizes scale with the screen width): header
//! with tenant, live status and local clock; a stale banner whenever data is not live; KPI
//! tiles and per-agency bars; the map; the urgent list with countdowns and the newest
//! tickets. No scrollbars, no interaction needed.

use crate::components::banner::StaleBanner;
use crate::components::gauges::GaugeList;
use crate::components::header::Header;
use crate::components::report_list::ReportList;
use crate::components::tiles::{AgencyBars, KpiTiles};
use crate::components::urgent::UrgentList;
use crate::i18n::Lang;
use crate::kpi;
use crate::map::view::MapView;
use crate::state::WallState;
use crate::time;
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn WallPage(state: WallState, lang: Lang) -> impl IntoView {
    // The server's time, ticking every second (countdowns and "today" use it).
    let now = RwSignal::new(time::now_ms());
    set_interval(move || now.set(time::now_ms()), Duration::from_millis(1000));
    let server_now = Signal::derive(move || now.get() + state.clock_offset_ms.get());
    let kpis = Memo::new(move |_| {
        let offset = state.tenant.with(|t| t.as_ref().map_or(0, |i| i.utc_offset_minutes));
        state.board.with(|b| kpi::compute(b, server_now.get(), offset))
    });
    view! {
        <div class="wall" data-testid="wall">
            <Header state=state lang=lang />
            <StaleBanner state=state lang=lang />
            <main class="wall-body">
                <section class="kpis">
                    <KpiTiles kpis=kpis lang=lang />
                    <AgencyBars kpis=kpis lang=lang />
                    <GaugeList state=state lang=lang now=server_now />
                </section>
                <MapView state=state />
                <section class="side">
                    <UrgentList state=state lang=lang now=server_now />
                    <ReportList state=state lang=lang />
                </section>
            </main>
        </div>
    }
}
