//! The filter bar: agency, officer, category, kecamatan, status, SLA state and free text.
//! Every change is written to the URL (replacing the entry, so Back leaves the console), so
//! a filtered view can be bookmarked and shared. The inputs own their text: live updates
//! re-render options, never what someone is typing.

use super::queue::QueueFilter;
use super::text::{tr, Key};
use super::Console;
use crate::i18n::{self, Lang};
use leptos::html::Input;
use leptos::prelude::*;
use pantau_shared::event::TicketStatus;
use std::collections::BTreeSet;

/// Statuses offered, in workflow order.
const STATUSES: [TicketStatus; 8] = TicketStatus::ALL;

/// Write `filter` into the page URL, after the `tenant` and `lang` the page was opened with.
fn write_url(filter: &QueueFilter) {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let keep: Vec<(&str, String)> = ["tenant", "lang"]
        .into_iter()
        .filter_map(|k| crate::url::query_value(&search, k).map(|v| (k, v)))
        .collect();
    let path = location.pathname().unwrap_or_default();
    let url = format!("{path}{}", filter.to_query(&keep));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// A `<select>` bound to one optional filter field: `(value, label)` options after "any".
#[component]
fn Choice(
    label: &'static str,
    any: &'static str,
    testid: &'static str,
    options: Signal<Vec<(String, String)>>,
    value: Signal<Option<String>>,
    set: Callback<Option<String>>,
) -> impl IntoView {
    view! {
        <label class="filter">
            <span class="filter-label">{label}</span>
            <select
                data-testid=testid
                prop:value=move || value.get().unwrap_or_default()
                on:change=move |e| {
                    let v = event_target_value(&e);
                    set.run((!v.is_empty()).then_some(v));
                }
            >
                <option value="">{any}</option>
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = current.as_deref() == Some(v.as_str());
                            view! { <option value=v selected=selected>{l}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

#[component]
pub fn FilterBar(c: Console) -> impl IntoView {
    let lang = c.lang;
    let filter = c.filter;
    Effect::new(move |_| filter.with(write_url));
    let field = move |get: fn(&QueueFilter) -> Option<String>| Signal::derive(move || filter.with(get));
    let setter = move |put: fn(&mut QueueFilter, Option<String>)| Callback::new(move |v| filter.update(|f| put(f, v)));

    let agencies = Signal::derive(move || {
        c.state.tenant.with(|t| {
            t.as_ref()
                .map(|i| {
                    i.agencies
                        .iter()
                        .map(|a| (a.code.clone(), agency_label(lang, a)))
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let officers = Signal::derive(move || {
        let agency = filter.with(|f| f.agency.clone());
        c.state.tenant.with(|t| {
            t.as_ref()
                .map(|i| {
                    i.agencies
                        .iter()
                        .filter(|a| agency.as_deref().is_none_or(|x| x == a.code))
                        .flat_map(|a| a.officers.iter().map(|o| (o.id.clone(), o.name.clone())))
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    // Categories and kecamatan as they occur on the board: looked up when the tenant (the
    // snapshot) arrives and then every half minute, not on every delta.
    let every = Memo::new(move |_| (c.now.get() / 30_000.0).floor());
    let seen = Memo::new(move |_| {
        every.track();
        c.state.tenant.track();
        c.state.board.with_untracked(|b| {
            let mut cats = BTreeSet::new();
            let mut kec = BTreeSet::new();
            for t in b.tickets() {
                if !cats.contains(&t.category) {
                    cats.insert(t.category.clone());
                }
                if let Some(k) = &t.kecamatan {
                    if !kec.contains(&k.name) {
                        kec.insert(k.name.clone());
                    }
                }
            }
            (cats, kec)
        })
    });
    let categories = Signal::derive(move || {
        seen.with(|(cats, _)| cats.iter().map(|x| (x.clone(), i18n::category(lang, x))).collect())
    });
    let kecamatan = Signal::derive(move || seen.with(|(_, kec)| kec.iter().map(|x| (x.clone(), x.clone())).collect()));
    let statuses = Signal::derive(move || {
        let queues = [
            (super::queue::TRIAGE, super::tabs::TRIAGE_LABEL),
            (super::queue::VALIDATION, super::tabs::VALIDATION_LABEL),
        ]
        .map(|(v, (id, en))| (v.to_owned(), if lang == Lang::En { en } else { id }.to_owned()));
        std::iter::once(("all".to_owned(), tr(lang, Key::AllStatuses).to_owned()))
            .chain(queues)
            .chain(
                STATUSES
                    .iter()
                    .map(|s| (s.as_str().to_owned(), i18n::status(lang, *s).to_owned())),
            )
            .collect()
    });
    let slas = Signal::derive(move || {
        [
            ("breached", Key::Breached),
            ("warning", Key::Warning),
            ("on_track", Key::OnTrack),
            ("paused", Key::Paused),
        ]
        .map(|(v, k)| (v.to_owned(), tr(lang, k).to_owned()))
        .to_vec()
    });

    let search = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if c.focus.get() == Some("search") {
            if let Some(input) = search.get() {
                let _ = input.focus();
            }
            c.focus.set(None);
        }
    });
    let count = Signal::derive(move || c.order.with(Vec::len));
    view! {
        <form class="filter-bar" data-testid="filters" on:submit=|e| e.prevent_default()>
            <label class="filter filter-search">
                <span class="filter-label">{tr(lang, Key::Search)}</span>
                <input
                    type="search"
                    node_ref=search
                    data-testid="filter-q"
                    placeholder=tr(lang, Key::Search)
                    prop:value=move || filter.with(|f| f.q.clone())
                    on:input=move |e| {
                        let q = event_target_value(&e);
                        filter.update(|f| f.q = q);
                    }
                />
            </label>
            <Choice label=tr(lang, Key::Agency) any=tr(lang, Key::AnyAgency) testid="filter-agency" options=agencies
                value=field(|f| f.agency.clone()) set=setter(|f, v| { f.agency = v; f.officer = None; }) />
            <Choice label=tr(lang, Key::Officer) any=tr(lang, Key::AnyOfficer) testid="filter-officer" options=officers
                value=field(|f| f.officer.clone()) set=setter(|f, v| f.officer = v) />
            <Choice label=tr(lang, Key::Category) any=tr(lang, Key::AnyCategory) testid="filter-category" options=categories
                value=field(|f| f.category.clone()) set=setter(|f, v| f.category = v) />
            <Choice label="Kecamatan" any=tr(lang, Key::AnyKecamatan) testid="filter-kecamatan" options=kecamatan
                value=field(|f| f.kecamatan.clone()) set=setter(|f, v| f.kecamatan = v) />
            <Choice label=tr(lang, Key::Status) any=tr(lang, Key::OpenOnly) testid="filter-status" options=statuses
                value=field(|f| f.status.clone()) set=setter(|f, v| f.status = v) />
            <Choice label="SLA" any=tr(lang, Key::AnySla) testid="filter-sla" options=slas
                value=field(|f| f.sla.clone()) set=setter(|f, v| f.sla = v) />
            <p class="filter-count" data-testid="queue-count" aria-live="polite">
                <strong>{move || count.get()}</strong>" "{tr(lang, Key::Shown)}
            </p>
            <button type="button" class="button secondary" data-testid="shortcuts-button" on:click=move |_| c.help.update(|h| *h = !*h)>
                {tr(lang, Key::ShortcutsHint)}
            </button>
            <button type="button" class="button secondary" data-testid="filter-clear" on:click=move |_| filter.set(QueueFilter::default())>
                {tr(lang, Key::ClearFilters)}
            </button>
        </form>
    }
}

/// `DLH — Dinas Lingkungan Hidup`.
pub fn agency_label(lang: Lang, a: &pantau_shared::protocol::AgencyInfo) -> String {
    let name = match lang {
        Lang::Id => &a.name_id,
        Lang::En => &a.name_en,
    };
    format!("{} — {name}", a.code.to_uppercase())
}
