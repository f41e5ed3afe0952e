//! The wall display (1920×1080 and 3840×2160; sizes scale with the screen width): header
//! with tenant, live status and local clock; a stale banner whenever data is not live; KPI
//! tiles and per-agency bars; the map; the urgent list with countdowns and the newest
//! tickets. No scrollbars, no interaction needed. With several panels (`?panels=`) it
//! rotates through them every `rotate_secs`; every view follows the panel on screen.

use crate::components::banner::StaleBanner;
use crate::components::gauges::GaugeList;
use crate::components::header::Header;
use crate::components::report_list::ReportList;
use crate::components::tiles::{AgencyBars, KpiTiles};
use crate::components::urgent::UrgentList;
use crate::i18n::Lang;
use crate::kpi;
use crate::map::view::MapView;
use crate::panel;
use crate::state::WallState;
use crate::time;
use leptos::prelude::*;
use std::time::Duration;

/// How often views recompute from new deltas, ms: fresh enough for a wall read from across
/// the room, and each recompute walks every ticket.
const PUBLISH_MS: u64 = 500;

#[component]
pub fn WallPage(state: WallState, lang: Lang, panels: Option<String>, rotate_secs: u64) -> impl IntoView {
    // The panel list needs the tenant's agencies (for `agencies`), known after the snapshot.
    let panels = Memo::new(move |_| {
        state
            .tenant
            .with(|t| panel::parse(panels.as_deref(), t.as_ref().map_or(&[][..], |i| &i.agencies)))
    });
    let index = RwSignal::new(0usize);
    set_interval(
        move || {
            if panels.with_untracked(|p| p.len()) > 1 {
                index.update(|i| *i += 1);
            }
        },
        Duration::from_secs(rotate_secs),
    );
    Effect::new(move |_| {
        let next = panels.with(|p| p[index.get() % p.len()].clone());
        if state.panel.with_untracked(|p| *p != next) {
            state.panel.set(next);
        }
    });
    // Views learn about deltas twice a second (see `WallState::publish`).
    set_interval(move || state.publish(), Duration::from_millis(PUBLISH_MS));
    let position = Signal::derive(move || panels.with(|p| (index.get() % p.len() + 1, p.len())));

    // The server's time, ticking every second (countdowns and "today" use it).
    let now = RwSignal::new(time::now_ms());
    set_interval(move || now.set(time::now_ms()), Duration::from_millis(1000));
    let server_now = Signal::derive(move || now.get() + state.clock_offset_ms.get());
    let kpis = Memo::new(move |_| {
        let offset = state.tenant.with(|t| t.as_ref().map_or(0, |i| i.utc_offset_minutes));
        state
            .panel
            .with(|p| state.board.with(|b| kpi::compute(b, p, server_now.get(), offset)))
    });
    view! {
        <div class="wall" data-testid="wall">
            <Header state=state lang=lang position=position />
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
