//! Exports for spreadsheets and GIS (executives and admins: `Action::Export`):
//!
//! - `GET /api/v1/{tenant}/export/tickets.csv?from=&to=&agency=`: one row per ticket
//!   reported in `[from, to)` (UTF-8 with a BOM so Excel reads it right);
//! - `GET /api/v1/{tenant}/export/tickets.geojson?from=&to=&agency=`: the same tickets as a
//!   GeoJSON FeatureCollection of Points (for QGIS);
//! - `GET /api/v1/{tenant}/export/kpis.csv?window=&by=`: the KPI report's rows (totals and
//!   breakdown, current and previous period).
//!
//! `from`/`to` are a local date (`2026-12-01`: `to` includes that whole day) or an RFC 3339
//! instant; a bad one is a 422 naming it. The ticket exports are streamed: the matching ids
//! are collected under the read lock, then rows are rendered [`CHUNK`] at a time, each chunk
//! under its own short read lock, so a 100,000-ticket export never holds its whole body in
//! memory (a ticket gone or changed between chunks is written as it is then, or skipped).

mod rows;

use super::extract::{PathTenant, Query};
use super::kpis::{kpi_report, KpiParams};
use crate::error::AppError;
use crate::live::LiveTenant;
use crate::state::AppState;
use crate::tenant::Tenant;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::stream::{self, StreamExt};
use pantau_shared::kpi::day_start_ms;
use pantau_shared::stats::KpiReport;
use pantau_shared::ticket::Ticket;
use rows::{kpi_record, ticket_feature, ticket_record, KpiRow, Zone, KPI_COLUMNS, TICKET_COLUMNS};
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;

/// Tickets rendered per chunk (and per read lock).
pub const CHUNK: usize = 500;

const BOM: &str = "\u{feff}";

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/{tenant}/export/tickets.csv", get(export_tickets_csv))
        .route("/api/v1/{tenant}/export/tickets.geojson", get(export_tickets_geojson))
        .route("/api/v1/{tenant}/export/kpis.csv", get(export_kpis_csv))
}

/// Query string of the ticket exports.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TicketParams {
    from: Option<String>,
    to: Option<String>,
    agency: Option<String>,
}

/// `from`/`to` as Unix ms: a local date (its midnight; for `to`, the next midnight) or an
/// RFC 3339 instant.
fn bound(field: &str, value: Option<&str>, offset_minutes: i32, end: bool) -> Result<Option<i64>, AppError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(instant.timestamp_millis()));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| AppError::InvalidField {
        field: field.into(),
        message: format!("{field} must be a date (YYYY-MM-DD) or an RFC 3339 instant, not {value:?}"),
    })?;
    let noon = date.and_hms_opt(12, 0, 0).map(|d| d.and_utc().timestamp_millis());
    let start = noon.map(|ms| day_start_ms(ms - i64::from(offset_minutes) * 60_000, offset_minutes));
    Ok(start.map(|s| if end { s + 86_400_000 } else { s }))
}

/// Ids of the tenant's tickets matching `params`, oldest report first.
fn select(live: &LiveTenant, tenant: &Tenant, params: &TicketParams) -> Result<Vec<String>, AppError> {
    let from = bound("from", params.from.as_deref(), tenant.utc_offset_minutes, false)?;
    let to = bound("to", params.to.as_deref(), tenant.utc_offset_minutes, true)?;
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            return Err(AppError::InvalidField {
                field: "to".into(),
                message: "to must be after from".into(),
            });
        }
    }
    let agency = params.agency.as_deref().filter(|a| !a.is_empty());
    let projection = live.read();
    let mut picked: Vec<(i64, &str)> = projection
        .tickets()
        .filter(|t| agency.is_none_or(|a| t.agency.as_deref() == Some(a)))
        .filter_map(|t| {
            let created = DateTime::parse_from_rfc3339(&t.created_at).ok()?.timestamp_millis();
            let inside = from.is_none_or(|f| created >= f) && to.is_none_or(|t| created < t);
            inside.then_some((created, t.id.as_str()))
        })
        .collect();
    picked.sort_unstable();
    Ok(picked.into_iter().map(|(_, id)| id.to_owned()).collect())
}

