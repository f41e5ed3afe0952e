//! The workflow's forms in the drawer (issue 18): for a report in triage — verify and
//! disposition it to the suggested or another agency, ask the citizen for more (clocks
//! pause), or reject it with a reason; for a resolved ticket in a tenant that validates —
//! accept the follow-up (done) or refuse it ("TL ditolak", back to the agency). Sent through
//! the drawer's one path ([`super::actions`]): the version seen, 409 → the conflict dialog.

use super::actions::AgencyPicker;
use super::commands::Command;
use super::Console;
use crate::i18n::Lang;
use leptos::prelude::*;
use pantau_shared::event::{TicketStatus, REJECTION_REASONS};
use pantau_shared::ticket::Ticket;

/// Whether `t` waits in triage: new, or asked for more before anyone verified it.
pub fn in_triage(t: &Ticket) -> bool {
    t.status == TicketStatus::Received || (t.status == TicketStatus::PendingCitizen && t.verified_at.is_none())
}

/// Bahasa first, English second.
fn w(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// A rejection reason's words.
pub fn reason_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "not_our_authority" => w(lang, "Bukan kewenangan", "Not our authority"),
        "unclear" => w(lang, "Tidak jelas", "Unclear"),
        "duplicate" => w(lang, "Duplikat", "Duplicate"),
        "spam" => w(lang, "Spam", "Spam"),
        _ => "—",
    }
}

#[component]
pub fn WorkflowForms(
    c: Console,
    ticket: Memo<Option<Ticket>>,
    sent: RwSignal<u32>,
    act: Callback<Command>,
) -> impl IntoView {
    let lang = c.lang;
    let validates = Memo::new(move |_| {
        c.state
            .tenant
            .with(|t| t.as_ref().is_some_and(|i| i.workflow.validation))
    });
    let triage = Memo::new(move |_| ticket.with(|t| t.as_ref().is_some_and(in_triage)));
    let awaiting = Memo::new(move |_| {
        validates.get() && ticket.with(|t| t.as_ref().is_some_and(|t| t.status == TicketStatus::Resolved))
    });

    let agency = RwSignal::new(ticket.get_untracked().and_then(|t| t.agency).unwrap_or_default());
    let officer = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let tiers = move || {
        c.state
            .tenant
            .with(|t| t.as_ref().map(|i| i.sla.tiers.clone()).unwrap_or_default())
    };
    let note = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let refusal = RwSignal::new(String::new());
    let site = RwSignal::new(false);
    Effect::new(move |_| {
        sent.track();
        note.set(String::new());
        refusal.set(String::new());
        site.set(false);
    });
    let typed = move || Some(note.get_untracked().trim().to_owned()).filter(|n| !n.is_empty());

    let triage_forms = move || {
        triage.get().then(|| view! {
            <form class="action workflow" data-testid="verify-form" on:submit=move |e| {
                e.prevent_default();
                if agency.with_untracked(String::is_empty) { return; }
                act.run(Command::Verify {
                    agency: agency.get_untracked(),
                    officer: Some(officer.get_untracked()).filter(|o| !o.is_empty()),
                    tier: Some(tier.get_untracked()).filter(|t| !t.is_empty()),
                    note: typed(),
                });
            }>
                <h3>{w(lang, "Verifikasi laporan", "Verify the report")}</h3>
                <AgencyPicker c agency officer testid="verify" />
                <label class="field">
                    <span>{w(lang, "Tingkat SP4N-LAPOR", "SP4N-LAPOR tier")}</span>
                    <select data-testid="verify-tier" prop:value=move || tier.get() on:change=move |e| tier.set(event_target_value(&e))>
                        <option value="">{w(lang, "— sesuai kategori —", "— the category's —")}</option>
                        {move || tiers().into_iter().map(|t| {
                            let label = format!("{} ({} {})", if lang == Lang::En { &t.name_en } else { &t.name_id }, t.working_days, w(lang, "hari kerja", "working days"));
                            view! { <option value=t.code.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{w(lang, "Catatan", "Note")}</span>
                    <input type="text" data-testid="verify-note" prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e)) />
                </label>
                <div class="workflow-buttons">
                    <button type="submit" class="button primary" data-testid="verify-submit">{w(lang, "Verifikasi & disposisi", "Verify & dispatch")}</button>
                    <button type="button" class="button secondary" data-testid="ask-citizen" on:click=move |_| {
                        act.run(Command::Status { status: TicketStatus::PendingCitizen, note: typed() });
                    }>{w(lang, "Minta info warga", "Ask the citizen")}</button>
                </div>
                <div class="workflow-reject">
                    <select aria-label=w(lang, "Alasan penolakan", "Reason to reject") data-testid="reject-reason" prop:value=move || reason.get() on:change=move |e| reason.set(event_target_value(&e))>
                        <option value="" disabled=true>{w(lang, "Alasan penolakan…", "Reason to reject…")}</option>
                        {REJECTION_REASONS.map(|r| view! { <option value=r>{reason_label(lang, r)}</option> }).collect_view()}
                    </select>
                    <button type="button" class="button danger" data-testid="reject-submit" disabled=move || reason.with(String::is_empty) on:click=move |_| {
                        act.run(Command::Reject { reason: reason.get_untracked(), note: typed() });
                    }>{w(lang, "Tolak", "Reject")}</button>
                </div>
            </form>
        })
    };
    let validation_form = move || {
        awaiting.get().then(|| view! {
            <form class="action workflow" data-testid="validate-form" on:submit=move |e| e.prevent_default()>
                <h3>{w(lang, "Menunggu validasi", "Awaiting validation")}</h3>
                <p class="workflow-hint">{w(lang, "Dinas menandai selesai. Periksa foto & catatan tindak lanjut.", "The agency marked it resolved. Check the follow-up photo and note.")}</p>
                <button type="button" class="button primary" data-testid="validate-accept" on:click=move |_| {
                    act.run(Command::Validate { accepted: true, reason: None, site_check: site.get_untracked() });
                }>{w(lang, "Terima — selesai", "Accept — done")}</button>
                <label class="field">
                    <span>{w(lang, "Alasan TL ditolak", "Why the follow-up is refused")}</span>
                    <input type="text" data-testid="validate-reason" prop:value=move || refusal.get() on:input=move |e| refusal.set(event_target_value(&e)) />
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="validate-site" prop:checked=move || site.get() on:change=move |e| site.set(event_target_checked(&e)) />
                    {w(lang, "Sudah dicek di lapangan", "Checked on site")}
                </label>
                <button type="button" class="button danger" data-testid="validate-refuse" disabled=move || refusal.with(|r| r.trim().is_empty()) on:click=move |_| {
                    act.run(Command::Validate {
                        accepted: false,
                        reason: Some(refusal.get_untracked().trim().to_owned()),
                        site_check: site.get_untracked(),
                    });
                }>{w(lang, "Tolak tindak lanjut", "Refuse the follow-up")}</button>
            </form>
        })
    };
    view! { {triage_forms} {validation_form} }
}
