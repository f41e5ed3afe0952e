//! The urgent list: open tickets closest to (or past) a deadline, with live countdowns from
//! the server's deadlines and the measured clock offset. A breached ticket is red and its
//! countdown counts up in minus; the list is never empty of meaning: "all on track" says so.
//! A ticket flagged for bouncing between agencies (`alert.raised` ping-pong) shows the chain.

use crate::i18n::{self, t, Lang, Text};
use crate::time;
use leptos::prelude::*;
use pantau_shared::sla::Target;
use pantau_shared::ticket::Ticket;

/// Rows shown.
pub const URGENT_ROWS: usize = 8;

/// The next deadline of an open ticket (the earlier unmet target), ms.
pub fn next_deadline_ms(t: &Ticket) -> Option<f64> {
    let sla = t.sla.as_ref()?;
    let open = |x: &Target| x.done_at.is_none().then_some(x.deadline).flatten();
    [open(&sla.response), open(&sla.resolution)]
        .into_iter()
        .flatten()
        .map(|d| d.timestamp_millis() as f64)
        .reduce(f64::min)
}

/// A row of the urgent list: an open ticket and its next deadline (ms).
#[derive(Clone, Debug, PartialEq)]
pub struct UrgentRow {
    pub ticket: Ticket,
    pub deadline_ms: f64,
}

/// Open tickets by next deadline, most urgent (most overdue) first. Only the `n` rows
/// shown are cloned (the wall holds up to tens of thousands of tickets).
pub fn most_urgent<'a>(tickets: impl Iterator<Item = &'a Ticket>, n: usize) -> Vec<UrgentRow> {
    let mut rows: Vec<(&Ticket, f64)> = tickets
        .filter(|t| t.status.is_open())
        .filter_map(|t| next_deadline_ms(t).map(|d| (t, d)))
        .collect();
    let order = |a: &(&Ticket, f64), b: &(&Ticket, f64)| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id));
    if rows.len() > n {
        rows.select_nth_unstable_by(n, order);
        rows.truncate(n);
    }
    rows.sort_by(order);
    rows.into_iter()
        .map(|(t, d)| UrgentRow {
            ticket: t.clone(),
            deadline_ms: d,
        })
        .collect()
}

/// The list of `rows`, counting down to their deadlines at `now` (server clock, ms). Each
/// row says what the problem is — its category, and the citizen's words on a line of their
/// own across the row — with its place, agency and ticket number.
#[component]
pub fn UrgentList(rows: Memo<Vec<UrgentRow>>, now: Signal<f64>, lang: Lang) -> impl IntoView {
    view! {
        <section class="urgent" data-testid="urgent">
            <h2>{t(lang, Text::Urgent)}</h2>
            <Show when=move || rows.with(|r| !r.is_empty()) fallback=move || view! { <p class="empty">{t(lang, Text::AllOnTrack)}</p> }>
                <ul class="urgent-list">
                    <For
                        each=move || rows.get()
                        key=|r| (r.ticket.id.clone(), r.ticket.version, r.deadline_ms as i64, r.ticket.reporters())
                        children=move |UrgentRow { ticket, deadline_ms }| {
                            let left = move || ((deadline_ms - now.get()) / 1000.0).floor() as i64;
                            let class = move || if left() < 0 { "urgent-item breached" } else if left() < 3600 { "urgent-item soon" } else { "urgent-item" };
                            let place = ticket.kecamatan.as_ref().map(|k| k.name.clone()).unwrap_or_default();
                            let agency = ticket.agency.clone().unwrap_or_default().to_ascii_uppercase();
                            let meta = [place, agency, ticket.id.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                            // A ticket bounced between agencies: the chain, so the room sees who passed it on.
                            let ping_pong = ticket.alerts.iter().any(|a| a == "ping_pong").then(|| {
                                let chain = ticket.agency_chain.iter().map(|h| h.agency.to_ascii_uppercase()).collect::<Vec<_>>().join(" → ");
                                view! { <span class="flag ping-pong" data-testid="urgent-ping-pong">"⇄ "{chain}</span> }
                            });
                            view! {
                                <li class=class data-testid="urgent-item" data-ticket=ticket.id.clone() data-breached=move || (left() < 0).to_string()>
                                    <span class="urgent-countdown">{move || time::countdown(left())}</span>
                                    <span class="urgent-desc">{ticket.description.clone()}</span>
                                    <span class="urgent-where">
                                        {ping_pong}
                                        // One job many citizens reported (duplicates merged into it).
                                        {(ticket.reporters() > 1).then(|| view! { <span class="flag reporters-badge" data-testid="urgent-reporters">{format!("×{}", ticket.reporters())}</span> })}
                                        <span class=format!("urgent-cat cat-{}", ticket.category)>{i18n::category(lang, &ticket.category)}</span>
                                        " · "{meta}
                                    </span>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::event::Priority;
    use pantau_shared::sla::{Calendar, Policy, SlaConfig};

    fn ticket(id: &str, at: &str, minutes: u32) -> Ticket {
        let e = pantau_shared::fixtures::report(id, "sampah", at);
        let mut t = Ticket::open(&e).unwrap();
        let sla = SlaConfig {
            warning_share: 0.75,
            calendars: vec![Calendar {
                week: None,
                holidays: Default::default(),
                utc_offset_minutes: 420,
            }],
            policies: vec![Policy {
                category: "sampah".into(),
                priority: Priority::Medium,
                response_minutes: minutes,
                resolution_minutes: 600,
                calendar: 0,
            }],
            tiers: vec![],
        };
        t.refresh_sla(&sla);
        t
    }

    /// The earliest unmet deadline orders the list; overdue first.
    #[test]
    fn orders_by_next_deadline() {
        let a = ticket("A", "2026-11-23T03:00:00Z", 60);
        let b = ticket("B", "2026-11-23T01:00:00Z", 60);
        let c = ticket("C", "2026-11-23T02:00:00Z", 500);
        let ids: Vec<_> = most_urgent([a, b, c].iter(), 2)
            .into_iter()
            .map(|r| r.ticket.id)
            .collect();
        assert_eq!(ids, ["B", "A"]);
    }
}