/// A streamed body: `head`, then each chunk of `ids` rendered by `render` (given the
/// tickets still present, and whether nothing was written before), then `tail`.
fn streamed<F>(live: Arc<LiveTenant>, ids: Vec<String>, head: Vec<u8>, tail: &'static str, mut render: F) -> Body
where
    F: FnMut(&[&Ticket], bool) -> Vec<u8> + Send + 'static,
{
    let mut chunks: Vec<Vec<String>> = Vec::with_capacity(ids.len() / CHUNK + 1);
    let mut rest = ids.into_iter();
    loop {
        let chunk: Vec<String> = rest.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let mut first = true;
    let body = stream::iter(chunks).map(move |chunk| {
        let projection = live.read();
        let tickets: Vec<&Ticket> = chunk.iter().filter_map(|id| projection.ticket(id)).collect();
        let bytes = render(&tickets, first);
        first &= tickets.is_empty();
        Ok::<_, Infallible>(Bytes::from(bytes))
    });
    let head = stream::once(async move { Ok::<_, Infallible>(Bytes::from(head)) });
    let tail = stream::once(async move { Ok::<_, Infallible>(Bytes::from_static(tail.as_bytes())) });
    Body::from_stream(head.chain(body).chain(tail))
}

/// CSV records (no header) as bytes.
fn csv_bytes(records: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for r in records {
        if let Err(e) = w.write_record(&r) {
            tracing::error!(error = %e, "csv record not written");
        }
    }
    w.into_inner().unwrap_or_else(|e| {
        tracing::error!(error = %e, "csv buffer not flushed");
        Vec::new()
    })
}

/// The response headers of a download named `name`.
fn download(content_type: &'static str, name: String, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `{tenant}-{what}-{local date}.{ext}`.
fn file_name(tenant: &Tenant, what: &str, ext: &str) -> String {
    let now = Zone::east(tenant.utc_offset_minutes).local(Utc::now());
    format!("{}-{what}-{}.{ext}", tenant.id, &now[..10])
}

#[utoipa::path(get, path = "/api/v1/{tenant}/export/tickets.csv", tag = "reports",
    params(super::openapi::schemas::TenantPath, TicketParams),
    responses(
        (status = 200, description = "The tickets, streamed (a download)", body = String, content_type = "text/csv"),
        (status = 422, description = "`invalid_field`: a bad `from` or `to`", body = super::openapi::schemas::ErrorBody),
    ))]
async fn export_tickets_csv(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<TicketParams>,
) -> Result<Response, AppError> {
    let live = state.live_handle(&tenant).clone();
    let ids = select(&live, &tenant, &params)?;
    let zone = Zone::east(tenant.utc_offset_minutes);
    let now = Utc::now();
    let mut head = BOM.as_bytes().to_vec();
    head.extend(csv_bytes([TICKET_COLUMNS.map(str::to_owned).to_vec()]));
    let body = streamed(live, ids, head, "", move |tickets, _| {
        csv_bytes(tickets.iter().map(|t| ticket_record(t, zone, now)))
    });
    Ok(download(
        "text/csv; charset=utf-8",
        file_name(&tenant, "tickets", "csv"),
        body,
    ))
}

#[utoipa::path(get, path = "/api/v1/{tenant}/export/tickets.geojson", tag = "reports",
    params(super::openapi::schemas::TenantPath, TicketParams),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection, streamed (a download)", body = Object, content_type = "application/geo+json"),
        (status = 422, description = "`invalid_field`: a bad `from` or `to`", body = super::openapi::schemas::ErrorBody),
    ))]
async fn export_tickets_geojson(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<TicketParams>,
) -> Result<Response, AppError> {
    let live = state.live_handle(&tenant).clone();
    let ids = select(&live, &tenant, &params)?;
    let zone = Zone::east(tenant.utc_offset_minutes);
    let now = Utc::now();
    let head = br#"{"type":"FeatureCollection","features":["#.to_vec();
    let body = streamed(live, ids, head, "]}\n", move |tickets, first| {
        let mut out = Vec::new();
        for (i, t) in tickets.iter().enumerate() {
            if !(first && i == 0) {
                out.push(b',');
            }
            out.push(b'\n');
            if let Err(e) = serde_json::to_writer(&mut out, &ticket_feature(t, zone, now)) {
                tracing::error!(error = %e, "feature not written");
            }
        }
        out
    });
    Ok(download(
        "application/geo+json",
        file_name(&tenant, "tickets", "geojson"),
        body,
    ))
}

#[utoipa::path(get, path = "/api/v1/{tenant}/export/kpis.csv", tag = "reports",
    params(super::openapi::schemas::TenantPath, KpiParams),
    responses(
        (status = 200, description = "The KPI report as CSV (a download)", body = String, content_type = "text/csv"),
        (status = 422, description = "`invalid_field`: an unknown `window` or `by`", body = super::openapi::schemas::ErrorBody),
    ))]
async fn export_kpis_csv(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<KpiParams>,
) -> Result<Response, AppError> {
    let (window, by) = params.parse()?;
    let report = kpi_report(&state, &tenant, window, by);
    let rows = kpi_rows(&report, Zone::east(tenant.utc_offset_minutes));
    let mut body = BOM.as_bytes().to_vec();
    body.extend(csv_bytes(
        std::iter::once(KPI_COLUMNS.map(str::to_owned).to_vec()).chain(rows),
    ));
    let name = file_name(&tenant, &format!("kpis-{}", window.as_str()), "csv");
    Ok(download("text/csv; charset=utf-8", name, Body::from(body)))
}

/// The records of a KPI report: the totals, then each breakdown row, each for the current
/// and the previous period.
fn kpi_rows(report: &KpiReport, zone: Zone) -> Vec<Vec<String>> {
    let mut scopes = vec![("all", "", "", &report.totals, &report.previous)];
    if let Some(b) = &report.by {
        for row in &b.rows {
            let label = row.label.as_deref().unwrap_or("");
            scopes.push((b.dimension.as_str(), row.key.as_str(), label, &row.kpis, &row.previous));
        }
    }
    let mut rows = Vec::with_capacity(scopes.len() * 2);
    for (dimension, key, label, current, previous) in scopes {
        for (period, from_ms, to_ms, kpis) in [
            ("current", report.from_ms, report.to_ms, current),
            ("previous", report.previous_from_ms, report.from_ms, previous),
        ] {
            let row = KpiRow {
                tenant: &report.tenant,
                dimension,
                key,
                label,
                period,
                from_ms,
                to_ms,
                kpis,
            };
            rows.push(kpi_record(&row, zone));
        }
    }
    rows
}
