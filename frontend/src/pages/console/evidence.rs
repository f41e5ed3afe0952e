//! The drawer's photo evidence (issue 18): the ticket's photos as thumbnails linking to the
//! originals, each with its stage (citizen report, progress, after) and a visible ⚠ line
//! when the server's evidence check flagged it (taken before the report, too far from the
//! place, no EXIF time or position) — flagged photos are kept, never hidden; and the upload
//! form (a file and a stage), offered to everyone on the console: every console role
//! (operator and up) may upload.
//!
//! The list follows the live ticket (`ticket.media_added` arrives over the socket like any
//! event). The upload is a `multipart/form-data` POST built by the browser from the form
//! (`FormData`), with the session's CSRF header; a refusal shows the server's message (too
//! big, not a photo, an after photo needed, …).

use super::Console;
use crate::i18n::Lang;
use crate::time;
use leptos::html::Form;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{ApiError, CSRF_HEADER};
use pantau_shared::event::{Media, MediaStage};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Indonesian or English.
fn t(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Id {
        id
    } else {
        en
    }
}

/// A stage's name.
fn stage_label(lang: Lang, stage: MediaStage) -> &'static str {
    match stage {
        MediaStage::Report => t(lang, "Foto laporan warga", "Citizen's report photo"),
        MediaStage::Progress => t(lang, "Foto proses", "Work in progress"),
        MediaStage::After => t(lang, "Foto sesudah (selesai)", "After (completed)"),
    }
}

/// What a flag means, for people.
fn flag_label(lang: Lang, flag: &str) -> String {
    match flag {
        "taken_before_report" => t(lang, "diambil sebelum laporan masuk", "taken before the report"),
        "too_far" => t(
            lang,
            "diambil jauh dari lokasi laporan",
            "taken far from the reported place",
        ),
        "no_exif_time" => t(lang, "tanpa waktu pengambilan (EXIF)", "no capture time (EXIF)"),
        "no_exif_position" => t(lang, "tanpa lokasi GPS (EXIF)", "no GPS position (EXIF)"),
        other => return other.to_owned(),
    }
    .to_owned()
}

#[component]
pub fn Evidence(c: Console, id: String) -> impl IntoView {
    let lang = c.lang;
    let key = StoredValue::new(id);
    let media = Memo::new(move |_| {
        c.state.board.with(|b| {
            key.with_value(|i| b.get(i).map(|e| e.ticket.media.clone()))
                .unwrap_or_default()
        })
    });
    let form = NodeRef::<Form>::new();
    let busy = RwSignal::new(false);
    // The last upload's outcome: (accepted, message).
    let outcome = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(element) = form.get() else {
            return;
        };
        let path = format!(
            "/api/v1/{}/tickets/{}/media",
            crate::url::encode(&c.tenant.get_value()),
            crate::url::encode(&key.get_value())
        );
        let csrf = c.csrf.get_value();
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = upload(&path, &element, &csrf).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    element.reset();
                    outcome.set(Some((true, t(lang, "Foto diunggah.", "Photo uploaded.").to_owned())));
                }
                Err(message) => outcome.set(Some((false, message))),
            }
        });
    };
    view! {
        <section class="evidence" data-testid="evidence">
            <h3>{t(lang, "Foto bukti", "Photo evidence")}</h3>
            <Show when=move || media.with(|m| !m.is_empty())
                fallback=move || view! { <p class="evidence-none">{t(lang, "Belum ada foto.", "No photos yet.")}</p> }>
                <ul class="evidence-list">
                    {move || media.get().into_iter().map(|m| view! { <Photo c m /> }).collect_view()}
                </ul>
            </Show>
            <form node_ref=form class="evidence-upload" data-testid="evidence-upload" on:submit=submit>
                <label class="field">
                    <span>{t(lang, "Foto (JPEG, PNG, WebP)", "Photo (JPEG, PNG, WebP)")}</span>
                    <input type="file" name="photo" accept="image/jpeg,image/png,image/webp" required=true data-testid="evidence-file" />
                </label>
                <label class="field">
                    <span>{t(lang, "Tahap", "Stage")}</span>
                    <select name="stage" data-testid="evidence-stage">
                        <option value="progress" selected=true>{stage_label(lang, MediaStage::Progress)}</option>
                        <option value="after">{stage_label(lang, MediaStage::After)}</option>
                        <option value="report">{stage_label(lang, MediaStage::Report)}</option>
                    </select>
                </label>
                <button type="submit" class="button" data-testid="evidence-submit" disabled=move || busy.get()>
                    {t(lang, "Unggah foto", "Upload photo")}
                </button>
                {move || outcome.get().map(|(ok, message)| view! {
                    <p class="evidence-outcome" class:error=!ok role="status" data-testid="evidence-outcome">{message}</p>
                })}
            </form>
        </section>
    }
}

/// One photo: its thumbnail (linking to the original), stage, time taken, and flags.
#[component]
fn Photo(c: Console, m: Media) -> impl IntoView {
    let lang = c.lang;
    let stage = stage_label(lang, m.stage);
    let taken = m.taken_at.as_deref().and_then(time::parse_ms).map(|ms| {
        // The day and the time on the tenant's clock.
        let (offset, clock) = c.zone.with_untracked(|z| {
            z.as_ref()
                .map(|z| (z.offset_minutes, z.time_of_day(ms)))
                .unwrap_or_default()
        });
        let local = ms as i64 + i64::from(offset) * 60_000;
        let day = chrono::DateTime::from_timestamp_millis(local)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        format!("{} {day} {clock}", t(lang, "diambil", "taken"))
    });
    let flags = (!m.flags.is_empty()).then(|| {
        let text = m
            .flags
            .iter()
            .map(|f| flag_label(lang, f))
            .collect::<Vec<_>>()
            .join("; ");
        view! { <p class="evidence-flag" data-testid="evidence-flag">"⚠ "{text}</p> }
    });
    let thumb = m.thumb_url.clone().unwrap_or_else(|| m.url.clone());
    let stage_attr = match m.stage {
        MediaStage::Report => "report",
        MediaStage::Progress => "progress",
        MediaStage::After => "after",
    };
    view! {
        <li class="evidence-item" data-testid="evidence-item" data-stage=stage_attr data-flagged=(!m.flags.is_empty()).to_string()>
            <a href=m.url.clone() target="_blank" rel="noopener noreferrer">
                <img src=thumb alt=stage loading="lazy" width="160" />
            </a>
            <span class="evidence-stage">{stage}</span>
            {taken.map(|text| view! { <span class="evidence-taken">{text}</span> })}
            {flags}
        </li>
    }
}

/// POST the form as `multipart/form-data` with the CSRF header; the server's message on a
/// refusal.
async fn upload(path: &str, form: &web_sys::HtmlFormElement, csrf: &str) -> Result<(), String> {
    let failed = |_| "—".to_owned();
    let data = web_sys::FormData::new_with_form(form).map_err(failed)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&data);
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(failed)?;
    request.headers().set(CSRF_HEADER, csrf).map_err(failed)?;
    let window = web_sys::window().ok_or("—")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    if response.ok() {
        return Ok(());
    }
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_string()),
        Err(_) => None,
    };
    Err(text
        .and_then(|t| serde_json::from_str::<ApiError>(&t).ok())
        .map(|e| e.error.message)
        .unwrap_or_else(|| format!("HTTP {status}")))
}
