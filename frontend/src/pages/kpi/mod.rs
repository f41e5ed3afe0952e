//! `/kpi`: the executive view (executive, admin, superadmin; who may open it is settled
//! before it is mounted, in [`crate::app::start`], and the server checks every call). For
//! the person's tenant (a superadmin's `?tenant=`, else the first tenant), over
//! `?window=today|7d|30d`, in `?lang=`: tiles with the change against the previous period,
//! trend charts, a per-agency table sortable by any column, a kecamatan choropleth, the
//! breach forecast, and links to the CSV and GeoJSON exports. Refreshed every minute; laid
//! out for a screen and, by `assets/kpi.css`, for an A4 landscape print-out.
//!
//! - [`model`]: tiles and their changes, local dates (pure).
//! - [`charts`]: the trend charts (layout pure, drawn with [`crate::chart`]).
//! - [`table`]: the sortable agency table (sorting pure).
//! - [`choropleth`]: the kecamatan map (paths and shading pure).
//! - [`forecast`]: the breach forecast's words (agency names, time left).
//! - [`markup`]: tiles and forecast as HTML markup (why markup: see there).
//! - [`tenant`]: the tenant's name, zone, map and agency names.
//! - [`text`]: every string, Bahasa Indonesia first.

pub mod charts;
pub mod choropleth;
pub mod forecast;
pub mod markup;
pub mod model;
pub mod table;
pub mod tenant;
pub mod text;

use crate::api;
use crate::auth::{on_failure, KPI_PATH};
use crate::components::user_badge::sign_out;
use crate::i18n::{self, t, Lang, Text};
use crate::nav::query_param;
use crate::time::Zone;
use crate::url::encode;
use choropleth::KecamatanMap;
use forecast::agency_name;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{SessionInfo, TenantSummary};
use pantau_shared::protocol::TenantInfo;
use pantau_shared::stats::{BreakdownRow, Dimension, KpiReport, Window};
use table::{AgencyTable, TableRow};
use text::{tr, Key};

/// How often the numbers refresh, ms.
const REFRESH_MS: u32 = 60_000;

/// `/kpi?window=…` keeping the tenant (when named) and the language.
pub fn kpi_href(window: Window, tenant: Option<&str>, lang: Lang) -> String {
    let mut href = format!("{KPI_PATH}?window={window}");
    if let Some(tenant) = tenant {
        href.push_str(&format!("&tenant={}", encode(tenant)));
    }
    if lang == Lang::En {
        href.push_str("&lang=en");
    }
    href
}

/// `GET /api/v1/{tenant}/kpis?window=…&by=…`.
fn kpis_path(tenant: &str, window: Window, by: Dimension) -> String {
    format!("/api/v1/{}/kpis?window={window}&by={by}", encode(tenant))
}

/// The export link of `file` for the page's window: the KPI rows of the window by agency,
/// or the tickets reported from the window's first local day to its last (`from`/`to` are
/// local dates, `to` included), once the report says which days those are.
pub fn export_href(tenant: &str, file: &str, window: Window, range: Option<(i64, i64, i32)>) -> String {
    let base = format!("/api/v1/{}/export/{file}", encode(tenant));
    match (file, range) {
        ("kpis.csv", _) => format!("{base}?window={window}&by=agency"),
        (_, Some((from, to, offset))) => format!(
            "{base}?from={}&to={}",
            model::local_iso_date(from, offset),
            model::local_iso_date((to - 1).max(from), offset)
        ),
        _ => base,
    }
}

/// The rows of `report`'s breakdown (empty without one).
fn rows(report: &Option<KpiReport>) -> Vec<BreakdownRow> {
    report
        .as_ref()
        .and_then(|r| r.by.as_ref())
        .map(|b| b.rows.clone())
        .unwrap_or_default()
}

