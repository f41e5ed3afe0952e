//! Open311 GeoReport v2 (`/open311/v2/{tenant}/…`) for the document. Its handlers serve
//! several documents from one route (`{document}` is `discovery.json`, `services.xml`,
//! `requests.json`, …), so the operations are described here on signatures that are never
//! called. Its errors are the spec's list `[{"code", "description"}]`, not the API's body.

use crate::open311::updates::{RequestUpdate, UpdateCreated};
use crate::open311::{Created, Discovery, Service, ServiceDefinition, ServiceRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Name of the Open311 error list's schema in `components.schemas`.
pub const ERROR_SCHEMA: &str = "Open311Errors";

/// One entry of the spec's error list (XML: `<errors><error>…`).
#[derive(Deserialize, ToSchema)]
pub struct Open311Error {
    /// The HTTP status.
    pub code: u16,
    pub description: String,
}

/// The spec's error answer.
#[derive(Deserialize, ToSchema)]
pub struct Open311Errors(pub Vec<Open311Error>);

/// What `GET {document}` answers, by the document named.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Open311Document {
    /// `discovery`.
    Discovery(Discovery),
    /// `services`.
    Services(Vec<Service>),
    /// `requests` (by `service_request_id`, or by `service_code`, `status`, `start_date`,
    /// `end_date`; 90 days by default).
    Requests(Vec<ServiceRequest>),
    /// `servicerequestupdates` (needs `api_key`; `start_date`, `end_date`).
    Updates(Vec<RequestUpdate>),
}

/// What `POST {document}` answers.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Open311Created {
    /// `requests`: the new request's id.
    Request(Vec<Created>),
    /// `servicerequestupdates`: the event standing for the update.
    Update(Vec<UpdateCreated>),
}

/// The form of `POST requests` and `POST servicerequestupdates` (form-encoded per the spec,
/// JSON accepted too). The reporter's name, e-mail, phone and device id are accepted and
/// dropped.
#[derive(Deserialize, ToSchema)]
pub struct Open311Form {
    /// The tenant's ingest key.
    pub api_key: String,
    /// `requests`: the category.
    pub service_code: Option<String>,
    /// `requests`: WGS84 latitude (required: every ticket is placed in a kecamatan).
    pub lat: Option<f64>,
    /// `requests`: WGS84 longitude.
    pub long: Option<f64>,
    pub address_string: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// `servicerequestupdates`: the request updated.
    pub service_request_id: Option<String>,
    /// `servicerequestupdates`: the caller's id of the update (idempotent).
    pub update_id: Option<String>,
    /// `servicerequestupdates`: `open` or `closed` (or `external_status_code`).
    pub status: Option<String>,
    pub external_status_code: Option<String>,
    pub updated_datetime: Option<String>,
}

/// `{tenant}` and `{document}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DocumentPath {
    /// The tenant's id (`tangerang`).
    pub tenant: String,
    /// `discovery`, `services`, `requests` or `servicerequestupdates`, with `.json` or
    /// `.xml`.
    #[param(example = "requests.json")]
    pub document: String,
}

/// `{tenant}` and `{code}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ServicePath {
    pub tenant: String,
    /// A service code with `.json` or `.xml` (`sampah.json`).
    pub code: String,
}

/// `{tenant}` and `{id}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RequestPath {
    pub tenant: String,
    /// A service request id (a ticket number) with `.json` or `.xml` (`TGR-000042.json`).
    pub id: String,
}

/// Discovery, services, service requests and their updates, as JSON or XML.
#[utoipa::path(get, path = "/open311/v2/{tenant}/{document}", tag = "open311",
    params(DocumentPath),
    responses(
        (status = 200, description = "The document", content(
            (Open311Document = "application/json"),
            (String = "application/xml"),
        )),
        (status = 400, description = "A parameter is wrong (it is named)", body = Open311Errors),
        (status = 403, description = "`servicerequestupdates`: invalid `api_key`", body = Open311Errors),
        (status = 404, description = "Unknown tenant or document", body = Open311Errors),
        (status = 503, description = "Redis unavailable", body = Open311Errors),
    ))]
pub fn get_document() {}

/// File a service request (`requests`) or an update of one (`servicerequestupdates`).
#[utoipa::path(post, path = "/open311/v2/{tenant}/{document}", tag = "open311",
    params(DocumentPath),
    request_body(content(
        (Open311Form = "application/x-www-form-urlencoded"),
        (Open311Form = "application/json"),
    )),
    responses(
        (status = 201, description = "Filed", content(
            (Open311Created = "application/json"),
            (String = "application/xml"),
        )),
        (status = 400, description = "A parameter is missing or wrong (it is named)", body = Open311Errors),
        (status = 403, description = "Invalid `api_key`, or a category it may not report in", body = Open311Errors),
        (status = 404, description = "Unknown tenant, document or service request", body = Open311Errors),
        (status = 405, description = "A document that cannot be POSTed", body = Open311Errors),
        (status = 409, description = "The update is not allowed now", body = Open311Errors),
        (status = 413, description = "The body is too large", body = Open311Errors),
        (status = 503, description = "Redis unavailable", body = Open311Errors),
    ))]
pub fn post_document() {}

/// A service's definition (no category needs extra attributes).
#[utoipa::path(get, path = "/open311/v2/{tenant}/services/{code}", tag = "open311",
    params(ServicePath),
    responses(
        (status = 200, description = "The definition", content(
            (ServiceDefinition = "application/json"),
            (String = "application/xml"),
        )),
        (status = 404, description = "Unknown tenant or service", body = Open311Errors),
    ))]
pub fn get_service_definition() {}

/// One service request.
#[utoipa::path(get, path = "/open311/v2/{tenant}/requests/{id}", tag = "open311",
    params(RequestPath),
    responses(
        (status = 200, description = "A list of one request", content(
            (Vec<ServiceRequest> = "application/json"),
            (String = "application/xml"),
        )),
        (status = 404, description = "Unknown tenant or request", body = Open311Errors),
    ))]
pub fn get_request() {}
