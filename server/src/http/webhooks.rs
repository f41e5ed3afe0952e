//! `GET /api/v1/{tenant}/webhooks/deliveries?limit=` (admins): the latest outbound webhook
//! delivery attempts, newest first (see [`crate::webhooks`]).

use super::extract::{PathTenant, Query};
use crate::error::AppError;
use crate::state::AppState;
use crate::webhooks::store::{self, Attempt};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

/// Attempts one request returns without `limit`.
const DEFAULT_LIMIT: usize = 100;
/// Attempts one request returns at most.
const MAX_LIMIT: usize = 1_000;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/webhooks/deliveries", get(list_deliveries))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Params {
    limit: Option<usize>,
}

/// The outbound webhook delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/{tenant}/webhooks/deliveries", tag = "admin",
    params(super::openapi::schemas::TenantPath, Params),
    responses((status = 200, description = "Delivery attempts", body = Vec<Attempt>)))]
async fn list_deliveries(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<Params>,
) -> Result<Json<Vec<Attempt>>, AppError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let attempts = store::deliveries(&mut state.store.connection(), &tenant.id, limit).await?;
    Ok(Json(attempts))
}