/// The page, for a person [`crate::auth::reads_kpis`] allows (checked by the caller).
#[component]
pub fn KpiPage(user: SessionInfo, lang: Lang) -> impl IntoView {
    let window = query_param("window")
        .and_then(|w| w.parse::<Window>().ok())
        .unwrap_or_default();
    let superadmin = user.tenant.is_none();
    // Only the superadmin chooses; anyone else sees their own tenant.
    let asked = query_param("tenant").filter(|_| superadmin);
    let tenant = RwSignal::new(user.tenant.clone().or(asked.clone()).unwrap_or_default());
    let summaries = RwSignal::new(Vec::<TenantSummary>::new());
    let info = RwSignal::new(None::<TenantInfo>);
    let report = RwSignal::new(None::<KpiReport>);
    let by_kecamatan = RwSignal::new(None::<KpiReport>);
    let failed = RwSignal::new(None::<&'static str>);

    spawn_local(async move {
        let list = tenant::tenants().await;
        if tenant.with_untracked(String::is_empty) {
            tenant.set(list.first().map(|t| t.id.clone()).unwrap_or_default());
        }
        summaries.set(list);
        let id = tenant.get_untracked();
        if id.is_empty() {
            return;
        }
        let of = id.clone();
        spawn_local(async move { info.set(tenant::tenant_info(&of).await) });
        loop {
            let agency = api::get::<KpiReport>(&kpis_path(&id, window, Dimension::Agency)).await;
            let kecamatan = api::get::<KpiReport>(&kpis_path(&id, window, Dimension::Kecamatan)).await;
            match (agency, kecamatan) {
                (Ok(a), Ok(k)) => {
                    report.set(Some(a));
                    by_kecamatan.set(Some(k));
                    failed.set(None);
                }
                (Err(e), _) | (_, Err(e)) => failed.set(on_failure(&e, lang)),
            }
            api::sleep(REFRESH_MS).await;
        }
    });

    let zone = Memo::new(move |_| {
        let id = tenant.get();
        let offset = report.with(|r| r.as_ref().map(|r| r.utc_offset_minutes));
        let summary = summaries.with(|s| s.iter().find(|t| t.id == id).cloned());
        Zone {
            offset_minutes: offset
                .or(summary.as_ref().and_then(|s| s.utc_offset_minutes))
                .unwrap_or(420),
            label: summary.and_then(|s| s.zone_label).unwrap_or_default(),
        }
    });
    let tenant_name = move || {
        let id = tenant.get();
        summaries.with(|s| s.iter().find(|t| t.id == id).map_or(id.clone(), |t| t.name.clone()))
    };
    let names = Memo::new(move |_| {
        info.with(|i| {
            i.as_ref().map_or_else(Vec::new, |i| {
                i.agencies
                    .iter()
                    .map(|a| {
                        let name = match lang {
                            Lang::Id => a.name_id.clone(),
                            Lang::En => a.name_en.clone(),
                        };
                        (a.code.clone(), name)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let table_rows = Memo::new(move |_| {
        names.with(|names| {
            report.with(|r| {
                rows(r)
                    .iter()
                    .map(|row| TableRow::of(row, agency_name(&row.key, names, lang)))
                    .collect::<Vec<_>>()
            })
        })
    });
    let kecamatan_rows = Memo::new(move |_| by_kecamatan.with(rows));
    let geo_url = Signal::derive(move || info.with(|i| i.as_ref().map(|i| i.geo.kecamatan.clone())));

    let period = move || {
        report.with(|r| {
            r.as_ref().map(|r| {
                let z = zone.get();
                format!(
                    "{} · {} {}",
                    model::period(r.from_ms, r.to_ms, z.offset_minutes),
                    tr(lang, Key::Updated),
                    z.time_of_day(r.server_time as f64)
                )
            })
        })
    };
    let previous = move || {
        report.with(|r| {
            r.as_ref().map(|r| {
                format!(
                    "{} ({})",
                    tr(lang, Key::VsPrevious),
                    model::period(r.previous_from_ms, r.from_ms, zone.get().offset_minutes)
                )
            })
        })
    };
    // The report's static parts, as markup (see `markup`): redrawn whole with each report.
    let tiles = move || {
        report.with(|r| {
            r.as_ref().map_or_else(String::new, |r| {
                markup::tiles(&model::tiles(&r.totals, &r.previous, lang), lang)
            })
        })
    };
    let charts = move || report.with(|r| r.as_ref().map_or_else(String::new, |r| charts::charts(r, lang)));
    let forecast = move || {
        report.with(|r| {
            r.as_ref().map_or_else(String::new, |r| {
                names.with(|n| markup::forecast(&r.forecast, n, &zone.get(), lang))
            })
        })
    };

    let tab = |w: Window, key: Key| {
        let current = (w == window).then_some("page");
        let href = kpi_href(w, asked.as_deref(), lang);
        view! { <a class="tab" href=href aria-current=current data-testid=format!("window-{w}")>{tr(lang, key)}</a> }
    };
    let other_lang = match lang {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    let lang_href = kpi_href(window, asked.as_deref(), other_lang);
    let export = move |file: &'static str, key: Key| {
        let href = move || {
            let range = report.with(|r| r.as_ref().map(|r| (r.from_ms, r.to_ms, r.utc_offset_minutes)));
            export_href(&tenant.get(), file, window, range)
        };
        view! { <li><a href=href download="" data-testid=format!("export-{file}")>{tr(lang, key)}</a></li> }
    };
    let csrf = user.csrf.clone();
    // The superadmin's tenant picker: another tenant is another URL.
    let picker = superadmin.then(|| {
        let options = move || {
            let chosen = tenant.get();
            summaries
                .get()
                .into_iter()
                .map(|s| {
                    let selected = s.id == chosen;
                    view! { <option value=s.id selected=selected>{s.name}</option> }
                })
                .collect_view()
        };
        view! {
            <label class="inline-field no-print">
                <span>{tr(lang, Key::Region)}</span>
                <select data-testid="kpi-tenant-picker" on:change=move |ev| {
                    api::go(&kpi_href(window, Some(&event_target_value(&ev)), lang));
                }>{options}</select>
            </label>
        }
    });

    view! {
        <div class="page kpi-page" data-testid="kpi-page" data-window=window.as_str()>
            <header class="kpi-header">
                <span class="logo">"PANTAU"</span>
                <div class="kpi-title">
                    <h1>{tr(lang, Key::Title)}" — "<span data-testid="kpi-tenant">{tenant_name}</span></h1>
                    <p class="kpi-period" data-testid="kpi-period">{period}</p>
                </div>
                {picker}
                <nav class="tabs no-print" aria-label=tr(lang, Key::Period)>
                    {tab(Window::Today, Key::Today)}
                    {tab(Window::Days7, Key::Days7)}
                    {tab(Window::Days30, Key::Days30)}
                </nav>
                <div class="kpi-actions no-print">
                    <a class="lang-switch" href=lang_href>{t(lang, Text::OtherLanguage)}</a>
                    <button type="button" class="button" data-testid="print" on:click=move |_| {
                        if let Some(w) = web_sys::window() {
                            let _ = w.print();
                        }
                    }>{tr(lang, Key::Print)}</button>
                    <a class="button" href="/">{t(lang, Text::BackToWall)}</a>
                    <span class="admin-user" data-testid="user-name">{user.name.clone()}" · "{i18n::role(lang, &user.role)}</span>
                    <button type="button" class="button" on:click=move |_| sign_out(csrf.clone())>{t(lang, Text::SignOut)}</button>
                </div>
            </header>
            <main class="kpi-main">
                <p class="kpi-status" role="status" data-testid="kpi-status" hidden=move || report.with(Option::is_some) && failed.get().is_none()>
                    {move || failed.get().unwrap_or(tr(lang, Key::Loading))}
                </p>
                <p class="kpi-compare">{previous}</p>
                <section class="kpi-tiles" data-testid="kpi-tiles" inner_html=tiles></section>
                <section class="kpi-charts" inner_html=charts></section>
                <div class="kpi-row">
                    <AgencyTable rows=table_rows lang />
                    <KecamatanMap geo_url rows=kecamatan_rows lang />
                </div>
                <div class="kpi-row kpi-last">
                    <section class="kpi-card kpi-forecast" data-testid="forecast" inner_html=forecast></section>
                    <section class="kpi-card kpi-downloads no-print">
                        <h2>{tr(lang, Key::Downloads)}</h2>
                        <ul>
                            {export("tickets.csv", Key::TicketsCsv)}
                            {export("kpis.csv", Key::KpisCsv)}
                            {export("tickets.geojson", Key::TicketsGeojson)}
                        </ul>
                    </section>
                </div>
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Window links keep the named tenant and English; Bahasa is the default and unnamed.
    #[test]
    fn window_links() {
        assert_eq!(kpi_href(Window::Days7, None, Lang::Id), "/kpi?window=7d");
        assert_eq!(
            kpi_href(Window::Today, Some("banjar"), Lang::En),
            "/kpi?window=today&tenant=banjar&lang=en"
        );
        assert_eq!(
            kpis_path("tangerang", Window::Days30, Dimension::Kecamatan),
            "/api/v1/tangerang/kpis?window=30d&by=kecamatan"
        );
    }

    /// Export links follow the window: the KPI rows by agency, the tickets of its local days.
    #[test]
    fn export_links() {
        let midnight = 1_795_453_200_000; // 2026-11-24 00:00 WIB
        let week = Some((midnight - 6 * 86_400_000, midnight + 3_600_000, 420));
        assert_eq!(
            export_href("tangerang", "tickets.csv", Window::Days7, week),
            "/api/v1/tangerang/export/tickets.csv?from=2026-11-18&to=2026-11-24"
        );
        assert_eq!(
            export_href("tangerang", "kpis.csv", Window::Days7, week),
            "/api/v1/tangerang/export/kpis.csv?window=7d&by=agency"
        );
        assert_eq!(
            export_href("banjar", "tickets.geojson", Window::Today, None),
            "/api/v1/banjar/export/tickets.geojson"
        );
    }
}
