//! Wall screens: a screen starts a pairing and polls it (public: it has no credentials
//! yet); an admin claims it by its code with a name and a layout, lists, renames and
//! revokes screens. A revoked screen's socket is closed at its next credentials check; a
//! screen put in replay (training: `PUT …/replay`) plays the past from the chosen instant
//! within a check, and `DELETE …/replay` takes it back to live.

use super::extract::{Json as JsonBody, Path, PathTenant};
use super::guard::Caller;
use crate::auth::store::screens::{Layout, Pairing, PollAnswer, Screen, ScreenReplay};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
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
        .route(
            "/api/v1/{tenant}/screens/{id}/replay",
            put(replay_screen).delete(live_screen),
        )
}

/// A wall screen asks to be paired: the code to show, the secret to poll with.
#[utoipa::path(post, path = "/api/v1/screens/pairing", tag = "admin",
    responses(
        (status = 201, description = "A new pairing", body = Pairing),
        (status = 503, description = "`store_unavailable`: Redis is unavailable", body = super::openapi::schemas::ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds"))),
    ))]
async fn start_pairing(State(state): State<Arc<AppState>>) -> Result<(StatusCode, Json<Pairing>), AppError> {
    Ok((StatusCode::CREATED, Json(state.auth.start_pairing().await?)))
}

/// 202 while waiting, 200 with the token once paired, 404 when expired or already answered.
#[utoipa::path(get, path = "/api/v1/screens/pairing/{poll}", tag = "admin",
    params(("poll" = String, Path, description = "The pairing's poll secret")),
    responses(
        (status = 200, description = "Paired: the screen's token, tenant and layout (answered once)", body = PollAnswer),
        (status = 202, description = "Waiting for an admin to enter the code", body = PollAnswer),
        (status = 404, description = "Expired or already answered", body = super::openapi::schemas::ErrorBody),
        (status = 503, description = "`store_unavailable`: Redis is unavailable", body = super::openapi::schemas::ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds"))),
    ))]
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
#[derive(Deserialize, utoipa::ToSchema)]
struct PairRequest {
    code: String,
    name: String,
    #[serde(flatten)]
    layout: Layout,
}

/// Bind the screen showing `code` to the tenant.
#[utoipa::path(post, path = "/api/v1/{tenant}/screens", tag = "admin",
    params(super::openapi::schemas::TenantPath),
    request_body = PairRequest,
    responses(
        (status = 201, description = "Paired", body = Screen),
        (status = 404, description = "No screen shows this code", body = super::openapi::schemas::ErrorBody),
    ))]
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

#[utoipa::path(get, path = "/api/v1/{tenant}/screens", tag = "admin",
    params(super::openapi::schemas::TenantPath),
    responses((status = 200, description = "The tenant's screens", body = Vec<Screen>)))]
async fn list_screens(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
) -> Result<Json<Vec<Screen>>, AppError> {
    Ok(Json(state.auth.list_screens(&tenant.id).await?))
}

/// The body of `PATCH /api/v1/{tenant}/screens/{id}`.
#[derive(Deserialize, utoipa::ToSchema)]
struct Rename {
    name: String,
}

#[utoipa::path(patch, path = "/api/v1/{tenant}/screens/{id}", tag = "admin",
    params(
        ("tenant" = String, Path, description = "The tenant's id (`tangerang`)"),
        ("id" = String, Path, description = "The screen's id"),
    ),
    request_body = Rename,
    responses(
        (status = 200, description = "Renamed", body = Screen),
        (status = 404, description = "No such screen", body = super::openapi::schemas::ErrorBody),
    ))]
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

#[utoipa::path(delete, path = "/api/v1/{tenant}/screens/{id}", tag = "admin",
    params(
        ("tenant" = String, Path, description = "The tenant's id (`tangerang`)"),
        ("id" = String, Path, description = "The screen's id"),
    ),
    responses(
        (status = 204, description = "Revoked: its token no longer opens the feed"),
        (status = 404, description = "No such screen", body = super::openapi::schemas::ErrorBody),
    ))]
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

/// The body of `PUT /api/v1/{tenant}/screens/{id}/replay`.
#[derive(Deserialize, utoipa::ToSchema)]
struct ReplayRequest {
    /// The instant to play from (RFC 3339 with offset), in the past.
    from: String,
    /// Replayed seconds per real second, 1–1000 (default 60).
    #[serde(default = "default_speed")]
    speed: u32,
}

fn default_speed() -> u32 {
    60
}

/// Put a paired screen in replay (training): within a few seconds it shows the city as it
/// was at `from`, played forward at `speed`, with its REPLAY badge.
#[utoipa::path(put, path = "/api/v1/{tenant}/screens/{id}/replay", tag = "admin",
    params(
        ("tenant" = String, Path, description = "The tenant's id (`tangerang`)"),
        ("id" = String, Path, description = "The screen's id"),
    ),
    request_body = ReplayRequest,
    responses(
        (status = 200, description = "The screen, replaying", body = Screen),
        (status = 404, description = "No such screen, or revoked", body = super::openapi::schemas::ErrorBody),
        (status = 422, description = "`from` not an RFC 3339 instant in the past, or `speed` outside 1–1000", body = super::openapi::schemas::ErrorBody),
    ))]
async fn replay_screen(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ReplayRequest>,
) -> Result<Json<Screen>, AppError> {
    let from = chrono::DateTime::parse_from_rfc3339(body.from.trim())
        .ok()
        .filter(|from| from.timestamp() > 946_684_800 && *from < chrono::Utc::now())
        .ok_or_else(|| AppError::InvalidField {
            field: "from".into(),
            message: "an RFC 3339 instant in the past, with its offset".into(),
        })?;
    if !(1..=1000).contains(&body.speed) {
        return Err(AppError::InvalidField {
            field: "speed".into(),
            message: "1 to 1000".into(),
        });
    }
    let replay = ScreenReplay {
        from: from
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        speed: body.speed,
    };
    let detail = format!("{id} from {} at {}x", replay.from, replay.speed);
    let screen = state
        .auth
        .update_screen(&tenant.id, &id, |s| {
            if !s.revoked {
                s.replay = Some(replay)
            }
        })
        .await?
        .filter(|s| !s.revoked)
        .ok_or_else(|| not_found(&id))?;
    tracing::info!(tenant = %tenant.id, screen = %id, "screen put in replay");
    state
        .auth
        .audit(Some(&tenant.id), &caller.actor().to_string(), "screen_replay", &detail)
        .await?;
    Ok(Json(screen))
}

/// Take a screen out of replay: it follows the city live again within a few seconds.
#[utoipa::path(delete, path = "/api/v1/{tenant}/screens/{id}/replay", tag = "admin",
    params(
        ("tenant" = String, Path, description = "The tenant's id (`tangerang`)"),
        ("id" = String, Path, description = "The screen's id"),
    ),
    responses(
        (status = 200, description = "The screen, live", body = Screen),
        (status = 404, description = "No such screen", body = super::openapi::schemas::ErrorBody),
    ))]
async fn live_screen(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Screen>, AppError> {
    let screen = state
        .auth
        .update_screen(&tenant.id, &id, |s| s.replay = None)
        .await?
        .ok_or_else(|| not_found(&id))?;
    state
        .auth
        .audit(Some(&tenant.id), &caller.actor().to_string(), "screen_live", &id)
        .await?;
    Ok(Json(screen))
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound {
        what: format!("screen {id}"),
        field: "id",
    }
}
