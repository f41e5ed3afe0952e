//! `/lapor/<ticket>`: the citizen's status page. No sign-in: it reads
//! `GET /api/v1/public/tickets/{ticket}`, which answers only what may be public (never the
//! reporter, the description, the address or the coordinates), and shows the LAKSA light
//! large, the way of the report (Diterima → Disposisi → Diproses → Selesai) with its
//! dates in the region's zone (WIB/WITA/WIT), the category, agency and kecamatan. `/lapor`
//! alone asks for a ticket number. Laid out for a phone first (375 px), centred on a desk.
//!
//! Its texts are here rather than in `i18n` because nothing else shows them and they are
//! many short sentences; they follow the same rule (Bahasa Indonesia first, `?lang=en`).

use crate::api::{self, Failure};
use crate::i18n::Lang;
use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

/// The path of the page.
pub const LAPOR_PATH: &str = "/lapor";

/// A name in both languages (as the server sends it).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Names {
    pub name_id: String,
    pub name_en: String,
}

impl Names {
    fn pick(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.name_id.clone(),
            Lang::En => self.name_en.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Region {
    pub name: String,
    pub zone_label: String,
    pub utc_offset_minutes: i32,
}

/// The public answer (the server's `http::public::PublicTicket`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PublicTicket {
    pub ticket: String,
    pub region: Region,
    pub category: Names,
    pub agency: Option<Names>,
    pub kecamatan: Option<String>,
    pub light: String,
    pub status: String,
    pub status_label: Names,
    pub step: u8,
    pub created_at: String,
    pub assigned_at: Option<String>,
    pub updated_at: String,
    pub resolved_at: Option<String>,
    pub merged_into: Option<String>,
    pub after_photo_url: Option<String>,
}

/// The text in `lang`.
fn tr(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// The ticket number in a `/lapor/<ticket>` path (upper-cased), or `None` for `/lapor`.
pub fn ticket_in_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix(LAPOR_PATH)?.trim_matches('/');
    (!rest.is_empty() && !rest.contains('/')).then(|| crate::url::decode(rest).trim().to_ascii_uppercase())
}

const MONTHS_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An RFC 3339 time in the region's zone: `1 Des 2026, 10.05 WIB` (`10:05` in English).
pub fn local_date(rfc3339: &str, region: &Region, lang: Lang) -> String {
    let Some(zone) = FixedOffset::east_opt(region.utc_offset_minutes * 60) else {
        return rfc3339.to_owned();
    };
    let Ok(t) = DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_owned();
    };
    let t = t.with_timezone(&zone);
    let month = t.month0() as usize;
    let (months, sep) = match lang {
        Lang::Id => (MONTHS_ID, '.'),
        Lang::En => (MONTHS_EN, ':'),
    };
    format!(
        "{} {} {}, {:02}{sep}{:02} {}",
        t.day(),
        months[month],
        t.year(),
        t.hour(),
        t.minute(),
        region.zone_label
    )
}

/// The four steps: label and the date the ticket reached it, if known.
fn steps(t: &PublicTicket, lang: Lang) -> [(&'static str, Option<String>); 4] {
    let date = |d: &Option<String>| d.as_deref().map(|d| local_date(d, &t.region, lang));
    [
        (
            tr(lang, "Diterima", "Received"),
            Some(local_date(&t.created_at, &t.region, lang)),
        ),
        (tr(lang, "Disposisi", "Forwarded"), date(&t.assigned_at)),
        (tr(lang, "Diproses", "In process"), None),
        (tr(lang, "Selesai", "Done"), date(&t.resolved_at)),
    ]
}

/// The light's one word.
fn light_word(light: &str, lang: Lang) -> &'static str {
    match light {
        "red" => tr(lang, "MENUNGGU", "WAITING"),
        "yellow" => tr(lang, "DIPROSES", "IN PROCESS"),
        "green" => tr(lang, "SELESAI", "DONE"),
        _ => tr(lang, "TIDAK DILANJUTKAN", "NOT PURSUED"),
    }
}

/// What the page is showing.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Loading,
    Found(Box<PublicTicket>),
    NotFound,
    Failed,
}

