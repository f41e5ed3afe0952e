//! The newest tickets, newest on top, each with its status in LAKSA's colours (red waiting,
//! yellow in process, green done); a new one slides in highlighted (a CSS animation that runs
//! once when its row is created — the keyed list creates rows only for new tickets).

use crate::i18n::{self, t, Lang, Text};
use crate::time::{self, Zone};
use leptos::prelude::*;
use pantau_shared::event::TicketStatus;
use pantau_shared::ticket::Ticket;

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
    let row = move |ticket: Ticket| {
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
            <li class=format!("report cat-{}", ticket.category) data-testid="report-item" data-ticket=ticket.id.clone()>
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
    view! {
        <section class="reports">
            <h2>{t(lang, Text::LatestReports)}</h2>
            <Show
                when=move || newest.with(|n| !n.is_empty())
                fallback=move || view! { <p class="empty">{t(lang, Text::NoReports)}</p> }
            >
                // Keyed by id and version, so a ticket whose status changes is redrawn.
                <ul class="report-list" data-testid="report-list">
                    <For each=move || newest.get() key=|t| (t.id.clone(), t.version) children=row />
                </ul>
            </Show>
        </section>
    }
}
