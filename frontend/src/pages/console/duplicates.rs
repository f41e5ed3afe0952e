//! The drawer's duplicates section (issue 18): ten citizens reporting the same pile of
//! rubbish are one job.
//!
//! - an open ticket lists its possible duplicates (`GET …/tickets/{id}/duplicates`: same or
//!   related category, close by, reported around the same time) with distance, age and
//!   status, each with "Gabungkan ke tiket ini" — the candidate is merged into the ticket in
//!   the drawer (`POST …/tickets/{candidate}/merge`, the candidate's version as seen);
//! - a ticket that took duplicates lists them (each opens in the drawer) and its reporters;
//! - a merged ticket says where it went ("Digabung ke TGR-x") and offers "Pisahkan".
//!
//! Everyone who works in the console may merge (operators and up; the server decides again).
//! A refused merge (409: the candidate moved on, or the merge is not allowed now) says why
//! and reloads the candidates.

use super::Console;
use crate::api::{self, Failure, Method};
use crate::auth::signin_href;
use crate::i18n::{self, Lang};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::event::TicketStatus;
use serde::Deserialize;
use serde_json::{json, Value};

/// One candidate as `GET …/duplicates` lists it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CandidateRow {
    pub ticket: String,
    pub distance_m: f64,
    pub category: String,
    pub status: TicketStatus,
    pub created_at: String,
    pub version: u64,
    #[serde(default)]
    pub description: String,
    #[serde(default = "one")]
    pub reporters: u32,
}

fn one() -> u32 {
    1
}

/// The body of `GET …/duplicates`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Reply {
    candidates: Vec<CandidateRow>,
}

/// `id` or `en` by language.
fn say(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En {
        en
    } else {
        id
    }
}

/// `/api/v1/{tenant}/tickets/{ticket}/{tail}`.
fn ticket_path(tenant: &str, ticket: &str, tail: &str) -> String {
    format!(
        "/api/v1/{}/tickets/{}/{tail}",
        crate::url::encode(tenant),
        crate::url::encode(ticket)
    )
}

/// The body merging a ticket seen at `version` into `into`.
pub fn merge_body(into: &str, version: u64) -> Value {
    json!({ "into": into, "expected_version": version })
}

/// A distance for the list: `35 m`, `1,2 km`.
pub fn distance_label(m: f64) -> String {
    if m < 1000.0 {
        format!("{} m", m.round() as i64)
    } else {
        format!("{:.1} km", m / 1000.0).replace('.', ",")
    }
}

/// How long ago, coarse: `12 mnt`, `3 j`, `2 h` (Indonesian) / `12 min`, `3 h`, `2 d`.
pub fn age_label(lang: Lang, ago_ms: f64) -> String {
    let minutes = (ago_ms / 60_000.0).max(0.0).floor() as i64;
    let (n, unit) = if minutes < 60 {
        (minutes, say(lang, "mnt", "min"))
    } else if minutes < 48 * 60 {
        (minutes / 60, say(lang, "j", "h"))
    } else {
        (minutes / (24 * 60), say(lang, "h", "d"))
    };
    format!("{n} {unit}")
}

/// What a refusal means, in a line.
fn refusal(lang: Lang, code: &str) -> &'static str {
    match code {
        "version_conflict" => say(
            lang,
            "Tiket berubah sejak dilihat; daftar dimuat ulang.",
            "The ticket changed since you saw it; list reloaded.",
        ),
        "merge_cycle" => say(
            lang,
            "Tidak bisa: tiket itu sudah digabung ke tiket ini.",
            "Not possible: that ticket is merged into this one.",
        ),
        "not_mergeable" | "invalid_transition" => say(
            lang,
            "Tidak bisa digabung: tiket tidak terbuka lagi.",
            "Cannot merge: the ticket is no longer open.",
        ),
        "primary_merged" => say(lang, "Pisahkan dulu tiket induknya.", "Unmerge its primary first."),
        "not_merged" => say(lang, "Tiket ini tidak digabung.", "This ticket is not merged."),
        _ => say(lang, "Gagal. Coba lagi.", "Failed. Try again."),
    }
}

