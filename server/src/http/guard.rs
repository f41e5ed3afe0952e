//! Authorisation in one place: [`ROUTES`], the table of every route and what it needs, and
//! the middleware that enforces it before any handler runs. A request is authenticated by
//! its `pantau_session` cookie (people; writes also need the `x-csrf-token` the session
//! answer gave), or by `Authorization: Bearer <key>` (source systems). No credentials: 401.
//! Wrong role or another tenant: 403 — before the handler runs, so nothing about another
//! tenant's tickets (not even their existence) is ever read. A route missing from the table
//! is refused (403 `not_in_table`): new routes are closed until they are listed.

use crate::auth::store::SessionToken;
use crate::auth::{Action, Principal};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "pantau_session";
/// The header carrying the CSRF token on cookie-authenticated writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, sign-in, the tenant list, Open311 reads, pairing; the socket
    /// authenticates its `subscribe` itself; Open311 POST checks its `api_key`).
    Public,
    /// Any signed-in caller (who am I, sign out).
    SignedIn,
    /// A caller allowed this action in the `{tenant}` of the path.
    Tenant(Action),
}

/// Every route: method, path as registered, access. The authorisation matrix test walks it.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    // Public to the guard; `--metrics-token` makes the handler want its bearer token.
    ("GET", "/metrics", Access::Public),
    ("GET", "/ws", Access::Public),
    ("GET", "/api/openapi.json", Access::Public),
    ("GET", "/api/v1/tenants", Access::Public),
    ("POST", "/api/v1/session", Access::Public),
    ("GET", "/api/v1/session", Access::SignedIn),
    ("DELETE", "/api/v1/session", Access::SignedIn),
    ("POST", "/api/v1/{tenant}/events", Access::Tenant(Action::IngestEvents)),
    ("GET", "/api/v1/{tenant}/tickets", Access::Tenant(Action::ReadTickets)),
    (
        "GET",
        "/api/v1/{tenant}/tickets/{ticket}",
        Access::Tenant(Action::ReadTickets),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/assign",
        Access::Tenant(Action::Assign),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/status",
        Access::Tenant(Action::SetStatus),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/comment",
        Access::Tenant(Action::Comment),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/priority",
        Access::Tenant(Action::SetPriority),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/verify",
        Access::Tenant(Action::Verify),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/validate",
        Access::Tenant(Action::Validate),
    ),
    ("GET", "/api/v1/{tenant}/sla", Access::Tenant(Action::ReadTickets)),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/media",
        Access::Tenant(Action::UploadMedia),
    ),
    (
        "GET",
        "/api/v1/{tenant}/media/{file}",
        Access::Tenant(Action::ReadTickets),
    ),
    (
        "GET",
        "/api/v1/{tenant}/tickets/{ticket}/duplicates",
        Access::Tenant(Action::ReadTickets),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/merge",
        Access::Tenant(Action::Merge),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/{ticket}/unmerge",
        Access::Tenant(Action::Merge),
    ),
    (
        "POST",
        "/api/v1/{tenant}/tickets/bulk/assign",
        Access::Tenant(Action::BulkReassign),
    ),
    ("GET", "/api/v1/{tenant}/workload", Access::Tenant(Action::ReadTickets)),
    ("GET", "/api/v1/{tenant}/state", Access::Tenant(Action::ReadTickets)),
    ("GET", "/api/v1/{tenant}/audit", Access::Tenant(Action::ReadAudit)),
    (
        "GET",
        "/api/v1/{tenant}/webhooks/deliveries",
        Access::Tenant(Action::ManageWebhooks),
    ),
    ("GET", "/api/v1/{tenant}/kpis", Access::Tenant(Action::ReadKpis)),
    (
        "GET",
        "/api/v1/{tenant}/export/tickets.csv",
        Access::Tenant(Action::Export),
    ),
    (
        "GET",
        "/api/v1/{tenant}/export/tickets.geojson",
        Access::Tenant(Action::Export),
    ),
    (
        "GET",
        "/api/v1/{tenant}/export/kpis.csv",
        Access::Tenant(Action::Export),
    ),
    ("POST", "/api/v1/screens/pairing", Access::Public),
    ("GET", "/api/v1/screens/pairing/{poll}", Access::Public),
    ("GET", "/api/v1/{tenant}/screens", Access::Tenant(Action::ManageScreens)),
    (
        "POST",
        "/api/v1/{tenant}/screens",
        Access::Tenant(Action::ManageScreens),
    ),
    (
        "PATCH",
        "/api/v1/{tenant}/screens/{id}",
        Access::Tenant(Action::ManageScreens),
    ),
    (
        "DELETE",
        "/api/v1/{tenant}/screens/{id}",
        Access::Tenant(Action::ManageScreens),
    ),
    (
        "PUT",
        "/api/v1/{tenant}/screens/{id}/replay",
        Access::Tenant(Action::ManageScreens),
    ),
    (
        "DELETE",
        "/api/v1/{tenant}/screens/{id}/replay",
        Access::Tenant(Action::ManageScreens),
    ),
    ("GET", "/open311/v2/{tenant}/{document}", Access::Public),
    ("POST", "/open311/v2/{tenant}/{document}", Access::Public),
    ("GET", "/open311/v2/{tenant}/services/{code}", Access::Public),
    ("GET", "/open311/v2/{tenant}/requests/{id}", Access::Public),
    ("GET", "/api/v1/public/tickets/{ticket}", Access::Public),
    ("GET", "/api/v1/public/tickets/{ticket}/after", Access::Public),
];

