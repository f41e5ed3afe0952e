//! The wall display (1920×1080 and 3840×2160; sizes scale with the screen width): header
//! with tenant, live status and local clock; a stale banner whenever data is not live; KPI
//! tiles and per-agency bars; the map; the urgent list with countdowns and the newest
//! tickets. No scrollbars, no interaction needed. With several panels (`?panels=`) it
//! rotates through them every `rotate_secs`; every view follows the panel on screen. In
//! replay mode (`?replay=-2h`, or an admin's training replay on a paired screen) every view
//! shows the replayed instant, under the time machine's bar.
//!
//! This page owns the derived state — the one server clock, the panel's KPIs, urgent rows
//! and newest tickets — and hands each component only the signals it shows.
//!
//! [`LiveWall`] starts it: the socket, authenticated by the session cookie of a signed-in
//! [`Viewer::Person`] or by the display token of a paired [`Viewer::Screen`], and what to do
//! when the server refuses either (sign in again, pair again, or say so on the wall).

use crate::api;
use crate::auth::signin_href;
use crate::components::banner::StaleBanner;
use crate::components::forecast::ForecastPanel;
use crate::components::gauges::GaugeList;
use crate::components::header::{Header, Rotation};
use crate::components::report_list::ReportList;
use crate::components::tiles::{AgencyBars, KpiTiles};
use crate::components::timeline::ReplayBar;
use crate::components::urgent::{most_urgent, UrgentList, URGENT_ROWS};
use crate::i18n::{t, Lang, Text};
use crate::kpi;
use crate::map::view::{MapSource, MapView};
use crate::panel;
use crate::screens::StoredScreen;
use crate::state::{WallState, MAX_LISTED};
use crate::time::{self, Zone};
use leptos::prelude::*;
use pantau_shared::auth::SessionInfo;
use pantau_shared::protocol::ReplayStart;
use std::time::Duration;

/// How often views recompute from new deltas, ms: fresh enough for a wall read from across
/// the room, and each recompute walks every ticket.
const PUBLISH_MS: u64 = 500;

/// Gap between two staggered recomputes, ms: about a frame.
const STAGGER_MS: u64 = 20;

/// Fire `due` one after another, a frame apart. Each wakes a view that walks every ticket
/// (KPIs, the map, the urgent and newest lists: a few ms each with 10,000 tickets); run
/// together in one task they made one frame in every few take 15–20 ms (issue 17: ≤ 8 ms).
fn stagger<const N: usize>(due: [Trigger; N]) {
    for (i, d) in due.into_iter().enumerate() {
        if i == 0 {
            d.notify();
        } else {
            set_timeout(move || d.notify(), Duration::from_millis(i as u64 * STAGGER_MS));
        }
    }
}

/// The server's time (ms), ticking once a second: this browser's clock corrected by the
/// measured offset. The one clock of the wall: header, countdowns, gauges' ages, "today"
/// and the map's SLA states all read it, so they change together.
pub fn server_clock(offset_ms: RwSignal<f64>) -> Signal<f64> {
    let tick = RwSignal::new(());
    set_interval(move || tick.set(()), Duration::from_millis(1000));
    // The browser's clock read when either changes: a replay's clock message moves the
    // offset between ticks, and the clock must then show exactly the replayed instant.
    Signal::derive(move || {
        tick.track();
        time::now_ms() + offset_ms.get()
    })
}

/// Who is watching: a person signed in, or a paired screen.
#[derive(Clone, Debug)]
pub enum Viewer {
    Person(SessionInfo),
    Screen(StoredScreen),
}

/// Everything a wall needs to start: the URL parameters, or a paired screen's layout.
#[derive(Clone, Debug)]
pub struct WallSetup {
    pub tenant: String,
    pub lang: Lang,
    /// `?panels=` (see [`panel::parse`]).
    pub panels: Option<String>,
    pub rotate_secs: u64,
    pub viewer: Viewer,
    /// `?replay=`: start replaying the past (see [`crate::components::timeline::from_query`]).
    pub replay: Option<ReplayStart>,
}

/// Connect and show the wall. A refused paired screen forgets its token and shows a pairing
/// code again; a person whose session ended signs in again and comes back here; a person
/// watching another tenant is told so.
#[component]
pub fn LiveWall(setup: WallSetup) -> impl IntoView {
    let WallSetup {
        tenant,
        lang,
        panels,
        rotate_secs,
        viewer,
        replay,
    } = setup;
    crate::nav::set_document_lang(lang);
    let state = WallState::new();
    let refused = RwSignal::new(false);
    let (token, user) = match viewer {
        Viewer::Screen(s) => (Some(s.token), None),
        Viewer::Person(p) => (None, Some(p)),
    };
    let paired = token.is_some();
    crate::ws::connect(tenant, token, state, replay, move |code| {
        if paired {
            StoredScreen::save(None);
            api::go(crate::auth::WALL_SCREEN_PATH);
        } else if code == "unauthorized" {
            api::go(&signin_href(&api::here(), lang));
        } else {
            refused.set(true);
        }
    });
    view! { <WallPage state lang panels rotate_secs user refused=refused.read_only() controls=!paired /> }
}

