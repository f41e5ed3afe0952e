//! The queue: a virtualised list (only the rows in view, plus a few either side, are in the
//! DOM; the spacer keeps the scrollbar true to the whole queue), so 10,000 open tickets
//! scroll as smoothly as ten. Rows are keyed by ticket and version: a live change redraws
//! that row only, and the scroll position and the selection stay where they were. A row is
//! coloured by its worst SLA state, counts down to its next deadline, and is marked for a
//! few seconds when it is new or changed.

use super::queue::{window, worst_state, ROW_REM};
use super::text::{tr, Key};
use super::{bulk, Console};
use crate::components::urgent::next_deadline_ms;
use crate::i18n;
use crate::time;
use leptos::html::Div;
use leptos::prelude::*;
use pantau_shared::sla::SlaState;
use pantau_shared::ticket::Ticket;

/// One drawn row: its index in the queue and the ticket as it is now.
#[derive(Clone, PartialEq)]
struct Drawn {
    index: usize,
    ticket: Ticket,
}

#[component]
pub fn QueueList(c: Console) -> impl IntoView {
    let scroller = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let height = RwSignal::new(900.0);
    let row_px = RwSignal::new(ROW_REM * 16.0);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            height.set(f64::from(el.client_height()));
            scroll_top.set(f64::from(el.scroll_top()));
        }
        row_px.set(ROW_REM * root_font_px());
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let range = Memo::new(move |_| {
        c.order
            .with(|o| window(scroll_top.get(), height.get(), row_px.get(), o.len()))
    });
    let drawn = Memo::new(move |_| {
        let range = range.get();
        c.order.with(|o| {
            c.state.board.with(|b| {
                o[range.clone()]
                    .iter()
                    .enumerate()
                    .filter_map(|(i, id)| {
                        b.get(id).map(|e| Drawn {
                            index: range.start + i,
                            ticket: e.ticket.clone(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    // Keep the selected row in view when the keyboard moves the selection.
    Effect::new(move |_| {
        c.selected.track();
        let (Some(i), Some(el)) = (c.selected_index(), scroller.get_untracked()) else {
            return;
        };
        let row = row_px.get_untracked();
        let top = i as f64 * row;
        let view_top = f64::from(el.scroll_top());
        let view_h = f64::from(el.client_height());
        if top < view_top {
            el.set_scroll_top(top as i32);
        } else if top + row > view_top + view_h {
            el.set_scroll_top((top + row - view_h) as i32);
        }
    });

    let lang = c.lang;
    let total_px = move || format!("{}px", c.order.with(Vec::len) as f64 * row_px.get());
    let offset_px = move || format!("translateY({}px)", range.get().start as f64 * row_px.get());
    view! {
        <div class="queue-scroll" node_ref=scroller data-testid="queue" on:scroll=move |_| measure() tabindex="0">
            <p class="queue-empty" hidden=move || c.order.with(|o| !o.is_empty())>{tr(lang, Key::Empty)}</p>
            <div class="queue-spacer" style:height=total_px>
                <ol class="queue-rows" style:transform=offset_px>
                    <For
                        each=move || drawn.get()
                        key=|d| (d.ticket.id.clone(), d.ticket.version, d.ticket.reporters())
                        children=move |d| view! { <Row c ticket=d.ticket /> }
                    />
                </ol>
            </div>
        </div>
    }
}

/// `×N` on a job N citizens reported (duplicates merged into it); nothing for one.
pub fn reporters_badge(n: u32) -> Option<impl IntoView> {
    (n > 1).then(|| view! { <span class="flag reporters-badge" data-testid="reporters-badge">{format!("×{n}")}</span> })
}

/// The root element's font size, px (what `1rem` is on this screen).
fn root_font_px() -> f64 {
    web_sys::window()
        .and_then(|w| {
            let root = w.document()?.document_element()?;
            let style = w.get_computed_style(&root).ok()??;
            style.get_property_value("font-size").ok()
        })
        .and_then(|v| v.trim_end_matches("px").parse().ok())
        .unwrap_or(16.0)
}

/// One ticket's row.
#[component]
fn Row(c: Console, ticket: Ticket) -> impl IntoView {
    let lang = c.lang;
    let id = StoredValue::new(ticket.id.clone());
    let deadline = next_deadline_ms(&ticket);
    let state = {
        let t = ticket.clone();
        move || {
            let now = chrono::DateTime::from_timestamp_millis(c.now.get() as i64).unwrap_or_default();
            worst_state(&t, now)
        }
    };
    let class = move || {
        let mut class = String::from("queue-row");
        match state() {
            Some(SlaState::Breached) => class.push_str(" breached"),
            Some(SlaState::Warning) => class.push_str(" warning"),
            _ => {}
        }
        if c.selected.with(|s| s.as_deref() == Some(id.get_value().as_str())) {
            class.push_str(" selected");
        }
        if c.flashed.with(|f| id.with_value(|i| f.contains_key(i))) {
            class.push_str(" flash");
        }
        class
    };
    let open = ticket.status.is_open();
    let countdown = move || match deadline {
        Some(d) if open => time::countdown(((d - c.now.get()) / 1000.0).floor() as i64),
        _ => String::new(),
    };
    let place = ticket.kecamatan.as_ref().map(|k| k.name.clone()).unwrap_or_default();
    let routed = match (&ticket.agency, &ticket.officer) {
        (Some(a), Some(o)) => format!("{} · {o}", a.to_uppercase()),
        (Some(a), None) => a.to_uppercase(),
        _ => "—".into(),
    };
    let ping_pong = ticket.alerts.iter().any(|a| a == "ping_pong").then(|| {
        let chain = ticket
            .agency_chain
            .iter()
            .map(|h| h.agency.to_uppercase())
            .collect::<Vec<_>>()
            .join(" → ");
        view! { <span class="flag ping-pong" data-testid="ping-pong" title=chain.clone()>"⇄ "{tr(lang, Key::PingPong)}": "{chain.clone()}</span> }
    });
    let checkbox = c.routes_work.then(|| {
        view! {
            <input
                type="checkbox"
                class="row-check"
                data-testid="row-check"
                aria-label=format!("{} {}", tr(lang, Key::Select), ticket.id)
                prop:checked=move || c.checked.with(|s| id.with_value(|i| s.contains_key(i)))
                on:click=move |e| {
                    e.stop_propagation();
                    bulk::toggle(c, &id.get_value());
                }
            />
        }
    });
    let status = ticket.status;
    view! {
        <li
            class=class
            data-testid="queue-row"
            data-ticket=ticket.id.clone()
            data-agency=ticket.agency.clone().unwrap_or_default()
            data-version=ticket.version
            aria-current=move || c.selected.with(|s| s.as_deref() == Some(id.get_value().as_str())).to_string()
            on:click=move |_| c.selected.set(Some(id.get_value()))
        >
            {checkbox}
            <span class="row-countdown">{countdown}</span>
            <span class="row-main">
                <span class="row-title">
                    <span class=format!("row-cat cat-{}", ticket.category)>{i18n::category(lang, &ticket.category)}</span>
                    {reporters_badge(ticket.reporters())}
                    " "<span class="row-desc">{ticket.description.clone()}</span>
                </span>
                <span class="row-meta">
                    <span class="row-id">{ticket.id.clone()}</span>" · "{place}" · "
                    <span class="row-agency" data-testid="row-agency">{routed}</span>
                    {ping_pong}
                </span>
            </span>
            <span class=format!("row-status status-{}", status.as_str())>{i18n::status(lang, status)}</span>
        </li>
    }
}
