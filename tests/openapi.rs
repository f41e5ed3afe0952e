//! `GET /api/openapi.json` end to end: the real server, real Redis. The served document is
//! OpenAPI 3.x JSON, is exactly the one the server's code generates
//! (`pantau_server::http::openapi::ApiDoc`), names every route of the guard's table
//! (`pantau_server::http::guard::ROUTES`, read at test time), and every `$ref` in it
//! resolves. Then the document is held to what the server does: every route is called
//! with no credentials and as the superadmin, and each answer's status must be one the
//! document lists for that operation — an error answer with the one error body.

use pantau_e2e::{report, Credentials, Pantau, RedisServer};
use pantau_server::http::guard::ROUTES;
use pantau_server::http::openapi::ApiDoc;
use reqwest::Method;
use serde_json::Value;
use utoipa::OpenApi;

/// A concrete URI for a route pattern, in Tangerang.
fn uri(pattern: &str, ticket: &str) -> String {
    pattern
        .replace("{tenant}", "tangerang")
        .replace("{ticket}", ticket)
        .replace("{document}", "services.json")
        .replace("{code}", "sampah.json")
        .replace("{id}", &format!("{ticket}.json"))
        .replace("{poll}", "0123")
        .replace("{file}", "nope.jpg")
}

/// Every `$ref` under `value` (`#/components/schemas/…`).
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r);
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The served document: OpenAPI 3.x JSON, the generated one, every route in it, every
/// reference resolving.
#[tokio::test]
async fn serves_the_generated_document_of_every_route() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let response = pantau
        .request(Method::GET, "/api/openapi.json", Credentials::Nobody)
        .send()
        .await
        .expect("server answers");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let served: Value = response.json().await.expect("JSON");

    let version = served["openapi"].as_str().expect("an `openapi` version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, not {version}");
    assert!(served["info"]["title"].is_string() && served["info"]["version"].is_string());
    assert!(served["paths"].is_object());

    // For people to read (tests/artifacts is not committed).
    let artifacts = pantau_e2e::workspace_root().join("tests/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(
        artifacts.join("openapi.json"),
        serde_json::to_string_pretty(&served).unwrap(),
    )
    .unwrap();

    let generated = serde_json::to_value(ApiDoc::openapi()).unwrap();
    assert_eq!(served, generated, "the served document is the generated one");

    for (method, path, _) in ROUTES {
        let op = &served["paths"][*path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in the document");
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path}"
        );
    }

    let mut all = Vec::new();
    refs(&served, &mut all);
    assert!(all.len() > 100, "only {} references", all.len());
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
        assert!(
            served["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
}

/// Every route answers, with no credentials and as the superadmin, only statuses the
/// document lists for it; an API error comes with the error body the document names.
#[tokio::test]
async fn every_answer_is_one_the_document_lists() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let (status, body) = pantau.post_event("tangerang", &report("lampu jalan mati")).await;
    assert_eq!(status, 202, "{body}");
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();

    let mut checked = 0;
    let mut seen = std::collections::BTreeSet::new();
    for (method, pattern, _) in ROUTES {
        // The socket wants an upgrade; signing out would end the session the loop uses.
        if *pattern == "/ws" || (*method, *pattern) == ("DELETE", "/api/v1/session") {
            continue;
        }
        let op = &doc["paths"][*pattern][method.to_lowercase()];
        let listed = op["responses"].as_object().expect("documented");
        for who in [Credentials::Nobody, Credentials::User(&pantau.admin)] {
            let request = pantau.request(method.parse().unwrap(), &uri(pattern, &ticket), who);
            let request = if *method == "GET" {
                request
            } else {
                request.header("content-type", "application/json").body("{}")
            };
            let response = request.send().await.expect("server answers");
            let status = response.status().as_u16().to_string();
            seen.insert(status.clone());
            let text = response.text().await.unwrap_or_default();
            assert!(
                listed.contains_key(&status),
                "{method} {pattern} as {who:?} answered {status}, which the document does not list: {text}"
            );
            if status.as_str() >= "400" && pattern.starts_with("/api/") {
                let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {pattern}: {text}"));
                let error = body["error"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{method} {pattern}: {text}"));
                assert!(error["code"].is_string() && error["message"].is_string(), "{text}");
                let schema = &listed[&status]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {pattern} {status}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2 * (ROUTES.len() - 2), "checked {checked}");
    for status in ["200", "201", "401", "404", "405", "409", "422"] {
        assert!(seen.contains(status), "no route answered {status}: {seen:?}");
    }
}