#[component]
pub fn WallPage(
    state: WallState,
    lang: Lang,
    panels: Option<String>,
    rotate_secs: u64,
    user: Option<SessionInfo>,
    /// The server refused this person this tenant's data.
    refused: ReadSignal<bool>,
    /// The replay controls are offered (a person; a paired screen only shows the badge).
    controls: bool,
) -> impl IntoView {
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
    let rotation = Signal::derive(move || {
        panels.with(|p| Rotation {
            position: index.get() % p.len() + 1,
            panels: p.len(),
        })
    });

    let now = server_clock(state.clock_offset_ms);
    let zone = Memo::new(move |_| {
        state.tenant.with(|t| {
            t.as_ref().map(|i| Zone {
                offset_minutes: i.utc_offset_minutes,
                label: i.zone_label.clone(),
            })
        })
    });
    // Views learn about deltas twice a second (see `WallState::publish`); tickets no view
    // needs any more are let go first (a wall runs for weeks).
    set_interval(
        move || {
            if let Some(offset) = zone.with_untracked(|z| z.as_ref().map(|z| z.offset_minutes)) {
                let since = pantau_shared::kpi::day_start_ms(now.get_untracked() as i64, offset);
                state.board.update_untracked(|b| {
                    b.forget_settled(since, MAX_LISTED);
                });
            }
            state.publish();
        },
        Duration::from_millis(PUBLISH_MS),
    );
    let tenant_name = Signal::derive(move || {
        state
            .tenant
            .with(|t| t.as_ref().map(|i| i.name.clone()).unwrap_or_default())
    });
    let panel_title = Signal::derive(move || {
        state.tenant.with(|t| {
            state
                .panel
                .with(|p| p.title(lang, t.as_ref().map_or(&[][..], |i| &i.agencies)))
        })
    });
    let conn = Signal::derive(move || state.conn.get());
    let replaying = Signal::derive(move || state.replay.with(Option::is_some));
    let source = Memo::new(move |_| {
        state.tenant.with(|t| {
            t.as_ref().map(|i| MapSource {
                tenant: i.id.clone(),
                geo: i.geo.clone(),
            })
        })
    });
    let tiles = Memo::new(move |_| state.tenant.with(|t| t.as_ref().and_then(|i| i.geo.tiles.clone())));

    // The views that walk every ticket recompute when their trigger fires, not on every
    // signal they read: see [`stagger`].
    let [kpis_due, map_due, urgent_due, newest_due] = [(); 4].map(|_| Trigger::new());
    Effect::new(move |_| {
        state.board.track();
        state.panel.track();
        stagger([kpis_due, urgent_due, newest_due]);
    });
    Effect::new(move |_| {
        now.track();
        zone.track();
        stagger([kpis_due, map_due]);
    });
    // The map otherwise follows the clock (once a second); another panel shows at once.
    Effect::new(move |_| {
        state.panel.track();
        set_timeout(move || map_due.notify(), Duration::from_millis(3 * STAGGER_MS));
    });
    let kpis = Memo::new(move |_| {
        kpis_due.track();
        let offset = zone.with_untracked(|z| z.as_ref().map_or(0, |z| z.offset_minutes));
        state.panel.with_untracked(|p| {
            state
                .board
                .with_untracked(|b| kpi::compute(b, p, now.get_untracked(), offset))
        })
    });
    let urgent = Memo::new(move |_| {
        urgent_due.track();
        state.panel.with_untracked(|p| {
            state
                .board
                .with_untracked(|b| most_urgent(b.tickets().filter(|t| p.admits(t)), URGENT_ROWS))
        })
    });
    let newest = Memo::new(move |_| {
        newest_due.track();
        state
            .panel
            .with_untracked(|p| state.board.with_untracked(|b| b.newest(MAX_LISTED, p)))
    });
    let gauges = Memo::new(move |_| state.board.with(|b| b.gauges.values().cloned().collect::<Vec<_>>()));

    view! {
        <div class="wall" data-testid="wall">
            <Header tenant_name panel_title rotation conn replaying zone now lang user />
            <main class="wall-body">
                <StaleBanner conn lang />
                <ReplayBar replay=state.replay.read_only() zone lang controls />
                <div class="wall-refused" role="alert" data-testid="wall-refused" hidden=move || !refused.get()>
                    <p>{t(lang, Text::NotAllowedRegion)}</p>
                    <a class="button" href=signin_href("/", lang)>{t(lang, Text::SignIn)}</a>
                </div>
                <section class="kpis">
                    <KpiTiles kpis lang />
                    <AgencyBars kpis lang />
                    <GaugeList gauges now lang />
                </section>
                <MapView source tiles board=state.board.read_only() panel=state.panel.read_only() now due=map_due lang />
                <section class="side">
                    <UrgentList rows=urgent now lang />
                    // `panels=forecast`: the breach forecast in place of the newest reports.
                    <Show
                        when=move || state.panel.with(|p| *p != panel::Panel::Forecast)
                        fallback=move || view! { <ForecastPanel board=state.board.read_only() now lang /> }
                    >
                        <ReportList newest zone lang />
                    </Show>
                </section>
            </main>
        </div>
    }
}
