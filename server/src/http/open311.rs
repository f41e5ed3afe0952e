//! Open311 GeoReport v2 under `/open311/v2/{tenant}/`: discovery, services, service
//! definitions, requests (GET list, POST with `api_key`) and single requests, each as
//! `.json` or `.xml`, with the spec's error list (`[{"code", "description"}]`). Documents
//! come from [`crate::open311`]; writes go through [`crate::write`] like every other.
//! `servicerequestupdates` (GET and POST, with `api_key`) is in [`updates`].

mod updates;

use super::extract::{tenant, LimitedBody};
use crate::auth::store::AuthError;
use crate::auth::Actor;
use crate::error::AppError;
use crate::open311::{self, ParamError};
use crate::projection::query::{find, TicketQuery};
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::validate::{validate, ValidationError};
use crate::write::{self, new_event_id};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use pantau_shared::event::TicketStatus;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Most requests one `GET requests` returns (the spec's suggested cap).
const MAX_REQUESTS: usize = 1000;
/// Window of `GET requests` without dates (the spec's default: 90 days).
const DEFAULT_WINDOW_DAYS: i64 = 90;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/open311/v2/{tenant}/{document}", get(get_document).post(post_request))
        .route("/open311/v2/{tenant}/services/{code}", get(get_service_definition))
        .route("/open311/v2/{tenant}/requests/{id}", get(get_request))
}

/// The response format, from the URL's extension.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` → (`name`, Json).
fn split_format(segment: &str) -> Option<(&str, Format)> {
    let (name, ext) = segment.rsplit_once('.')?;
    match ext {
        "json" => Some((name, Format::Json)),
        "xml" => Some((name, Format::Xml)),
        _ => None,
    }
}

/// An error in the spec's shape and the request's format.
struct Open311Error {
    status: StatusCode,
    description: String,
    format: Format,
}

impl Open311Error {
    fn new(status: StatusCode, description: impl Into<String>, format: Format) -> Self {
        Open311Error {
            status,
            description: description.into(),
            format,
        }
    }

    fn not_found(what: &str, format: Format) -> Self {
        Open311Error::new(StatusCode::NOT_FOUND, format!("{what} not found"), format)
    }

    /// Bad parameters are 400 in GeoReport v2; everything else keeps the API's status.
    fn from_app(e: AppError, format: Format) -> Self {
        let status = match e {
            AppError::InvalidField { .. } | AppError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ref other => other.status(),
        };
        let description = match e.field() {
            Some(field) => format!("{}: {e}", open311::param_name(field)),
            None => e.to_string(),
        };
        if let AppError::Store(ref cause) = e {
            tracing::error!(error = %cause, "event store failed");
        }
        Open311Error::new(status, description, format)
    }
}

impl From<ParamError> for AppError {
    fn from(e: ParamError) -> Self {
        AppError::InvalidField {
            field: e.field.into(),
            message: e.message,
        }
    }
}

#[derive(Serialize)]
struct ErrorEntry {
    code: u16,
    description: String,
}

#[derive(Serialize)]
struct ErrorsXml {
    error: Vec<ErrorEntry>,
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let entry = ErrorEntry {
            code: self.status.as_u16(),
            description: self.description,
        };
        let mut response = match self.format {
            Format::Json => Json(vec![entry]).into_response(),
            Format::Xml => xml("errors", &ErrorsXml { error: vec![entry] }),
        };
        *response.status_mut() = self.status;
        response
    }
}

/// `value` as an XML document with root element `root`.
fn xml<T: Serialize>(root: &str, value: &T) -> Response {
    match quick_xml::se::to_string_with_root(root, value) {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}"),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot write Open311 XML");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `<services><service>…</service>…</services>`.
#[derive(Serialize)]
struct ServicesXml<T> {
    service: Vec<T>,
}

/// `<service_requests><request>…</request>…</service_requests>`.
#[derive(Serialize)]
struct RequestsXml<T> {
    request: Vec<T>,
}

fn services_doc<T: Serialize>(format: Format, items: Vec<T>) -> Response {
    match format {
        Format::Json => Json(items).into_response(),
        Format::Xml => xml("services", &ServicesXml { service: items }),
    }
}

fn requests_doc<T: Serialize>(format: Format, items: Vec<T>) -> Response {
    match format {
        Format::Json => Json(items).into_response(),
        Format::Xml => xml("service_requests", &RequestsXml { request: items }),
    }
}

fn open311_tenant(state: &AppState, id: &str, format: Format) -> Result<Arc<Tenant>, Open311Error> {
    tenant(state, id).map_err(|e| Open311Error::from_app(e, format))
}

async fn get_document(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, document)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Open311Error> {
    let (name, format) = split_format(&document).ok_or_else(|| Open311Error::not_found(&document, Format::Json))?;
    let tenant = open311_tenant(&state, &tenant_id, format)?;
    match name {
        "discovery" => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1:8080");
            let doc = open311::discovery(&tenant, &format!("http://{host}"));
            Ok(match format {
                Format::Json => Json(doc).into_response(),
                Format::Xml => xml("discovery", &doc),
            })
        }
        "services" => {
            let services = tenant.categories.iter().map(|c| open311::service(&tenant, c)).collect();
            Ok(services_doc(format, services))
        }
        "requests" => list_requests(&state, &tenant, &params, format),
        "servicerequestupdates" => updates::list(&state, &tenant, &params, &headers, format).await,
        _ => Err(Open311Error::not_found(&document, format)),
    }
}