/// What `method path` needs, if the route is listed.
pub fn access(method: &Method, path: &str) -> Option<Access> {
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == path)
        .map(|(_, _, a)| *a)
}

/// The middleware (a `route_layer`, so it sees the matched route): authenticate, check the
/// table, hand the handler the [`Principal`] as a request extension.
pub async fn guard(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    match check(&state, &mut req).await {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, req: &mut Request) -> Result<(), AppError> {
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let access = route
        .as_deref()
        .and_then(|r| access(req.method(), r))
        .ok_or_else(|| AppError::Forbidden {
            code: "not_in_table",
            message: "this route has no entry in the authorisation table".into(),
        })?;
    let tenant = path_tenant(req).await;
    let principal = match access {
        Access::Public => {
            // Who is calling still matters to handlers that take a key or stamp an actor.
            authenticate(state, req.method(), req.headers(), tenant.as_deref())
                .await
                .ok()
        }
        Access::SignedIn => Some(authenticate(state, req.method(), req.headers(), tenant.as_deref()).await?),
        Access::Tenant(action) => {
            let tenant = tenant.ok_or_else(|| AppError::UnknownTenant(String::new()))?;
            if state.tenants.get(&tenant).is_none() {
                return Err(AppError::UnknownTenant(tenant));
            }
            let principal = authenticate(state, req.method(), req.headers(), Some(&tenant)).await?;
            if !principal.may(action, &tenant) {
                return Err(AppError::Forbidden {
                    code: "forbidden",
                    message: format!("not allowed to {action:?} in {tenant}"),
                });
            }
            Some(principal)
        }
    };
    if let Some(principal) = principal {
        req.extensions_mut().insert(principal);
    }
    Ok(())
}

/// The `{tenant}` of the matched path, if it has one.
async fn path_tenant(req: &mut Request) -> Option<String> {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = std::mem::take(req).into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, &()).await.ok();
    let tenant = params.and_then(|p| p.iter().find_map(|(k, v)| (k == "tenant").then(|| v.to_owned())));
    *req = Request::from_parts(parts, body);
    tenant
}

/// The caller behind these headers: a bearer key of `tenant`, or a session cookie (whose
/// writes must carry the CSRF token). 401 without either.
pub async fn authenticate(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    tenant: Option<&str>,
) -> Result<Principal, AppError> {
    if let Some(secret) = bearer(headers) {
        let tenant = tenant.ok_or(AppError::Unauthenticated("API keys act in the tenant of the URL"))?;
        let key = state.auth.key_by_secret(tenant, secret).await?;
        return Ok(Principal::Key {
            tenant: tenant.to_owned(),
            name: key.name,
            categories: key.categories,
        });
    }
    let token = session_cookie(headers).ok_or(AppError::Unauthenticated("sign in first"))?;
    let session = state
        .auth
        .session(&token, chrono::Utc::now())
        .await?
        .ok_or(AppError::Unauthenticated("the session has ended; sign in again"))?;
    let writes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) != Some(csrf_token(&token).as_str()) {
        return Err(AppError::Forbidden {
            code: "csrf",
            message: format!("a signed-in write needs the {CSRF_HEADER} header from the session"),
        });
    }
    Ok(Principal::User {
        tenant: session.tenant,
        name: session.name,
        role: session.role,
    })
}

/// The CSRF token of a session: derived from its secret id, so only someone who holds the
/// (HttpOnly) cookie's session — the page it was answered to — can know it.
pub fn csrf_token(token: &SessionToken) -> String {
    crate::auth::store::sha256_hex(format!("csrf:{token}").as_bytes())
}

/// `Authorization: Bearer <secret>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The session token in the `Cookie` header, if one parses.
pub fn session_cookie(headers: &HeaderMap) -> Option<SessionToken> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, value)| value.parse().ok())
}

/// The caller the guard authenticated (routes with [`Access::SignedIn`] or
/// [`Access::Tenant`] always have one).
pub struct Caller(pub Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or(AppError::Unauthenticated("sign in first"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route is listed once, and the table's paths are the ones the routers register
    /// (checked end to end by the matrix test; here: no duplicates, methods valid).
    #[test]
    fn the_table_lists_each_route_once() {
        for (i, (m, p, _)) in ROUTES.iter().enumerate() {
            assert!(m.parse::<Method>().is_ok(), "{m}");
            assert!(
                ROUTES[i + 1..].iter().all(|(m2, p2, _)| (m2, p2) != (m, p)),
                "{m} {p} listed twice"
            );
        }
        assert_eq!(
            access(&Method::POST, "/api/v1/{tenant}/tickets/{ticket}/assign"),
            Some(Access::Tenant(Action::Assign))
        );
        assert_eq!(access(&Method::PUT, "/api/v1/{tenant}/tickets"), None);
    }

    /// The cookie is found among others; a malformed one is no session.
    #[test]
    fn finds_the_session_cookie() {
        let token = format!("tangerang.{}", "a".repeat(64));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("lang=id; {SESSION_COOKIE}={token}").parse().unwrap(),
        );
        assert_eq!(session_cookie(&headers).unwrap().to_string(), token);
        headers.insert(header::COOKIE, format!("{SESSION_COOKIE}=nonsense").parse().unwrap());
        assert!(session_cookie(&headers).is_none());
    }
}
