//! The drawer's actions on one ticket — assign (agency, officer, reason), status, priority,
//! comment — each offered by role, and the conflict dialog.
//!
//! Never a silent overwrite: the version sent is the one the person saw when they started
//! (the first focus in these forms; the current version if they act without typing). When
//! someone changed the ticket since, the server refuses (409) and the dialog shows the
//! ticket's latest change and who made it beside the person's own; they apply theirs again
//! on the new version, or drop it. Never a lost edit: typed text stays in the form until the
//! server has accepted it.

use super::commands::{actor_label, describe_event, Command, TicketDetail};
use super::filters::agency_label;
use super::text::{tr, Key};
use super::Console;
use crate::api::{self, Failure, Method};
use crate::auth::signin_href;
use crate::i18n;
use leptos::html::{Select, Textarea};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::event::{Priority, TicketStatus};
use pantau_shared::ticket::Ticket;

/// A refused change and the ticket as it is now.
#[derive(Clone)]
struct Conflict {
    command: Command,
    detail: TicketDetail,
}

/// Agency and officer pickers from the tenant's configuration (officers of the chosen
/// agency only).
#[component]
pub fn AgencyPicker(
    c: Console,
    agency: RwSignal<String>,
    officer: RwSignal<String>,
    testid: &'static str,
    #[prop(optional)] node: Option<NodeRef<Select>>,
) -> impl IntoView {
    let lang = c.lang;
    let agencies = move || {
        c.state
            .tenant
            .with(|t| t.as_ref().map(|i| i.agencies.clone()).unwrap_or_default())
    };
    let officers = move || {
        let chosen = agency.get();
        agencies()
            .into_iter()
            .find(|a| a.code == chosen)
            .map(|a| a.officers)
            .unwrap_or_default()
    };
    let node = node.unwrap_or_default();
    view! {
        <label class="field">
            <span>{tr(lang, Key::Agency)}</span>
            <select node_ref=node data-testid=format!("{testid}-agency") prop:value=move || agency.get()
                on:change=move |e| { agency.set(event_target_value(&e)); officer.set(String::new()); }>
                <option value="" disabled=true>"—"</option>
                {move || agencies().into_iter().map(|a| {
                    let selected = agency.with(|x| *x == a.code);
                    view! { <option value=a.code.clone() selected=selected>{agency_label(lang, &a)}</option> }
                }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span>{tr(lang, Key::Officer)}</span>
            <select data-testid=format!("{testid}-officer") prop:value=move || officer.get() on:change=move |e| officer.set(event_target_value(&e))>
                <option value="">{tr(lang, Key::NoOfficer)}</option>
                {move || officers().into_iter().map(|o| view! { <option value=o.id.clone()>{o.name.clone()}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn Actions(c: Console, id: String) -> impl IntoView {
    let lang = c.lang;
    let id = StoredValue::new(id);
    let ticket = Memo::new(move |_| {
        c.state
            .board
            .with(|b| id.with_value(|i| b.get(i).map(|e| e.ticket.clone())))
    });
    let base = RwSignal::new(None::<u64>);
    let notice = RwSignal::new(None::<(bool, String)>);
    let conflict = RwSignal::new(None::<Conflict>);
    // Accepted changes so far (forms outside this one clear their text when it moves).
    let sent = RwSignal::new(0_u32);

    let agency = RwSignal::new(ticket.get_untracked().and_then(|t| t.agency).unwrap_or_default());
    let officer = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());

    // Send `command` on `version`; on success forget the typed text it came from.
    let send = move |command: Command, version: u64| {
        let path = command.path(&c.tenant.get_value(), &id.get_value());
        let body = command.body(version);
        spawn_local(async move {
            let answer =
                api::send::<_, serde_json::Value>(Method::Post, &path, Some(&body), Some(&c.csrf.get_value())).await;
            match answer {
                Ok(_) => {
                    base.set(None);
                    conflict.set(None);
                    match &command {
                        Command::Assign { .. } => reason.set(String::new()),
                        Command::Status { .. } => note.set(String::new()),
                        Command::Comment(_) => comment.set(String::new()),
                        Command::Priority(_) => {}
                        // The workflow forms keep their own text and clear it on `sent`.
                        Command::Verify { .. } | Command::Reject { .. } | Command::Validate { .. } => {}
                    }
                    sent.update(|n| *n += 1);
                    notice.set(Some((true, tr(lang, Key::Sent).to_owned())));
                }
                Err(Failure::Status { status: 409, code, .. }) if code != "invalid_transition" => {
                    let path = format!(
                        "/api/v1/{}/tickets/{}",
                        crate::url::encode(&c.tenant.get_value()),
                        crate::url::encode(&id.get_value())
                    );
                    match api::get::<TicketDetail>(&path).await {
                        Ok(detail) => conflict.set(Some(Conflict { command, detail })),
                        Err(_) => notice.set(Some((false, tr(lang, Key::Failed).to_owned()))),
                    }
                }
                Err(Failure::Status { status: 401, .. }) => api::go(&signin_href(&api::here(), lang)),
                Err(Failure::Status { status: 403, .. }) => {
                    notice.set(Some((false, tr(lang, Key::NotAllowed).to_owned())))
                }
                Err(_) => notice.set(Some((false, tr(lang, Key::Failed).to_owned()))),
            }
        });
    };
    let act = move |command: Command| {
        let Some(t) = ticket.get_untracked() else { return };
        send(command, base.get_untracked().unwrap_or(t.version));
    };
    let started = move |_| {
        if base.get_untracked().is_none() {
            base.set(ticket.get_untracked().map(|t| t.version));
        }
    };

    let (assign_at, status_at, priority_at, comment_at) = (
        NodeRef::<Select>::new(),
        NodeRef::<Select>::new(),
        NodeRef::<Select>::new(),
        NodeRef::<Textarea>::new(),
    );
    Effect::new(move |_| {
        let Some(which) = c.focus.get() else { return };
        let focused = match which {
            "assign" => assign_at.get().map(|e| e.focus()),
            "status" => status_at.get().map(|e| e.focus()),
            "priority" => priority_at.get().map(|e| e.focus()),
            "comment" => comment_at.get().map(|e| e.focus()),
            _ => return,
        };
        if focused.is_some() {
            c.focus.set(None);
        }
    });

    let needs_reason = move || ticket.with(|t| t.as_ref().is_some_and(|t| t.first_assigned_at.is_some()));
    let assign_form = c.routes_work.then(|| view! {
        <form class="action" data-testid="assign-form" on:submit=move |e| {
            e.prevent_default();
            let text = reason.get_untracked().trim().to_owned();
            if needs_reason() && text.is_empty() {
                notice.set(Some((false, tr(lang, Key::ReasonNeeded).to_owned())));
                return;
            }
            if agency.with_untracked(String::is_empty) { return; }
            act(Command::Assign {
                agency: agency.get_untracked(),
                officer: Some(officer.get_untracked()).filter(|o| !o.is_empty()),
                reason: Some(text).filter(|r| !r.is_empty()),
            });
        }>
            <h3>{tr(lang, Key::Assign)}</h3>
            <AgencyPicker c agency officer testid="assign" node=assign_at />
            <label class="field">
                <span>{tr(lang, Key::Reason)}</span>
                <input type="text" data-testid="assign-reason" required=needs_reason prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e)) />
            </label>
            <button type="submit" class="button" data-testid="assign-submit">{tr(lang, Key::Assign)}</button>
        </form>
    });
    let next_statuses = move || {
        ticket.with(|t| {
            t.as_ref()
                .map(|t| {
                    TicketStatus::ALL
                        .into_iter()
                        .filter(|s| t.status.can_move_to(*s))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let priority_form = c.routes_work.then(|| view! {
        <form class="action" data-testid="priority-form" on:submit=move |e| {
            e.prevent_default();
            if let Ok(p) = serde_json::from_value::<Priority>(priority.get_untracked().into()) { act(Command::Priority(p)); }
        }>
            <h3>{tr(lang, Key::Priority)}</h3>
            <select node_ref=priority_at aria-label=tr(lang, Key::Priority) data-testid="priority-select" prop:value=move || priority.get() on:change=move |e| priority.set(event_target_value(&e))>
                <option value="" disabled=true>"—"</option>
                {[Priority::Low, Priority::Medium, Priority::High, Priority::Critical].map(|p| {
                    let v = serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    view! { <option value=v>{super::commands::priority_label(lang, p)}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="button secondary">{tr(lang, Key::SetPriority)}</button>
        </form>
    });

    view! {
        <div class="actions" data-testid="actions" on:focusin=started>
            <super::workflow::WorkflowForms c ticket sent act=Callback::new(act) />
            {assign_form}
            <form class="action" data-testid="status-form" on:submit=move |e| {
                e.prevent_default();
                if let Some(s) = TicketStatus::parse(&status.get_untracked()) {
                    let n = note.get_untracked().trim().to_owned();
                    act(Command::Status { status: s, note: Some(n).filter(|n| !n.is_empty()) });
                }
            }>
                <h3>{tr(lang, Key::Status)}</h3>
                <select node_ref=status_at aria-label=tr(lang, Key::Status) data-testid="status-select" prop:value=move || status.get() on:change=move |e| status.set(event_target_value(&e))>
                    <option value="" disabled=true>"—"</option>
                    {move || next_statuses().into_iter().map(|s| view! { <option value=s.as_str()>{i18n::status(lang, s)}</option> }).collect_view()}
                </select>
                <input type="text" data-testid="status-note" placeholder=tr(lang, Key::Note) prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e)) />
                <button type="submit" class="button secondary" data-testid="status-submit">{tr(lang, Key::SetStatus)}</button>
            </form>
            {priority_form}
            <form class="action" data-testid="comment-form" on:submit=move |e| {
                e.prevent_default();
                let text = comment.get_untracked().trim().to_owned();
                if !text.is_empty() { act(Command::Comment(text)); }
            }>
                <h3>{tr(lang, Key::Comment)}</h3>
                <textarea node_ref=comment_at aria-label=tr(lang, Key::Comment) data-testid="comment-text" rows="2" prop:value=move || comment.get() on:input=move |e| comment.set(event_target_value(&e))></textarea>
                <button type="submit" class="button secondary" data-testid="comment-submit">{tr(lang, Key::SendComment)}</button>
            </form>
            <p class=move || match notice.get() { Some((true, _)) => "notice ok", Some((false, _)) => "notice bad", None => "notice" }
                role="status" data-testid="action-notice">{move || notice.get().map(|(_, s)| s)}</p>
            <ConflictDialog c conflict base send=Callback::new(move |(cmd, v): (Command, u64)| send(cmd, v)) />
        </div>
    }
}

/// The dialog after a 409: theirs (the latest change, by whom, when) beside yours.
#[component]
fn ConflictDialog(
    c: Console,
    conflict: RwSignal<Option<Conflict>>,
    base: RwSignal<Option<u64>>,
    send: Callback<(Command, u64)>,
) -> impl IntoView {
    let lang = c.lang;
    let zone = c.zone;
    move || {
        conflict.get().map(|Conflict { command, detail }| {
            let latest = detail.history.last().cloned();
            let theirs = latest.as_ref().map(|e| describe_event(e, lang)).unwrap_or_default();
            let who = latest.as_ref().map(actor_label).unwrap_or_default();
            let when = latest
                .as_ref()
                .and_then(|e| crate::time::parse_ms(&e.at))
                .map(|ms| zone.with_untracked(|z| z.as_ref().map(|z| z.time_of_day(ms)).unwrap_or_default()))
                .unwrap_or_default();
            let now_state = summary(lang, &detail.ticket);
            let yours = command.describe(lang);
            let version = detail.ticket.version;
            let again = command.clone();
            view! {
                <div class="conflict-backdrop">
                <div class="conflict" role="alertdialog" aria-modal="true" aria-labelledby="conflict-title" data-testid="conflict-dialog">
                    <h3 id="conflict-title">{tr(lang, Key::ConflictTitle)}</h3>
                    <p>{tr(lang, Key::ConflictBody)}</p>
                    <dl>
                        <dt>{tr(lang, Key::TheirChange)}</dt>
                        <dd data-testid="conflict-theirs"><strong>{who}</strong>" · "{when}" — "{theirs}<br />{now_state}</dd>
                        <dt>{tr(lang, Key::YourChange)}</dt>
                        <dd data-testid="conflict-yours">{yours}</dd>
                    </dl>
                    <div class="conflict-buttons">
                        <button type="button" class="button primary" data-testid="conflict-reapply" autofocus=true on:click=move |_| {
                            base.set(Some(version));
                            send.run((again.clone(), version));
                        }>{tr(lang, Key::Reapply)}</button>
                        <button type="button" class="button secondary" data-testid="conflict-drop" on:click=move |_| {
                            conflict.set(None);
                            base.set(None);
                        }>{tr(lang, Key::Drop)}</button>
                    </div>
                </div>
                </div>
            }
        })
    }
}

/// The ticket's routing and status in a line: `PUPR / Andi · Didisposisi`.
fn summary(lang: crate::i18n::Lang, t: &Ticket) -> String {
    let routed = match (&t.agency, &t.officer) {
        (Some(a), Some(o)) => format!("{} / {o}", a.to_uppercase()),
        (Some(a), None) => a.to_uppercase(),
        _ => "—".into(),
    };
    format!("{routed} · {}", i18n::status(lang, t.status))
}
