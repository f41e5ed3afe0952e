//! `/console`: the supervisor console (operators and up; what each may do follows the role).
//! One screen: the filter bar, the workload per agency and officer, the live queue sorted by
//! SLA urgency (virtualised, so 10,000 open tickets scroll smoothly), the bulk-reassign bar,
//! and the drawer of the selected ticket with its timeline, deadlines and actions.
//!
//! The time machine's bar replays the past (`?replay=-2h` or its button): the queue, the
//! workload and the drawer show the replayed instant and every action is off until LIVE.
//!
//! Everything on it comes from the same socket protocol as the wall (snapshot + deltas into
//! [`crate::state::WallState`]), so two consoles and a wall agree at every moment; filters
//! are applied here, not on the server, so the workload panel always sees every agency.
//! Filters live in the URL (bookmarkable); live updates never touch the filter inputs, the
//! selection or the scroll position. Every action sends the version the person saw and a
//! refused one (409) opens the conflict dialog ([`actions`]).
//!
//! - [`queue`]: filter, urgency order, URL round trip, changed rows, virtual window (pure);
//! - [`commands`]: command bodies, roles, timeline lines (pure); [`shortcuts`] (pure);
//! - `filters`, `tabs` (triage / awaiting validation / open), `list`, `workload`, `bulk`,
//!   `drawer`, `actions`, `workflow` (verify, ask, reject; accept or refuse a follow-up): the views.
//! - `duplicates`: the drawer's possible duplicates, merge and unmerge (issue 18).
//! - `evidence`: the drawer's photos (thumbnails, stage, ⚠ flags) and the upload form (issue 18).

pub mod commands;
pub mod queue;
pub mod shortcuts;
pub mod text;

mod actions;
mod bulk;
mod drawer;
mod duplicates;
mod evidence;
mod filters;
mod list;
mod minimap;
mod tabs;
mod workflow;
mod workload;

use crate::api;
use crate::auth::signin_href;
use crate::components::header::{Header, Rotation};
use crate::components::timeline::ReplayBar;
use crate::i18n::Lang;
use crate::state::WallState;
use crate::time::{self, Zone};
use leptos::prelude::*;
use pantau_shared::auth::SessionInfo;
use queue::QueueFilter;
use shortcuts::Shortcut;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use text::{tr, Key};
use wasm_bindgen::JsCast;

/// How often views learn of new deltas, ms (as on the wall).
const PUBLISH_MS: u64 = 500;
/// How long a new or changed row stays marked, ms.
const FLASH_MS: f64 = 4_000.0;

/// The console's shared signals (`Copy`: signals are handles), handed to every view.
#[derive(Clone, Copy)]
pub struct Console {
    pub state: WallState,
    pub lang: Lang,
    pub tenant: StoredValue<String>,
    pub csrf: StoredValue<String>,
    /// Supervisors and up: assign, priority, bulk reassign are offered.
    pub routes_work: bool,
    pub filter: RwSignal<QueueFilter>,
    /// Ticket ids in queue order.
    pub order: Memo<Vec<String>>,
    /// The ticket in the drawer.
    pub selected: RwSignal<Option<String>>,
    /// Tickets picked for bulk reassign, with the version each had when picked.
    pub checked: RwSignal<BTreeMap<String, u64>>,
    /// Rows marked as new or changed, until (server ms).
    pub flashed: RwSignal<HashMap<String, f64>>,
    /// The server's clock, ms, ticking each second.
    pub now: Signal<f64>,
    pub zone: Memo<Option<Zone>>,
    /// The shortcut list is open.
    pub help: RwSignal<bool>,
    /// A drawer form asked to be focused by a shortcut (`assign`, `status`, …).
    pub focus: RwSignal<Option<&'static str>>,
    /// The console replays the past: actions are off.
    pub replaying: Memo<bool>,
}

impl Console {
    /// The selected ticket's index in the queue.
    pub fn selected_index(&self) -> Option<usize> {
        let id = self.selected.get_untracked()?;
        self.order.with_untracked(|o| o.iter().position(|x| *x == id))
    }
}

