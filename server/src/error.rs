//! `AppError`: every failure an HTTP caller can see, mapped to a status and the JSON body
//! `{"error": {"code", "message", "field"?}}` in one place. 5xx bodies say little; the cause
//! is logged once, here.

use crate::auth::password::PasswordError;
use crate::auth::store::AuthError;
use crate::store::StoreError;
use crate::validate::ValidationError;
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
    /// An uploaded file (a multipart part, `field`) exceeds its limit.
    #[error("{field} exceeds the limit of {limit} bytes")]
    FileTooLarge { field: &'static str, limit: u64 },
    /// Something named in the URL does not exist.
    #[error("{what} not found")]
    NotFound { what: String, field: &'static str },
    /// The URL exists but not with this method.
    #[error("method {0} not allowed here")]
    MethodNotAllowed(String),
    /// The ticket changed since the caller read it, or the change is not allowed now.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: &'static str,
        current_version: Option<u64>,
    },
    /// No credentials, or credentials that are no longer valid.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Sign-in refused: the name, the password or the account (one answer for all three).
    #[error("wrong name or password")]
    BadCredentials,
    /// Authenticated, but not allowed this here (`code`: `forbidden`, `csrf`, `category`).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Too many attempts (`code`: `locked_out`, `rate_limited`); retry after the seconds.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { code: &'static str, retry_after_secs: u64 },
    /// The request body arrived too slowly (or the request took too long).
    #[error("{0}")]
    RequestTimeout(&'static str),
    /// The server holds as many connections as it may; retry after the seconds.
    #[error("the server is at its connection limit; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// The event log could not be written or read.
    #[error("event store unavailable")]
    Store(#[source] StoreError),
    /// The auth records could not be read or written.
    #[error("auth store unavailable")]
    Auth(#[source] AuthError),
    /// The photo store could not be read or written.
    #[error("media store unavailable")]
    Media(#[source] crate::media::MediaError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::VersionConflict { ticket, current } => AppError::Conflict {
                code: "version_conflict",
                message: format!("ticket {ticket} is at version {current}"),
                field: "expected_version",
                current_version: Some(current),
            },
            StoreError::InvalidTransition { ticket, from, to } => AppError::Conflict {
                code: "invalid_transition",
                message: if (from.as_str(), to.as_str()) == ("resolved", "closed") {
                    // Only with the tenant's validation step: otherwise the move is allowed.
                    format!("ticket {ticket} waits for validation: POST …/validate closes it")
                } else {
                    format!("ticket {ticket} cannot move from {from} to {to}")
                },
                field: "status",
                current_version: None,
            },
            StoreError::NoSuchTicket(ticket) => AppError::NotFound {
                what: format!("ticket {ticket}"),
                field: "ticket",
            },
            StoreError::Rejected(message) => AppError::InvalidField {
                field: "ticket".into(),
                message,
            },
            other => AppError::Store(other),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::NoSuchUser(_) | AuthError::WrongPassword | AuthError::Disabled(_) => AppError::BadCredentials,
            AuthError::UnknownKey | AuthError::KeyRevoked(_) => AppError::Unauthenticated("unknown or revoked API key"),
            AuthError::InvalidName(_) | AuthError::Password(PasswordError::TooShort) => AppError::InvalidField {
                field: "name".into(),
                message: e.to_string(),
            },
            other => AppError::Auth(other),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        match e {
            ValidationError::Malformed(m) => AppError::MalformedJson(m),
            ValidationError::Invalid { field, message } => AppError::InvalidField { field, message },
        }
    }
}

impl AppError {
    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            AppError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnknownTenant(_) => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge { .. } | AppError::FileTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Unauthenticated(_) | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(_) | AppError::Auth(_) | AppError::Media(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The error's string code (`invalid_field`, `version_conflict`, …).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::MalformedJson(_) => "malformed_json",
            AppError::InvalidField { .. } => "invalid_field",
            AppError::UnknownTenant(_) => "unknown_tenant",
            AppError::PayloadTooLarge { .. } | AppError::FileTooLarge { .. } => "payload_too_large",
            AppError::NotFound { .. } => "not_found",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::Conflict { code, .. } => code,
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden { code, .. } | AppError::TooManyRequests { code, .. } => code,
            AppError::RequestTimeout(_) => "request_timeout",
            AppError::Busy { .. } => "server_busy",
            AppError::Store(_) | AppError::Auth(_) | AppError::Media(_) => "store_unavailable",
        }
    }

    /// The request field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::InvalidField { field, .. } => Some(field),
            AppError::UnknownTenant(_) => Some("tenant"),
            AppError::FileTooLarge { field, .. } => Some(field),
            AppError::NotFound { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The inner error object `{code, message, field?, current_version?}`: the same in a
    /// response body and in an NDJSON batch's `rejected[]`.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let Some(field) = self.field() {
            error["field"] = json!(field);
        }
        if let AppError::Conflict {
            current_version: Some(v),
            ..
        } = self
        {
            error["current_version"] = json!(v);
        }
        error
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Store(cause) = &self {
            tracing::error!(error = %cause, "event store failed");
        }
        if let AppError::Auth(cause) = &self {
            tracing::error!(error = %cause, "auth store failed");
        }
        if let AppError::Media(cause) = &self {
            tracing::error!(error = %cause, "media store failed");
        }
        let mut response = (status, Json(json!({ "error": self.body() }))).into_response();
        response.extensions_mut().insert(crate::metrics::ErrorCode(self.code()));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        if let AppError::TooManyRequests { retry_after_secs, .. } | AppError::Busy { retry_after_secs } = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_secs));
        }
        response
    }
}
