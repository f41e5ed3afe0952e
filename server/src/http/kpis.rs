//! `GET /api/v1/{tenant}/kpis?window=today|7d|30d&by=agency|category|kecamatan|channel`:
//! the executive KPI report ([`KpiReport`]) read from the projection's incremental counters
//! ([`crate::stats`]) in the tenant's zone, under one short read lock. Executives and up.
//!
//! `window` defaults to `today`; without `by` there is no breakdown. A bad value of either
//! is a 422 `invalid_field` naming it.

use super::extract::{PathTenant, Query};
use crate::error::AppError;
use crate::state::AppState;
use crate::stats::report::{report, Ask};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use pantau_shared::stats::{Dimension, KpiReport, Window};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/kpis", get(get_kpis))
}

/// Query string of `GET /kpis` (and of `export/kpis.csv`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// `today`, `7d` or `30d`.
    pub window: Option<String>,
    /// `agency`, `category`, `kecamatan` or `channel`.
    pub by: Option<String>,
}

impl KpiParams {
    /// The window and dimension asked for, or the error naming the bad parameter.
    pub fn parse(&self) -> Result<(Window, Option<Dimension>), AppError> {
        let window = match self.window.as_deref() {
            None | Some("") => Window::Today,
            Some(w) => w.parse().map_err(|()| AppError::InvalidField {
                field: "window".into(),
                message: format!("unknown window {w:?}: use today, 7d or 30d"),
            })?,
        };
        let by = match self.by.as_deref() {
            None | Some("") => None,
            Some(b) => Some(b.parse().map_err(|()| AppError::InvalidField {
                field: "by".into(),
                message: format!("unknown breakdown {b:?}: use agency, category, kecamatan or channel"),
            })?),
        };
        Ok((window, by))
    }
}

/// The report of `tenant` for these parameters, now.
pub fn kpi_report(
    state: &AppState,
    tenant: &crate::tenant::Tenant,
    window: Window,
    by: Option<Dimension>,
) -> KpiReport {
    let ask = Ask {
        tenant: &tenant.id,
        window,
        by,
        now_ms: chrono::Utc::now().timestamp_millis(),
        utc_offset_minutes: tenant.utc_offset_minutes,
    };
    let projection = state.live(tenant).read();
    report(projection.stats(), ask, |id| projection.ticket(id))
}

/// The executive report: windows, breakdowns, trends, forecast.
#[utoipa::path(get, path = "/api/v1/{tenant}/kpis", tag = "reports",
    params(super::openapi::schemas::TenantPath, KpiParams),
    responses(
        (status = 200, description = "The report", body = KpiReport),
        (status = 422, description = "`invalid_field`: an unknown `window` or `by`", body = super::openapi::schemas::ErrorBody),
    ))]
async fn get_kpis(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<KpiParams>,
) -> Result<Json<KpiReport>, AppError> {
    let (window, by) = params.parse()?;
    Ok(Json(kpi_report(&state, &tenant, window, by)))
}
