//! The queue's tabs: the triage queue (new reports waiting for verification, with its
//! count and its own clock — the response target runs until verification), the tickets
//! waiting for validation (when the tenant validates follow-ups), and every open ticket.
//! A tab is the `status` filter, so it is in the URL like every other filter.

use super::queue::{TRIAGE, VALIDATION};
use super::workflow::in_triage;
use super::Console;
use crate::i18n::Lang;
use leptos::prelude::*;
use pantau_shared::event::TicketStatus;

/// The triage tab's name (Bahasa, English); the status filter offers it too.
pub const TRIAGE_LABEL: (&str, &str) = ("Triase", "Triage");
/// The validation tab's name.
pub const VALIDATION_LABEL: (&str, &str) = ("Menunggu validasi", "Awaiting validation");

fn w(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

#[component]
pub fn QueueTabs(c: Console) -> impl IntoView {
    let lang = c.lang;
    let validates = Memo::new(move |_| {
        c.state
            .tenant
            .with(|t| t.as_ref().is_some_and(|i| i.workflow.validation))
    });
    let verifies = Memo::new(move |_| {
        c.state
            .tenant
            .with(|t| t.as_ref().is_some_and(|i| i.workflow.verification))
    });
    // Counted when the board publishes (at most twice a second), not per row.
    let counts = Memo::new(move |_| {
        c.state.board.with(|b| {
            b.tickets().fold((0, 0, 0), |(triage, waiting, open), t| {
                (
                    triage + usize::from(in_triage(t)),
                    waiting + usize::from(t.status == TicketStatus::Resolved),
                    open + usize::from(t.status.is_open()),
                )
            })
        })
    });
    let tab = move |value: Option<&'static str>,
                    label: &'static str,
                    count: fn((usize, usize, usize)) -> usize,
                    testid: &'static str| {
        let current = move || c.filter.with(|f| f.status.as_deref() == value);
        view! {
            <button type="button" role="tab" class="queue-tab" data-testid=testid
                aria-selected=move || current().to_string()
                on:click=move |_| c.filter.update(|f| f.status = value.map(str::to_owned))>
                {label}" "<span class="tab-count">{move || count(counts.get())}</span>
            </button>
        }
    };
    view! {
        <div class="queue-tabs" role="tablist" aria-label=w(lang, "Antrean", "Queues") data-testid="queue-tabs">
            {move || verifies.get().then(|| tab(Some(TRIAGE), w(lang, TRIAGE_LABEL.0, TRIAGE_LABEL.1), |(t, _, _)| t, "tab-triage"))}
            {move || validates.get().then(|| tab(Some(VALIDATION), w(lang, VALIDATION_LABEL.0, VALIDATION_LABEL.1), |(_, v, _)| v, "tab-validation"))}
            {tab(None, w(lang, "Semua terbuka", "All open"), |(_, _, o)| o, "tab-open")}
        </div>
    }
}
