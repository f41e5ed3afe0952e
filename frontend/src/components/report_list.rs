//! The newest tickets, newest on top, each with its status in LAKSA's colours (red waiting,
//! yellow in process, green done); a new one slides in highlighted (a CSS animation that runs
//! once, only on the row of a ticket that was not listed before — a listed ticket whose status
//! changes is redrawn in place, without arriving again; the animation moves only opacity and
//! transform, which the compositor runs without the main thread).

use crate::i18n::{self, t, Lang, Text};
use crate::time::{self, Zone};
use leptos::prelude::*;
use pantau_shared::event::TicketStatus;
use pantau_shared::ticket::Ticket;
use std::collections::HashSet;

/// CSS class of a status: waiting, working or done.
fn status_class(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Received | TicketStatus::Assigned => "waiting",
        TicketStatus::InProgress | TicketStatus::PendingCitizen => "working",
        TicketStatus::Resolved | TicketStatus::Closed => "done",
        TicketStatus::Rejected | TicketStatus::Merged => "rejected",
    }
}

/// The tickets of `newest`, with their times in the tenant's `zone`.
#[component]
pub fn ReportList(newest: Memo<Vec<Ticket>>, zone: Memo<Option<Zone>>, lang: Lang) -> impl IntoView {
    let row = move |(ticket, arrived): (Ticket, bool)| {
        let when = time::parse_ms(&ticket.created_at)
            .zip(zone.get_untracked())
            .map(|(ms, zone)| zone.time_of_day(ms))
            .unwrap_or_default();
        let place = ticket
            .kecamatan
            .as_ref()
            .map(|k| format!("Kec. {}", k.name))
            .or(ticket.address.clone())
            .unwrap_or_default();
        let status = ticket.status;
        view! {
            <li
                class=format!("report cat-{}{}", ticket.category, if arrived { " arrived" } else { "" })
                data-testid="report-item"
                data-ticket=ticket.id.clone()
            >
                <span class="report-cat">{i18n::category(lang, &ticket.category)}</span>
                <span class="report-desc">{ticket.description.clone()}</span>
                <span class="report-where">{place}</span>
                <span class="report-meta">
                    <span class=format!("report-status {}", status_class(status)) data-testid="report-status">
                        {i18n::status(lang, status)}
                    </span>
                    <span class="report-time">{when}</span>
                    <span class="report-ticket">{ticket.id.clone()}</span>
                </span>
            </li>
        }
    };
    // The ids listed last time (`None` before the first list: the first list does not arrive).
    let listed: StoredValue<Option<HashSet<String>>> = StoredValue::new(None);
    let rows = move || {
        let list = newest.get();
        let ids = list.iter().map(|t| t.id.clone()).collect();
        let before = listed.try_update_value(|l| l.replace(ids)).flatten();
        list.into_iter()
            .map(|t| {
                let arrived = before.as_ref().is_some_and(|b| !b.contains(&t.id));
                (t, arrived)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="reports">
            <h2>{t(lang, Text::LatestReports)}</h2>
            <Show
                when=move || newest.with(|n| !n.is_empty())
                fallback=move || view! { <p class="empty">{t(lang, Text::NoReports)}</p> }
            >
                // Keyed by id and version, so a ticket whose status changes is redrawn.
                <ul class="report-list" data-testid="report-list">
                    <For each=rows key=|(t, _)| (t.id.clone(), t.version) children=row />
                </ul>
            </Show>
        </section>
    }
}
