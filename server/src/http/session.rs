//! Signing in and out: `POST /api/v1/session` checks a name and password and sets the
//! HttpOnly, SameSite=Strict session cookie; `GET` says who is signed in (and hands the page
//! its CSRF token); `DELETE` signs out. Repeated failures for one name lock it out for a
//! while (429 + Retry-After). `GET /api/v1/tenants` lists the tenants for the sign-in page.

use super::extract::Json as JsonBody;
use super::guard::{csrf_token, session_cookie, Caller, SESSION_COOKIE};
use crate::auth::{Actor, Principal, Role};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/tenants", get(list_tenants))
        .route("/api/v1/session", get(who_am_i).post(sign_in).delete(sign_out))
}

/// A tenant as the sign-in page lists it (its zone, so admin pages show its local times).
#[derive(Serialize, utoipa::ToSchema)]
struct TenantEntry {
    id: String,
    name: String,
    utc_offset_minutes: i32,
    zone_label: String,
}

/// The tenants, for the sign-in page.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "session",
    responses((status = 200, description = "Every tenant of this deployment", body = Vec<TenantEntry>)))]
async fn list_tenants(State(state): State<Arc<AppState>>) -> Json<Vec<TenantEntry>> {
    Json(
        state
            .tenants
            .iter()
            .map(|t| TenantEntry {
                id: t.id.clone(),
                name: t.name.clone(),
                utc_offset_minutes: t.utc_offset_minutes,
                zone_label: t.zone_label.clone(),
            })
            .collect(),
    )
}

/// The body of `POST /api/v1/session`.
#[derive(Deserialize, utoipa::ToSchema)]
struct SignIn {
    /// `None` (or absent) for the superadmin.
    #[serde(default)]
    tenant: Option<String>,
    name: String,
    password: String,
}

/// Who is signed in, and the CSRF token their writes must carry.
#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    name: String,
    role: Role,
    tenant: Option<String>,
    csrf: String,
}

/// Sign in: sets the `pantau_session` cookie and answers the CSRF token writes must carry.
#[utoipa::path(post, path = "/api/v1/session", tag = "session",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in (`Set-Cookie: pantau_session=…`)", body = Me,
            headers(("Set-Cookie" = String, description = "`pantau_session`, HttpOnly, SameSite=Strict"))),
        (status = 401, description = "`bad_credentials`: wrong name or password (one answer for all)", body = super::openapi::schemas::ErrorBody),
        (status = 429, description = "`locked_out`: too many failures for this name", body = super::openapi::schemas::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds"))),
        (status = 503, description = "`store_unavailable`: Redis is unavailable", body = super::openapi::schemas::ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds"))),
    ))]
async fn sign_in(State(state): State<Arc<AppState>>, JsonBody(body): JsonBody<SignIn>) -> Result<Response, AppError> {
    if let Some(tenant) = &body.tenant {
        if state.tenants.get(tenant).is_none() {
            return Err(AppError::BadCredentials);
        }
    }
    let tenant = body.tenant.as_deref();
    let now = chrono::Utc::now();
    if let Some(retry_after_secs) = state.auth.locked_out(tenant, &body.name).await? {
        return Err(AppError::TooManyRequests {
            code: "locked_out",
            retry_after_secs,
        });
    }
    let user = match state.auth.verify_login(tenant, &body.name, &body.password).await {
        Ok(user) => user,
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e, AppError::BadCredentials) {
                state.auth.record_failure(tenant, &body.name).await?;
                let actor = Actor::User(body.name.clone()).to_string();
                state.auth.audit(tenant, &actor, "sign_in_refused", "").await?;
                tracing::warn!(tenant = tenant.unwrap_or("-"), name = %body.name, "sign-in refused");
            }
            return Err(e);
        }
    };
    state.auth.clear_failures(tenant, &body.name).await?;
    let token = state.auth.create_session(&user, now).await?;
    let actor = Actor::User(user.name.clone()).to_string();
    state
        .auth
        .audit(tenant, &actor, "signed_in", user.role.as_str())
        .await?;
    tracing::info!(tenant = tenant.unwrap_or("-"), name = %user.name, role = user.role.as_str(), "signed in");
    let me = Me {
        name: user.name,
        role: user.role,
        tenant: user.tenant,
        csrf: csrf_token(&token),
    };
    let cookie = cookie(&format!("{SESSION_COOKIE}={token}"), state.config.secure_cookies, None);
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

/// Who is signed in, and the CSRF token for their writes.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, description = "The signed-in person", body = Me)))]
async fn who_am_i(Caller(principal): Caller, headers: HeaderMap) -> Result<Json<Me>, AppError> {
    let (Principal::User { tenant, name, role }, Some(token)) = (principal, session_cookie(&headers)) else {
        return Err(AppError::Unauthenticated("sign in first"));
    };
    Ok(Json(Me {
        name,
        role,
        tenant,
        csrf: csrf_token(&token),
    }))
}

/// Sign out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out; the cookie is cleared")))]
async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = session_cookie(&headers) {
        state.auth.end_session(&token).await?;
    }
    let cookie = cookie(&format!("{SESSION_COOKIE}="), state.config.secure_cookies, Some(0));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, the whole site, `Secure` behind TLS.
fn cookie(pair: &str, secure: bool, max_age: Option<u64>) -> HeaderValue {
    let mut value = format!("{pair}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        value.push_str("; Secure");
    }
    if let Some(age) = max_age {
        value.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&value).expect("cookie values are ASCII")
}
