//! The document against the route table and the error body: every route is documented
//! (and nothing else), each path parameter is declared, every error answer points at the
//! error body, security follows the guard, and `ErrorBody` is what `AppError` sends.

use super::schemas::ErrorBody;
use super::*;
use crate::error::AppError;
use serde_json::Value;
use std::collections::BTreeSet;

/// The document as JSON.
fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).expect("serialises")
}

/// (METHOD, path) of every operation in `doc`.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                all.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    all
}

/// Every route of the guard's table is in the document, and the document has no other.
#[test]
fn documents_exactly_the_routes_of_the_table() {
    let documented = operations(&document());
    let table: BTreeSet<(String, String)> = guard::ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = table.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&table).collect();
    assert!(missing.is_empty(), "routes without documentation: {missing:?}");
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
    assert_eq!(documented.len(), guard::ROUTES.len());
}

/// A document of OpenAPI 3.1 whose every `{param}` is declared as a path parameter.
#[test]
fn declares_every_path_parameter() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let named: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        assert_eq!(declared, named, "{method} {path}");
    }
}

/// Every 4xx and 5xx answer of the API is the one error body (Open311: the spec's list);
/// the WebSocket's refused upgrade is axum's text.
#[test]
fn every_error_answer_is_the_error_body() {
    let doc = document();
    let api = format!("#/components/schemas/{}", schemas::ERROR_SCHEMA);
    let spec = format!("#/components/schemas/{}", open311::ERROR_SCHEMA);
    let mut errors = 0;
    for (method, path) in operations(&doc) {
        let responses = doc["paths"][&path][method.to_lowercase()]["responses"]
            .as_object()
            .expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2') || s == "101"),
            "{method} {path} has no success answer"
        );
        for (status, response) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
            if path == "/ws" {
                continue;
            }
            let want = if path.starts_with("/open311/") { &spec } else { &api };
            let content = response["content"].as_object().expect("an error has a body");
            assert!(!content.is_empty(), "{method} {path} {status}");
            for (kind, media) in content {
                assert_eq!(
                    media["schema"]["$ref"].as_str(),
                    Some(want.as_str()),
                    "{method} {path} {status} {kind}"
                );
            }
            errors += 1;
        }
    }
    assert!(errors > 100, "only {errors} error answers");
}

/// Tenant routes want a session (and the CSRF header on writes) or, where keys may act, a
/// bearer key; public routes want nothing; the schemes are declared.
#[test]
fn security_follows_the_guard() {
    let doc = document();
    let schemes = doc["components"]["securitySchemes"].as_object().expect("schemes");
    assert_eq!(schemes[SESSION]["in"], "cookie");
    assert_eq!(schemes[SESSION]["name"], SESSION_COOKIE);
    assert_eq!(schemes[CSRF]["name"], CSRF_HEADER);
    assert_eq!(schemes[KEY]["scheme"], "bearer");
    let security = |method: &str, path: &str| doc["paths"][path][method]["security"].clone();
    assert_eq!(
        security("get", "/api/v1/{tenant}/tickets"),
        serde_json::json!([{ SESSION: [] }])
    );
    assert_eq!(
        security("post", "/api/v1/{tenant}/events"),
        serde_json::json!([{ SESSION: [], CSRF: [] }, { KEY: [] }])
    );
    assert_eq!(
        security("post", "/api/v1/{tenant}/tickets/{ticket}/assign"),
        serde_json::json!([{ SESSION: [], CSRF: [] }])
    );
    assert_eq!(security("get", "/api/v1/public/tickets/{ticket}"), Value::Null);
    assert_eq!(security("get", "/healthz"), Value::Null);
    let assign = &doc["paths"]["/api/v1/{tenant}/tickets/{ticket}/assign"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "409", "413", "422", "503"] {
        assert!(assign.get(status).is_some(), "assign lacks {status}");
    }
    assert!(assign["503"]["headers"].get("Retry-After").is_some());
}

/// `ErrorBody` is exactly what `AppError` sends, conflicts' `current_version` included.
#[test]
fn the_error_schema_is_what_app_error_sends() {
    let errors = [
        AppError::MalformedJson("eof".into()),
        AppError::InvalidField {
            field: "reason".into(),
            message: "a reassignment needs a reason".into(),
        },
        AppError::UnknownTenant("x".into()),
        AppError::PayloadTooLarge { limit: 1 },
        AppError::Conflict {
            code: "version_conflict",
            message: "ticket TGR-1 is at version 3".into(),
            field: "expected_version",
            current_version: Some(3),
        },
        AppError::Unauthenticated("sign in first"),
        AppError::TooManyRequests {
            code: "rate_limited",
            retry_after_secs: 1,
        },
    ];
    for e in errors {
        let body = serde_json::json!({ "error": e.body() });
        let parsed: ErrorBody = serde_json::from_value(body.clone()).unwrap_or_else(|err| panic!("{body}: {err}"));
        assert_eq!(parsed.error.code, e.code());
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
    }
}