/// The link to this page in the other language.
fn other_lang_href(ticket: Option<&str>, lang: Lang) -> (String, Lang) {
    let other = match lang {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    let path = match ticket {
        Some(t) => format!("{LAPOR_PATH}/{t}"),
        None => LAPOR_PATH.to_owned(),
    };
    (format!("{path}?lang={}", other.code()), other)
}

#[component]
pub fn LaporPage(ticket: Option<String>, lang: Lang) -> impl IntoView {
    let (switch_href, other) = other_lang_href(ticket.as_deref(), lang);
    let body = match ticket {
        Some(id) => view! { <Status id lang /> }.into_any(),
        None => view! { <Ask lang /> }.into_any(),
    };
    view! {
        <div class="lapor" data-testid="lapor">
            <header class="lapor-top">
                <span class="logo">"PANTAU"</span>
                <span class="lapor-title">{tr(lang, "Cek status laporan", "Check your report")}</span>
                <a class="lang-switch" href=switch_href hreflang=other.code() lang=other.code() data-testid="lang-switch">
                    {tr(lang, "English", "Bahasa Indonesia")}
                </a>
            </header>
            {body}
            <footer class="lapor-foot">
                {tr(
                    lang,
                    "Halaman ini tidak menampilkan data pribadi pelapor.",
                    "This page never shows the reporter's personal data.",
                )}
            </footer>
        </div>
    }
}

/// `/lapor` without a number: a field for it.
#[component]
fn Ask(lang: Lang) -> impl IntoView {
    let number = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let id = number.get_untracked().trim().to_ascii_uppercase();
        if !id.is_empty() {
            api::go(&format!(
                "{LAPOR_PATH}/{}?lang={}",
                crate::url::encode(&id),
                lang.code()
            ));
        }
    };
    view! {
        <main class="lapor-card">
            <form class="lapor-ask" on:submit=submit>
                <label for="lapor-number">{tr(lang, "Nomor laporan", "Report number")}</label>
                <input id="lapor-number" data-testid="lapor-number" placeholder="TGR-000123" autocapitalize="characters"
                    spellcheck="false" required prop:value=number on:input=move |ev| number.set(event_target_value(&ev)) />
                <button type="submit" class="button primary">{tr(lang, "Cek", "Check")}</button>
            </form>
        </main>
    }
}

/// The status of ticket `id`, once loaded.
#[component]
fn Status(id: String, lang: Lang) -> impl IntoView {
    let shown = RwSignal::new(Shown::Loading);
    let path = format!("/api/v1/public/tickets/{}", crate::url::encode(&id));
    spawn_local(async move {
        let next = match api::get::<PublicTicket>(&path).await {
            Ok(t) => Shown::Found(Box::new(t)),
            Err(Failure::Status { status: 404 | 422, .. }) => Shown::NotFound,
            Err(_) => Shown::Failed,
        };
        shown.set(next);
    });
    move || {
        match shown.get() {
        Shown::Loading => view! { <main class="lapor-card"><p class="lapor-note">{tr(lang, "Memuat…", "Loading…")}</p></main> }
            .into_any(),
        Shown::NotFound => view! {
            <main class="lapor-card">
                <p class="lapor-note" data-testid="lapor-not-found">
                    {tr(lang, "Laporan dengan nomor ini tidak ditemukan.", "No report has this number.")}
                </p>
                <a class="button" href=format!("{LAPOR_PATH}?lang={}", lang.code())>{tr(lang, "Cek nomor lain", "Check another number")}</a>
            </main>
        }
        .into_any(),
        Shown::Failed => view! {
            <main class="lapor-card">
                <p class="lapor-note">{tr(lang, "Server tidak dapat dihubungi. Coba lagi nanti.", "Cannot reach the server. Try again later.")}</p>
            </main>
        }
        .into_any(),
        Shown::Found(t) => view! { <Found t=*t lang /> }.into_any(),
    }
    }
}

