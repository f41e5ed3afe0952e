//! Bulk reassign (supervisors and up): tick rows (or `x`), pick agency and officer, give
//! the reason, send. Each ticket goes with the version it had when it was ticked; the
//! server judges each on its own, so tickets changed since are refused (and stay ticked,
//! to look at again) while the rest move.

use super::actions::AgencyPicker;
use super::text::{tr, Key};
use super::Console;
use crate::api::{self, Method};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;

/// Add or remove `id` from the selection (with the version it has now).
pub fn toggle(c: Console, id: &str) {
    if !c.routes_work {
        return;
    }
    let version = c.state.board.with_untracked(|b| b.get(id).map(|e| e.ticket.version));
    c.checked.update(|s| {
        if s.remove(id).is_none() {
            if let Some(v) = version {
                s.insert(id.to_owned(), v);
            }
        }
    });
}

/// One ticket's answer in a bulk reply.
#[derive(Deserialize)]
struct Outcome {
    ticket: String,
    status: u16,
}

#[derive(Deserialize)]
struct BulkReply {
    results: Vec<Outcome>,
}

#[component]
pub fn BulkBar(c: Console) -> impl IntoView {
    if !c.routes_work {
        return None;
    }
    let lang = c.lang;
    let agency = RwSignal::new(String::new());
    let officer = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let send = move || {
        let reason_text = reason.get_untracked().trim().to_owned();
        if reason_text.is_empty() {
            outcome.set(Some(tr(lang, Key::ReasonNeeded).to_owned()));
            return;
        }
        if agency.with_untracked(String::is_empty) {
            return;
        }
        let tickets: Vec<_> = c
            .checked
            .get_untracked()
            .into_iter()
            .map(|(ticket, v)| json!({ "ticket": ticket, "expected_version": v }))
            .collect();
        let officer = Some(officer.get_untracked()).filter(|o| !o.is_empty());
        let body =
            json!({ "tickets": tickets, "agency": agency.get_untracked(), "officer": officer, "reason": reason_text });
        let path = format!(
            "/api/v1/{}/tickets/bulk/assign",
            crate::url::encode(&c.tenant.get_value())
        );
        busy.set(true);
        spawn_local(async move {
            let answer = api::send::<_, BulkReply>(Method::Post, &path, Some(&body), Some(&c.csrf.get_value())).await;
            busy.set(false);
            match answer {
                Ok(Some(reply)) => {
                    let moved: Vec<_> = reply
                        .results
                        .iter()
                        .filter(|o| o.status < 300)
                        .map(|o| o.ticket.clone())
                        .collect();
                    let refused = reply.results.len() - moved.len();
                    c.checked.update(|s| s.retain(|id, _| !moved.contains(id)));
                    let mut said = format!("{} {}", moved.len(), tr(lang, Key::BulkDone));
                    if refused > 0 {
                        said.push_str(&format!("; {refused} {}", tr(lang, Key::BulkConflicts)));
                    }
                    if refused == 0 {
                        reason.set(String::new());
                    }
                    outcome.set(Some(said));
                }
                Ok(None) | Err(_) => outcome.set(Some(tr(lang, Key::Failed).to_owned())),
            }
        });
    };
    Some(view! {
        <form class="bulk-bar" data-testid="bulk-bar" hidden=move || c.checked.with(|s| s.is_empty()) && outcome.with(Option::is_none)
            on:submit=move |e| { e.prevent_default(); send(); }>
            <strong class="bulk-count" data-testid="bulk-count">{move || c.checked.with(|s| s.len())}" "{tr(lang, Key::Selected)}</strong>
            <AgencyPicker c agency officer testid="bulk" />
            <label class="field">
                <span>{tr(lang, Key::Reason)}</span>
                <input type="text" data-testid="bulk-reason" required prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e)) />
            </label>
            <button type="submit" class="button" data-testid="bulk-submit" disabled=move || busy.get() || c.checked.with(|s| s.is_empty())>
                {tr(lang, Key::BulkReassign)}
            </button>
            <button type="button" class="button secondary" on:click=move |_| { c.checked.set(Default::default()); outcome.set(None); }>
                {tr(lang, Key::ClearSelection)}
            </button>
            <p class="bulk-outcome" role="status" data-testid="bulk-outcome">{move || outcome.get()}</p>
        </form>
    })
}
