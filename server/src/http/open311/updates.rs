//! `GET` and `POST /open311/v2/{tenant}/servicerequestupdates.{json,xml}`, both with the
//! caller's `api_key` (FixMyStreet's Open311 updates extension; the mapping is
//! [`crate::open311::updates`]). Dispatched from the parent's document routes, answering in
//! its error format.
//!
//! GET reads the tenant's stream by the window's times (stream ids are milliseconds), in
//! pages of [`PAGE`] entries, stopping at [`MAX_UPDATES`] updates or [`MAX_SCANNED`]
//! entries, whichever comes first — a client asks again from the last `updated_datetime`.
//! Without dates the window is the last [`DEFAULT_WINDOW_HOURS`] hours. A key limited to
//! some categories sees and updates only tickets of those.

use super::{xml, Format, Open311Error};
use crate::auth::store::{ApiKey, AuthError};
use crate::auth::Actor;
use crate::error::AppError;
use crate::open311::updates::{self as mapping, UpdateCreated, MAX_UPDATES};
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::validate::{validate, ValidationError};
use crate::write::{self, new_event_id};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use pantau_shared::cursor::Cursor;
use serde::Serialize;
use std::collections::HashMap;

/// Stream entries per `XRANGE` while looking for updates.
const PAGE: usize = 1000;
/// Most stream entries one GET reads (reports and SLA marks included).
const MAX_SCANNED: usize = 50_000;
/// Window of a GET without dates, hours.
const DEFAULT_WINDOW_HOURS: i64 = 24;

/// `<service_request_updates><request_update>…</request_update>…</service_request_updates>`.
#[derive(Serialize)]
struct UpdatesXml<T> {
    request_update: Vec<T>,
}

fn updates_doc<T: Serialize>(format: Format, items: Vec<T>) -> Response {
    match format {
        Format::Json => Json(items).into_response(),
        Format::Xml => xml("service_request_updates", &UpdatesXml { request_update: items }),
    }
}

/// The key behind `api_key` (403 naming it when unknown or revoked).
pub(super) async fn api_key(
    state: &AppState,
    tenant: &Tenant,
    params: &HashMap<String, String>,
    format: Format,
) -> Result<ApiKey, Open311Error> {
    let secret = params.get("api_key").map(String::as_str).unwrap_or_default();
    match state.auth.key_by_secret(&tenant.id, secret).await {
        Ok(key) => Ok(key),
        Err(AuthError::UnknownKey | AuthError::KeyRevoked(_)) => Err(Open311Error::new(
            StatusCode::FORBIDDEN,
            "api_key: invalid api_key",
            format,
        )),
        Err(e) => Err(Open311Error::from_app(e.into(), format)),
    }
}

/// `start_date`/`end_date` as Unix milliseconds (400 naming the one that is not a date).
fn window(params: &HashMap<String, String>, format: Format) -> Result<(i64, i64), Open311Error> {
    let date = |k: &str| -> Result<Option<i64>, Open311Error> {
        params
            .get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|d| d.timestamp_millis())
                    .map_err(|_| {
                        Open311Error::new(
                            StatusCode::BAD_REQUEST,
                            format!("{k}: must be a W3C/RFC 3339 date-time"),
                            format,
                        )
                    })
            })
            .transpose()
    };
    let until = date("end_date")?.unwrap_or_else(|| Utc::now().timestamp_millis());
    let from = date("start_date")?.unwrap_or(until - Duration::hours(DEFAULT_WINDOW_HOURS).num_milliseconds());
    Ok((from.max(0), until.max(0)))
}

/// `GET servicerequestupdates`: the updates of the window, oldest first.
pub(super) async fn list(
    state: &AppState,
    tenant: &Tenant,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    format: Format,
) -> Result<Response, Open311Error> {
    let key = api_key(state, tenant, params, format).await?;
    let (from_ms, until_ms) = window(params, format)?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let base_url = format!("http://{host}");
    // Exclusive start just before `from_ms`: the first entry of that millisecond is in.
    let mut after = Cursor {
        ms: (from_ms as u64).saturating_sub(1),
        seq: u64::MAX,
    };
    let until = Cursor {
        ms: until_ms as u64,
        seq: u64::MAX,
    };
    let mut updates = Vec::new();
    let mut scanned = 0;
    while updates.len() < MAX_UPDATES && scanned < MAX_SCANNED && after < until {
        let page = state
            .store
            .range_after(&tenant.id, after, until, PAGE)
            .await
            .map_err(|e| Open311Error::from_app(e.into(), format))?;
        scanned += page.len();
        let full = page.len() == PAGE;
        if let Some((last, _)) = page.last() {
            after = *last;
        }
        let projection = state.live(tenant).read();
        updates.extend(page.iter().filter_map(|(_, event)| {
            let ticket = projection.ticket(event.ticket.as_deref()?)?;
            if !key.covers(&ticket.category) {
                return None;
            }
            mapping::update(tenant, event, ticket.status, &base_url)
        }));
        if !full {
            break;
        }
    }
    updates.truncate(MAX_UPDATES);
    Ok(updates_doc(format, updates))
}

/// `POST servicerequestupdates` by `key`: a status change or a comment, written once per
/// `update_id`.
pub(super) async fn post(
    state: &AppState,
    tenant: &Tenant,
    key: ApiKey,
    params: &HashMap<String, String>,
    format: Format,
) -> Result<Response, Open311Error> {
    let fail = |e: AppError| Open311Error::from_app(e, format);
    let ticket_id = params
        .get("service_request_id")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Open311Error::new(
                StatusCode::BAD_REQUEST,
                "service_request_id: service_request_id is required",
                format,
            )
        })?;
    let ticket = state
        .live(tenant)
        .read()
        .ticket(ticket_id)
        .map(|t| (t.status, t.category.clone()));
    let (current, category) = ticket.ok_or_else(|| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("service_request_id: service request {ticket_id} not found"),
            format,
        )
    })?;
    if !key.covers(&category) {
        let message = format!("service_request_id: this api_key may not update {category:?} requests");
        return Err(Open311Error::new(StatusCode::FORBIDDEN, message, format));
    }
    let mut object = mapping::update_request(&tenant.id, &key.name, params, current).map_err(|e| fail(e.into()))?;
    object.insert("actor".into(), Actor::Key(key.name).to_string().into());
    let command = validate(tenant, object, Utc::now(), new_event_id).map_err(|e: ValidationError| fail(e.into()))?;
    let accepted = write::submit(&state.store, state.live(tenant), tenant, command)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(updates_doc(format, vec![UpdateCreated { update_id: accepted.id }]))
}