#[component]
pub fn Duplicates(c: Console, id: String) -> impl IntoView {
    let lang = c.lang;
    let id = StoredValue::new(id);
    let ticket = Memo::new(move |_| {
        c.state
            .board
            .with(|b| id.with_value(|i| b.get(i).map(|e| e.ticket.clone())))
    });
    // Reload when the ticket changes or its duplicates do (a merge is not its own version).
    let seen = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| (t.version, t.reporters(), t.status))));
    let found = RwSignal::new(None::<Vec<CandidateRow>>);
    let notice = RwSignal::new(None::<(bool, String)>);
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        reload.track();
        let Some((_, _, status)) = seen.get() else { return };
        if !status.is_open() {
            found.set(None);
            return;
        }
        let path = ticket_path(&c.tenant.get_value(), &id.get_value(), "duplicates");
        spawn_local(async move {
            if let Ok(r) = api::get::<Reply>(&path).await {
                found.set(Some(r.candidates));
            }
        });
    });

    let post = move |path: String, body: Value| {
        spawn_local(async move {
            let answer =
                api::send::<_, serde_json::Value>(Method::Post, &path, Some(&body), Some(&c.csrf.get_value())).await;
            match answer {
                Ok(_) => notice.set(Some((true, say(lang, "Terkirim.", "Sent.").to_owned()))),
                Err(Failure::Status { status: 401, .. }) => api::go(&signin_href(&api::here(), lang)),
                Err(Failure::Status { status: 403, .. }) => {
                    notice.set(Some((false, say(lang, "Tidak diizinkan.", "Not allowed.").to_owned())))
                }
                Err(Failure::Status { code, .. }) => notice.set(Some((false, refusal(lang, &code).to_owned()))),
                Err(Failure::Network) => notice.set(Some((false, refusal(lang, "").to_owned()))),
            }
            reload.update(|n| *n += 1);
        });
    };
    let merge = move |candidate: CandidateRow| {
        // The version the console holds now (live), else the one the list was read at.
        let version = c
            .state
            .board
            .with_untracked(|b| b.get(&candidate.ticket).map(|e| e.ticket.version))
            .unwrap_or(candidate.version);
        let path = ticket_path(&c.tenant.get_value(), &candidate.ticket, "merge");
        post(path, merge_body(&id.get_value(), version));
    };
    let unmerge = move |_| {
        let Some(t) = ticket.get_untracked() else { return };
        let path = ticket_path(&c.tenant.get_value(), &t.id, "unmerge");
        post(path, json!({ "expected_version": t.version }));
    };
    let open_ticket = move |other: String| c.selected.set(Some(other));

    let merged_into = move || {
        ticket.with(|t| t.as_ref().and_then(|t| t.merged_into.clone())).map(|primary| {
            let target = primary.clone();
            view! {
                <p class="merged-into" data-testid="merged-into">
                    {say(lang, "Digabung ke ", "Merged into ")}
                    <button type="button" class="link" on:click=move |_| open_ticket(target.clone())>{primary.clone()}</button>
                    " "
                    <button type="button" class="button secondary" data-testid="unmerge" on:click=unmerge>
                        {say(lang, "Pisahkan", "Unmerge")}
                    </button>
                </p>
            }
        })
    };
    let taken = move || {
        ticket.with(|t| t.as_ref().filter(|t| !t.duplicates.is_empty()).cloned()).map(|t| {
            view! {
                <div class="merged-list" data-testid="merged-duplicates">
                    <p>{say(lang, "Pelapor: ", "Reporters: ")}<strong data-testid="reporters">{t.reporters()}</strong></p>
                    <ul>
                        {t.duplicates.iter().map(|d| {
                            let other = d.ticket.clone();
                            view! {
                                <li data-testid="merged-duplicate" data-ticket=d.ticket.clone()>
                                    {say(lang, "digabung: ", "merged: ")}
                                    <button type="button" class="link" on:click=move |_| open_ticket(other.clone())>{d.ticket.clone()}</button>
                                    {(d.reporters > 1).then(|| format!(" ×{}", d.reporters))}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    let list = move || {
        found.get().map(|rows| {
            if rows.is_empty() {
                return view! { <p class="empty" data-testid="no-duplicates">{say(lang, "Tidak ada.", "None.")}</p> }.into_any();
            }
            view! {
                <ul class="candidates">
                    {rows.into_iter().map(|row| {
                        let ago = time_ago(c, lang, &row.created_at);
                        let dist = distance_label(row.distance_m);
                        let status = i18n::status(lang, row.status);
                        let badge = (row.reporters > 1).then(|| view! { <span class="reporters-badge">{format!("×{}", row.reporters)}</span> });
                        let picked = row.clone();
                        view! {
                            <li data-testid="duplicate-candidate" data-ticket=row.ticket.clone()>
                                <button type="button" class="link" on:click={
                                    let other = row.ticket.clone();
                                    move |_| open_ticket(other.clone())
                                }>{row.ticket.clone()}</button>
                                {badge}
                                <span class="candidate-meta">" · "{dist}" · "{ago}" · "{status}" · "{i18n::category(lang, &row.category)}</span>
                                <span class="candidate-desc">{row.description.clone()}</span>
                                <button type="button" class="button secondary" data-testid="merge-candidate" on:click=move |_| merge(picked.clone())>
                                    {say(lang, "Gabungkan ke tiket ini", "Merge into this")}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any()
        })
    };
    view! {
        // Nothing to say about a closed ticket that never took duplicates.
        <section class="duplicates" data-testid="duplicates" hidden=move || {
            ticket.with(|t| t.as_ref().is_none_or(|t| !t.status.is_open() && t.merged_into.is_none() && t.duplicates.is_empty()))
        }>
            <h3>{say(lang, "Kemungkinan duplikat", "Possible duplicates")}</h3>
            {merged_into}
            {taken}
            {list}
            <p class=move || match notice.get() { Some((true, _)) => "notice ok", Some((false, _)) => "notice bad", None => "notice" }
                role="status" data-testid="duplicates-notice">{move || notice.get().map(|(_, s)| s)}</p>
        </section>
    }
}

/// How long ago `at` was, by the server's clock.
fn time_ago(c: Console, lang: Lang, at: &str) -> String {
    crate::time::parse_ms(at)
        .map(|ms| age_label(lang, c.now.get_untracked() - ms))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merge body names the primary and carries the version seen.
    #[test]
    fn merge_body_carries_the_version() {
        assert_eq!(merge_body("TGR-1", 3), json!({"into": "TGR-1", "expected_version": 3}));
    }

    /// Distances and ages read short, in the person's language.
    #[test]
    fn labels() {
        assert_eq!(distance_label(34.6), "35 m");
        assert_eq!(distance_label(1234.0), "1,2 km");
        assert_eq!(age_label(Lang::Id, 5.0 * 60_000.0), "5 mnt");
        assert_eq!(age_label(Lang::En, 3.0 * 3_600_000.0), "3 h");
        assert_eq!(age_label(Lang::Id, 72.0 * 3_600_000.0), "3 h");
        assert_eq!(age_label(Lang::En, -1.0), "0 min");
    }
}