async fn get_service_definition(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, code)): Path<(String, String)>,
) -> Result<Response, Open311Error> {
    let (code, format) = split_format(&code).ok_or_else(|| Open311Error::not_found("service", Format::Json))?;
    let tenant = open311_tenant(&state, &tenant_id, format)?;
    let category = tenant
        .category(code)
        .ok_or_else(|| Open311Error::not_found(&format!("service {code}"), format))?;
    let definition = open311::ServiceDefinition {
        service_code: category.code.clone(),
        attributes: vec![],
    };
    Ok(match format {
        Format::Json => Json(definition).into_response(),
        Format::Xml => xml("service_definition", &definition),
    })
}

async fn get_request(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> Result<Response, Open311Error> {
    let (id, format) = split_format(&id).ok_or_else(|| Open311Error::not_found("request", Format::Json))?;
    let tenant = open311_tenant(&state, &tenant_id, format)?;
    let request = state
        .live(&tenant)
        .read()
        .ticket(id)
        .map(|t| open311::request(&tenant, t));
    let request = request.ok_or_else(|| Open311Error::not_found(&format!("service request {id}"), format))?;
    Ok(requests_doc(format, vec![request]))
}

/// `GET requests`: by ids, or by service code, status and date window (default 90 days).
fn list_requests(
    state: &AppState,
    tenant: &Tenant,
    params: &HashMap<String, String>,
    format: Format,
) -> Result<Response, Open311Error> {
    let bad =
        |field: &str, message: &str| Open311Error::new(StatusCode::BAD_REQUEST, format!("{field}: {message}"), format);
    let param = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let date = |k: &str| -> Result<Option<String>, Open311Error> {
        param(k)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|d| {
                        d.with_timezone(&Utc)
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                    })
                    .map_err(|_| bad(k, "must be a W3C/RFC 3339 date-time"))
            })
            .transpose()
    };
    let ids: Vec<String> = param("service_request_id")
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    let mut statuses = Vec::new();
    for s in param("status")
        .map(|v| v.split(',').collect::<Vec<_>>())
        .unwrap_or_default()
    {
        match s.trim() {
            "open" => statuses.extend(TicketStatus::ALL.into_iter().filter(|t| t.is_open())),
            "closed" => statuses.extend(TicketStatus::ALL.into_iter().filter(|t| !t.is_open())),
            _ => return Err(bad("status", "must be open or closed")),
        }
    }
    let mut created_from = date("start_date")?;
    let created_until = date("end_date")?;
    if ids.is_empty() && created_from.is_none() && created_until.is_none() {
        let from = Utc::now() - Duration::days(DEFAULT_WINDOW_DAYS);
        created_from = Some(from.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    }
    let query = TicketQuery {
        statuses,
        category: param("service_code").map(str::to_owned),
        ids,
        created_from,
        created_until,
        limit: MAX_REQUESTS,
        ..Default::default()
    };
    let requests: Vec<_> = {
        let projection = state.live(tenant).read();
        find(&projection, &query)
            .1
            .into_iter()
            .map(|t| open311::request(tenant, t))
            .collect()
    };
    Ok(requests_doc(format, requests))
}

/// `POST requests`: form-encoded per the spec (JSON accepted too), `api_key` required.
async fn post_request(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, document)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<LimitedBody, AppError>,
) -> Result<Response, Open311Error> {
    let (name, format) = split_format(&document).ok_or_else(|| Open311Error::not_found(&document, Format::Json))?;
    if name != "requests" && name != "servicerequestupdates" {
        return Err(Open311Error::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("cannot POST {document}"),
            format,
        ));
    }
    let tenant = open311_tenant(&state, &tenant_id, format)?;
    let fail = |e: AppError| Open311Error::from_app(e, format);
    let LimitedBody(bytes) = body.map_err(fail)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let params: HashMap<String, String> = if is_json {
        let object: serde_json::Map<String, Value> =
            serde_json::from_slice(&bytes).map_err(|e| fail(AppError::MalformedJson(e.to_string())))?;
        object
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
            .collect()
    } else {
        serde_urlencoded::from_bytes(&bytes).map_err(|e| fail(AppError::MalformedJson(e.to_string())))?
    };
    let secret = params.get("api_key").map(String::as_str).unwrap_or_default();
    let key = match state.auth.key_by_secret(&tenant.id, secret).await {
        Ok(key) => key,
        Err(AuthError::UnknownKey | AuthError::KeyRevoked(_)) => {
            return Err(Open311Error::new(
                StatusCode::FORBIDDEN,
                "api_key: invalid api_key",
                format,
            ))
        }
        Err(e) => return Err(fail(e.into())),
    };
    if name == "servicerequestupdates" {
        return updates::post(&state, &tenant, key, &params, format).await;
    }
    let mut report = open311::report_from_params(&params).map_err(|e| fail(e.into()))?;
    let category = report.get("category").and_then(Value::as_str).unwrap_or_default();
    if !key.covers(category) {
        let message = format!("service_code: this api_key may not report in {category:?}");
        return Err(Open311Error::new(StatusCode::FORBIDDEN, message, format));
    }
    report.insert("actor".into(), Actor::Key(key.name).to_string().into());
    let command = validate(&tenant, report, Utc::now(), new_event_id).map_err(|e: ValidationError| fail(e.into()))?;
    let accepted = write::submit(&state.store, state.live(&tenant), &tenant, command)
        .await
        .map_err(|e| fail(e.into()))?;
    let created = open311::Created {
        service_request_id: accepted.ticket.unwrap_or_default(),
        service_notice: None,
        account_id: None,
    };
    let mut response = requests_doc(format, vec![created]);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}