#[component]
fn Found(t: PublicTicket, lang: Lang) -> impl IntoView {
    let steps = steps(&t, lang);
    let step = t.step;
    let merged = t.merged_into.clone().map(|primary| {
        let href = format!("{LAPOR_PATH}/{primary}?lang={}", lang.code());
        view! {
            <p class="lapor-merged" data-testid="lapor-merged">
                {tr(lang, "Laporan ini digabung dengan laporan ", "This report was merged into report ")}
                <a href=href>{primary}</a>
                {tr(lang, ", yang menangani masalah yang sama.", ", which handles the same problem.")}
            </p>
        }
    });
    let photo = t.after_photo_url.clone().map(|src| {
        view! {
            <figure class="lapor-photo">
                <img src=src alt=tr(lang, "Foto sesudah ditangani", "Photo after the work") data-testid="lapor-photo" />
                <figcaption>{tr(lang, "Foto sesudah ditangani", "Photo after the work")}</figcaption>
            </figure>
        }
    });
    let fact = |label: &'static str, value: String, testid: &'static str| {
        view! { <div><dt>{label}</dt><dd data-testid=testid>{value}</dd></div> }
    };
    let agency = t
        .agency
        .as_ref()
        .map(|a| a.pick(lang))
        .unwrap_or_else(|| tr(lang, "Belum ditentukan", "Not yet decided").to_owned());
    let resolved = t.resolved_at.as_deref().map(|d| local_date(d, &t.region, lang));
    view! {
        <main class="lapor-card">
            <p class="lapor-region">{t.region.name.clone()}</p>
            <h1 class="lapor-ticket" data-testid="lapor-ticket">{t.ticket.clone()}</h1>
            <div class=format!("lapor-light light-{}", t.light) data-testid="lapor-light" data-light=t.light.clone() role="status">
                <span class="lamp" aria-hidden="true"></span>
                <div class="lapor-light-text">
                    <span class="lapor-light-word">{light_word(&t.light, lang)}</span>
                    <strong data-testid="lapor-status">{t.status_label.pick(lang)}</strong>
                </div>
            </div>
            {merged}
            <ol class="lapor-steps" data-testid="lapor-steps" hidden=step == 0>
                {steps
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, date))| {
                        let n = i as u8 + 1;
                        let state = if n < step || (n == step && n == 4) {
                            "done"
                        } else if n == step {
                            "current"
                        } else {
                            "todo"
                        };
                        let date = if n <= step { date } else { None };
                        view! {
                            <li class=state aria-current=(state == "current").then_some("step")>
                                <span class="dot" aria-hidden="true"></span>
                                <span class="step-label">{label}</span>
                                <span class="step-date">{date.unwrap_or_default()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <dl class="lapor-facts">
                {fact(tr(lang, "Kategori", "Category"), t.category.pick(lang), "lapor-category")}
                {fact(tr(lang, "Perangkat daerah", "Agency"), agency, "lapor-agency")}
                {t.kecamatan.clone().map(|k| fact(tr(lang, "Kecamatan", "District"), k, "lapor-kecamatan"))}
                {fact(tr(lang, "Dilaporkan", "Reported"), local_date(&t.created_at, &t.region, lang), "lapor-created")}
                {fact(tr(lang, "Terakhir diperbarui", "Last updated"), local_date(&t.updated_at, &t.region, lang), "lapor-updated")}
                {resolved.map(|d| fact(tr(lang, "Selesai", "Resolved"), d, "lapor-resolved"))}
            </dl>
            {photo}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> Region {
        Region {
            name: "Kota Tangerang".into(),
            zone_label: "WIB".into(),
            utc_offset_minutes: 420,
        }
    }

    /// The ticket number comes from the path, upper-cased; `/lapor` alone has none.
    #[test]
    fn ticket_from_the_path() {
        assert_eq!(ticket_in_path("/lapor/TGR-000123").as_deref(), Some("TGR-000123"));
        assert_eq!(ticket_in_path("/lapor/tgr-000123/").as_deref(), Some("TGR-000123"));
        assert_eq!(ticket_in_path("/lapor"), None);
        assert_eq!(ticket_in_path("/lapor/"), None);
        assert_eq!(ticket_in_path("/lapor/a/b"), None);
        assert_eq!(ticket_in_path("/kpi"), None);
    }

    /// Times are shown in the region's zone, with its label, in the page's language.
    #[test]
    fn dates_in_the_regions_zone() {
        let r = region();
        assert_eq!(
            local_date("2026-12-01T03:05:00.000Z", &r, Lang::Id),
            "1 Des 2026, 10.05 WIB"
        );
        assert_eq!(
            local_date("2026-12-01T20:00:00Z", &r, Lang::En),
            "2 Dec 2026, 03:00 WIB"
        );
        let wit = Region {
            zone_label: "WIT".into(),
            utc_offset_minutes: 540,
            ..r
        };
        assert_eq!(
            local_date("2026-08-17T00:00:00Z", &wit, Lang::Id),
            "17 Agu 2026, 09.00 WIT"
        );
        assert_eq!(local_date("not a date", &wit, Lang::Id), "not a date");
    }

    /// The language link keeps the ticket.
    #[test]
    fn language_link_keeps_the_ticket() {
        assert_eq!(
            other_lang_href(Some("TGR-000001"), Lang::Id),
            ("/lapor/TGR-000001?lang=en".into(), Lang::En)
        );
        assert_eq!(other_lang_href(None, Lang::En), ("/lapor?lang=id".into(), Lang::Id));
    }
}
