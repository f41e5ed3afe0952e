//! `AppError`: every failure an HTTP caller can see, mapped to a status and the JSON body
//! `{"error": {"code", "message", "field"?}}` in one place. 5xx bodies say little; the cause
//! is logged once, here.

use crate::ingest::IngestError;
use crate::store::StoreError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Seconds a client should wait before retrying when Redis is unavailable.
const RETRY_AFTER_SECS: &str = "2";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request body is not JSON at all.
    #[error("request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// A field is missing or has a bad value.
    #[error("{message}")]
    InvalidField { field: String, message: String },
    /// The URL names a tenant this deployment does not serve.
    #[error("unknown tenant {0:?}")]
    UnknownTenant(String),
    /// The body exceeds the configured limit.
    #[error("request body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The event log could not be written or read.
    #[error("event store unavailable")]
    Store(#[from] StoreError),
}

impl From<IngestError> for AppError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Malformed(m) => AppError::MalformedJson(m),
            IngestError::Invalid { field, message } => AppError::InvalidField { field, message },
        }
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            AppError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnknownTenant(_) => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::MalformedJson(_) => "malformed_json",
            AppError::InvalidField { .. } => "invalid_field",
            AppError::UnknownTenant(_) => "unknown_tenant",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::Store(_) => "store_unavailable",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            AppError::InvalidField { field, .. } => Some(field),
            AppError::UnknownTenant(_) => Some("tenant"),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Store(cause) = &self {
            tracing::error!(error = %cause, "event store failed");
        }
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let Some(field) = self.field() {
            error["field"] = json!(field);
        }
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        response
    }
}
