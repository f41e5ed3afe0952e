//! Every extractor the HTTP handlers use, with rejections that are [`AppError`]s — so a bad
//! query string, path or body gets the same `{"error": {code, message, field}}` body as
//! every other error instead of axum's plain-text 400:
//!
//! - [`PathTenant`]: the tenant named by the `{tenant}` path segment (404 naming `tenant`);
//! - [`LimitedBody`]: the request body, refused beyond the configured size with 413;
//! - [`Query`], [`Path`], [`Json`]: axum's, with the offending field named.

use crate::error::AppError;
use crate::state::AppState;
use crate::tenant::Tenant;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header;
use axum::http::request::Parts;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// A refused oversized body is still read (and discarded) up to this many times the limit,
/// so that ordinary clients, which write the whole body before reading the answer, see the
/// 413 instead of a broken pipe. Beyond that the connection is simply closed.
const DRAIN_FACTOR: usize = 16;

/// The tenant a `/…/{tenant}/…` URL names.
pub struct PathTenant(pub Arc<Tenant>);

impl FromRequestParts<Arc<AppState>> for PathTenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::InvalidField {
                field: "tenant".into(),
                message: e.body_text(),
            })?;
        let id = params
            .iter()
            .find_map(|(k, v)| (k == "tenant").then_some(v))
            .ok_or_else(|| AppError::UnknownTenant(String::new()))?;
        tenant(state, id).map(PathTenant)
    }
}

/// The tenant with this id, or 404 naming `tenant`.
pub fn tenant(state: &AppState, id: &str) -> Result<Arc<Tenant>, AppError> {
    state
        .tenants
        .get(id)
        .cloned()
        .ok_or_else(|| AppError::UnknownTenant(id.to_owned()))
}

/// The request body, at most `max_body_bytes` (413 beyond).
pub struct LimitedBody(pub Bytes);

impl FromRequest<Arc<AppState>> for LimitedBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, AppError> {
        let limit = state.config.max_body_bytes;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = req.into_body();
        if declared.is_some_and(|n| n > limit) {
            drain(body, limit.saturating_mul(DRAIN_FACTOR)).await;
            return Err(AppError::PayloadTooLarge { limit });
        }
        axum::body::to_bytes(body, limit)
            .await
            .map(LimitedBody)
            .map_err(|_| AppError::PayloadTooLarge { limit })
    }
}

/// Read and discard up to `cap` bytes of `body`.
async fn drain(body: Body, cap: usize) {
    let mut stream = body.into_data_stream();
    let mut seen = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len();
        if seen > cap {
            break;
        }
    }
}

/// The query string as `T`; a bad parameter is a 422 naming it.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|e| AppError::InvalidField {
                field: field_of(e.path()),
                message: e.into_inner().to_string(),
            })
    }
}

/// The path parameters as `T`; a bad one is a 422 naming it.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        use axum::extract::path::ErrorKind;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(axum::extract::rejection::PathRejection::FailedToDeserializePathParams(e)) => {
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    _ => "path".into(),
                };
                Err(AppError::InvalidField {
                    field,
                    message: e.body_text(),
                })
            }
            Err(e) => Err(AppError::InvalidField {
                field: "path".into(),
                message: e.body_text(),
            }),
        }
    }
}

/// A JSON body (size-limited) as `T`: not JSON is a 400, a bad field a 422 naming it.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, AppError> {
        let LimitedBody(bytes) = LimitedBody::from_request(req, state).await?;
        json_from_slice(&bytes).map(Json)
    }
}

/// `bytes` as `T`: not JSON is a 400, a bad field a 422 naming it.
pub fn json_from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let field = field_of(e.path());
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            AppError::MalformedJson(inner.to_string())
        } else {
            AppError::InvalidField {
                field,
                message: inner.to_string(),
            }
        }
    })
}

/// A serde path as a field name (`$` for the whole value).
fn field_of(path: &serde_path_to_error::Path) -> String {
    match path.to_string().as_str() {
        "." => "$".into(),
        p => p.to_owned(),
    }
}
