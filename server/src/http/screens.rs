//! Wall screens: a screen starts a pairing and polls it (public: it has no credentials
//! yet); an admin claims it by its code with a name and a layout, lists, renames and
//! revokes screens. A revoked screen's socket is closed at its next credentials check.

use super::extract::{Json as JsonBody, Path, PathTenant};
use super::guard::Caller;
use crate::auth::store::screens::{Layout, Pairing, PollAnswer, Screen};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/screens/pairing", post(start_pairing))
        .route("/api/v1/screens/pairing/{poll}", get(poll_pairing))
        .route("/api/v1/{tenant}/screens", get(list_screens).post(pair_screen))
        .route(
            "/api/v1/{tenant}/screens/{id}",
            patch(rename_screen).delete(revoke_screen),
        )
}

async fn start_pairing(State(state): State<Arc<AppState>>) -> Result<(StatusCode, Json<Pairing>), AppError> {
    Ok((StatusCode::CREATED, Json(state.auth.start_pairing().await?)))
}

/// 202 while waiting, 200 with the token once paired, 404 when expired or already answered.
async fn poll_pairing(State(state): State<Arc<AppState>>, Path(poll): Path<String>) -> Result<Response, AppError> {
    match state.auth.poll_pairing(&poll).await? {
        Some(answer @ PollAnswer::Waiting) => Ok((StatusCode::ACCEPTED, Json(answer)).into_response()),
        Some(answer) => Ok(Json(answer).into_response()),
        None => Err(AppError::NotFound {
            what: "pairing".into(),
            field: "poll",
        }),
    }
}

/// The body of `POST /api/v1/{tenant}/screens`.
#[derive(Deserialize)]
struct PairRequest {
    code: String,
    name: String,
    #[serde(flatten)]
    layout: Layout,
}

async fn pair_screen(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    JsonBody(body): JsonBody<PairRequest>,
) -> Result<(StatusCode, Json<Screen>), AppError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::InvalidField {
            field: "name".into(),
            message: "1 to 100 characters".into(),
        });
    }
    if body.layout.lang.as_deref().is_some_and(|l| l != "id" && l != "en") {
        return Err(AppError::InvalidField {
            field: "lang".into(),
            message: "id or en".into(),
        });
    }
    let screen = state
        .auth
        .pair_screen(&tenant.id, &body.code, name, body.layout)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "a screen showing this code".into(),
            field: "code",
        })?;
    tracing::info!(tenant = %tenant.id, screen = %screen.id, name = %screen.name, "screen paired");
    let detail = format!("{} ({})", screen.id, screen.name);
    state
        .auth
        .audit(Some(&tenant.id), &caller.actor().to_string(), "screen_paired", &detail)
        .await?;
    Ok((StatusCode::CREATED, Json(screen)))
}

async fn list_screens(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
) -> Result<Json<Vec<Screen>>, AppError> {
    Ok(Json(state.auth.list_screens(&tenant.id).await?))
}

/// The body of `PATCH /api/v1/{tenant}/screens/{id}`.
#[derive(Deserialize)]
struct Rename {
    name: String,
}

async fn rename_screen(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Path((_, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Rename>,
) -> Result<Json<Screen>, AppError> {
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::InvalidField {
            field: "name".into(),
            message: "1 to 100 characters".into(),
        });
    }
    let screen = state.auth.update_screen(&tenant.id, &id, |s| s.name = name).await?;
    screen.map(Json).ok_or_else(|| not_found(&id))
}

async fn revoke_screen(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    state
        .auth
        .update_screen(&tenant.id, &id, |s| s.revoked = true)
        .await?
        .ok_or_else(|| not_found(&id))?;
    tracing::info!(tenant = %tenant.id, screen = %id, "screen revoked");
    state
        .auth
        .audit(Some(&tenant.id), &caller.actor().to_string(), "screen_revoked", &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound {
        what: format!("screen {id}"),
        field: "id",
    }
}