/// The page for `user` (one [`commands::uses_console`] allows; checked by the caller).
#[component]
pub fn ConsolePage(user: SessionInfo, tenant: String, lang: Lang) -> impl IntoView {
    crate::nav::set_document_lang(lang);
    let state = WallState::new();
    let replay = crate::components::timeline::from_query(
        crate::url::query_value(&page_search(), "replay").as_deref(),
        crate::url::query_value(&page_search(), "speed").as_deref(),
        time::now_ms() as i64,
    );
    crate::ws::connect(tenant.clone(), None, state, replay, move |code| {
        if code == "unauthorized" {
            api::go(&signin_href(&api::here(), lang));
        }
    });
    set_interval(move || state.publish(), Duration::from_millis(PUBLISH_MS));

    let now = crate::pages::wall::server_clock(state.clock_offset_ms);
    // Order and SLA filters need the clock only coarsely: every 10 s.
    let coarse = Memo::new(move |_| (now.get() / 10_000.0).floor());
    let filter = RwSignal::new(QueueFilter::from_query(&page_search()));
    let order = Memo::new(move |_| {
        let at = chrono::DateTime::from_timestamp_millis((coarse.get() * 10_000.0) as i64).unwrap_or_default();
        filter.with(|f| state.board.with(|b| queue::order(b, f, at)))
    });
    let zone = Memo::new(move |_| {
        state.tenant.with(|t| {
            t.as_ref().map(|i| Zone {
                offset_minutes: i.utc_offset_minutes,
                label: i.zone_label.clone(),
            })
        })
    });
    let c = Console {
        state,
        lang,
        tenant: StoredValue::new(tenant),
        csrf: StoredValue::new(user.csrf.clone()),
        routes_work: commands::routes_work(&user.role),
        filter,
        order,
        selected: RwSignal::new(None),
        checked: RwSignal::new(BTreeMap::new()),
        flashed: RwSignal::new(HashMap::new()),
        now,
        zone,
        help: RwSignal::new(false),
        focus: RwSignal::new(None),
        replaying: Memo::new(move |_| state.replay.with(Option::is_some)),
    };
    mark_changes(c);
    keyboard(c);

    let tenant_name = Signal::derive(move || {
        state
            .tenant
            .with(|t| t.as_ref().map(|i| i.name.clone()).unwrap_or_default())
    });
    let title = Signal::derive(move || tr(lang, Key::Title).to_owned());
    let rotation = Signal::derive(|| Rotation { position: 1, panels: 1 });
    let conn = Signal::derive(move || state.conn.get());
    let replaying = Signal::from(c.replaying);
    view! {
        <div class="console" data-testid="console" data-replaying=move || replaying.get().to_string()>
            <Header tenant_name panel_title=title rotation conn replaying zone now lang user=Some(user) />
            <div class="console-top">
                <filters::FilterBar c />
                <ReplayBar replay=state.replay.read_only() zone lang controls=true offer=true />
            </div>
            <main class="console-body">
                <workload::WorkloadPanel c />
                <section class="console-queue" aria-label=tr(lang, Key::Queue)>
                    <tabs::QueueTabs c />
                    <Show when=move || !replaying.get()>
                        <bulk::BulkBar c />
                    </Show>
                    <list::QueueList c />
                </section>
                <drawer::Drawer c />
            </main>
            <HelpOverlay c />
        </div>
    }
}

/// The page URL's query string (`?agency=dlh`).
fn page_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Mark tickets that arrived or changed since the views last looked (the board collects
/// their ids as it applies deltas, so this costs the changes, not the whole board); unmark
/// them later.
fn mark_changes(c: Console) {
    c.state.board.update_untracked(|b| b.touched = Some(Vec::new()));
    Effect::new(move |_| {
        c.state.board.track();
        let changed = c
            .state
            .board
            .try_update_untracked(|b| b.touched.as_mut().map(std::mem::take))
            .flatten()
            .unwrap_or_default();
        if !changed.is_empty() {
            let until = c.now.get_untracked() + FLASH_MS;
            c.flashed
                .update(|f| f.extend(changed.into_iter().map(|id| (id, until))));
        }
    });
    Effect::new(move |_| {
        let now = c.now.get();
        if c.flashed.with_untracked(|f| f.values().any(|u| *u <= now)) {
            c.flashed.update(|f| f.retain(|_, u| *u > now));
        }
    });
}

/// The shortcuts, on the whole page.
fn keyboard(c: Console) {
    let handle = window_event_listener(leptos::ev::keydown, move |e| {
        let in_field = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        let Some(key) = shortcuts::shortcut(&e.key(), in_field) else {
            return;
        };
        e.prevent_default();
        match key {
            Shortcut::Next | Shortcut::Previous => {
                let step = if key == Shortcut::Next { 1 } else { -1 };
                let len = c.order.with_untracked(Vec::len);
                if let Some(i) = shortcuts::step(c.selected_index(), step, len) {
                    c.selected.set(c.order.with_untracked(|o| o.get(i).cloned()));
                }
            }
            Shortcut::Assign => c.focus.set(Some("assign")),
            Shortcut::Status => c.focus.set(Some("status")),
            Shortcut::Priority => c.focus.set(Some("priority")),
            Shortcut::Comment => c.focus.set(Some("comment")),
            Shortcut::Search => c.focus.set(Some("search")),
            Shortcut::ToggleSelect => {
                if let Some(id) = c.selected.get_untracked() {
                    bulk::toggle(c, &id);
                }
            }
            Shortcut::Help => c.help.update(|h| *h = !*h),
            Shortcut::Escape => {
                if c.help.get_untracked() {
                    c.help.set(false);
                } else if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                    .filter(|_| in_field)
                {
                    let _ = el.blur();
                } else {
                    c.selected.set(None);
                }
            }
        }
    });
    on_cleanup(move || handle.remove());
}

/// The shortcut list (`?`).
#[component]
fn HelpOverlay(c: Console) -> impl IntoView {
    let lang = c.lang;
    view! {
        <div class="help-overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="shortcut-help" hidden=move || !c.help.get()>
            <div class="help-card">
                <h2 id="help-title">{tr(lang, Key::Shortcuts)}</h2>
                <dl>
                    {shortcuts::help(lang).into_iter().map(|(k, what)| view! { <dt><kbd>{k}</kbd></dt><dd>{what}</dd> }).collect_view()}
                </dl>
                <button type="button" class="button" on:click=move |_| c.help.set(false)>{tr(lang, Key::Close)}</button>
            </div>
        </div>
    }
}
