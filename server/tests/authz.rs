//! The authorisation matrix: every route of `http::guard::ROUTES` × every kind of caller —
//! nobody, each role of Tangerang, each role of Banjar (another tenant), the superadmin, a
//! key of each tenant — asserting allow or deny as the table says; then a hand-written list
//! of expectations, so that a wrong table is caught too; CSRF; and the socket's gate for
//! each role and tenant.

mod common;

use axum::http::{Method, StatusCode};
use common::{call, key, signed_in, Creds};
use pantau_e2e::RedisServer;
use pantau_server::auth::store::SessionToken;
use pantau_server::auth::{Action, Principal, Role};
use pantau_server::http::guard::{Access, ROUTES};
use pantau_server::realtime::session::{Credentials, Gate};
use pantau_server::state::AppState;
use pantau_shared::fixtures::posted_report;
use std::collections::HashMap;
use std::sync::Arc;

/// A caller of the matrix: its label, credentials, and who it is (for the expectation).
struct Caller {
    label: String,
    creds: Creds,
    principal: Option<Principal>,
}

async fn callers(state: &Arc<AppState>, app: &axum::Router) -> Vec<Caller> {
    let mut all = vec![Caller {
        label: "nobody".into(),
        creds: Creds::None,
        principal: None,
    }];
    let roles = [
        Role::Viewer,
        Role::Operator,
        Role::Supervisor,
        Role::Executive,
        Role::Admin,
    ];
    for tenant in ["tangerang", "banjar"] {
        for role in roles {
            let name = format!("{}-{}", &tenant[..3], role.as_str());
            all.push(Caller {
                label: format!("{tenant} {}", role.as_str()),
                creds: signed_in(state, app, Some(tenant), &name, role).await,
                principal: Some(Principal::User {
                    tenant: Some(tenant.into()),
                    name,
                    role,
                }),
            });
        }
        all.push(Caller {
            label: format!("{tenant} key"),
            creds: key(state, tenant, "source", &[]).await,
            principal: Some(Principal::Key {
                tenant: tenant.into(),
                name: "source".into(),
                categories: vec![],
            }),
        });
    }
    all.push(Caller {
        label: "superadmin".into(),
        creds: signed_in(state, app, None, "root", Role::Superadmin).await,
        principal: Some(Principal::User {
            tenant: None,
            name: "root".into(),
            role: Role::Superadmin,
        }),
    });
    all
}

/// A concrete URI for a route pattern, in Tangerang.
fn uri(pattern: &str, ticket: &str) -> String {
    pattern
        .replace("{tenant}", "tangerang")
        .replace("{ticket}", ticket)
        .replace("{document}", "services.json")
        .replace("{code}", "sampah.json")
        .replace("{id}", &format!("{ticket}.json"))
        .replace("{poll}", "0123")
}

/// Whether the guard let the request through (the handler may still refuse the body).
fn passed(status: StatusCode) -> bool {
    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN
}

/// What the table says for `caller` on a route with `access`.
fn expected(access: Access, caller: &Option<Principal>) -> bool {
    match (access, caller) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::SignedIn, Some(Principal::User { .. })) => true,
        (Access::SignedIn, Some(_)) => false,
        (Access::Tenant(action), Some(p)) => p.may(action, "tangerang"),
    }
}

/// Every route × every caller gets what the table says: 401 without credentials, 403 for
/// the wrong role or tenant, through otherwise — and the hand-written list agrees.
#[tokio::test]
async fn every_route_and_caller_is_decided_by_the_table() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let callers = callers(&state, &app).await;
    let source = &callers.iter().find(|c| c.label == "tangerang key").unwrap().creds;
    let (status, body) = call(
        &app,
        source,
        Method::POST,
        "/api/v1/tangerang/events",
        posted_report("x").to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();

    let mut outcome: HashMap<(String, String, String), bool> = HashMap::new();
    for (method, pattern, access) in ROUTES {
        if *pattern == "/ws" || (*method, *pattern) == ("DELETE", "/api/v1/session") {
            continue; // the upgrade needs a socket (see the gate test); sign-out ends the session
        }
        let method: Method = method.parse().unwrap();
        for caller in &callers {
            let (status, body) = call(&app, &caller.creds, method.clone(), &uri(pattern, &ticket), "{}").await;
            let through = passed(status);
            assert_eq!(
                through,
                expected(*access, &caller.principal),
                "{method} {pattern} as {}: {status} {body}",
                caller.label
            );
            if !through && caller.principal.is_none() && *access != Access::Public {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {pattern}: no credentials is 401"
                );
            }
            outcome.insert((method.to_string(), pattern.to_string(), caller.label.clone()), through);
        }
    }

    // The table itself, checked by hand on the routes that matter most.
    let hand: &[(&str, &str, &str, bool)] = &[
        ("GET", "/api/v1/{tenant}/tickets", "nobody", false),
        ("GET", "/api/v1/{tenant}/tickets", "tangerang viewer", true),
        ("GET", "/api/v1/{tenant}/tickets", "banjar admin", false),
        ("GET", "/api/v1/{tenant}/tickets", "tangerang key", false),
        ("GET", "/api/v1/{tenant}/tickets", "superadmin", true),
        ("GET", "/api/v1/{tenant}/tickets/{ticket}", "banjar viewer", false),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/comment",
            "tangerang viewer",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/comment",
            "tangerang operator",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/status",
            "tangerang operator",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/status",
            "tangerang executive",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/assign",
            "tangerang operator",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/assign",
            "tangerang supervisor",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/assign",
            "banjar supervisor",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/priority",
            "tangerang supervisor",
            true,
        ),
        ("POST", "/api/v1/{tenant}/events", "tangerang key", true),
        ("POST", "/api/v1/{tenant}/events", "banjar key", false),
        ("POST", "/api/v1/{tenant}/events", "tangerang supervisor", false),
        ("POST", "/api/v1/{tenant}/events", "tangerang admin", true),
        ("GET", "/api/v1/session", "nobody", false),
        ("GET", "/api/v1/session", "tangerang viewer", true),
        ("GET", "/api/v1/session", "tangerang key", false),
        ("GET", "/open311/v2/{tenant}/{document}", "nobody", true),
        ("GET", "/healthz", "nobody", true),
        ("GET", "/api/v1/{tenant}/audit", "tangerang supervisor", false),
        ("GET", "/api/v1/{tenant}/audit", "tangerang admin", true),
        ("GET", "/api/v1/{tenant}/audit", "banjar admin", false),
        ("POST", "/api/v1/{tenant}/screens", "tangerang admin", true),
        ("POST", "/api/v1/{tenant}/screens", "tangerang executive", false),
        ("DELETE", "/api/v1/{tenant}/screens/{id}", "tangerang viewer", false),
        ("PUT", "/api/v1/{tenant}/screens/{id}/replay", "tangerang admin", true),
        (
            "PUT",
            "/api/v1/{tenant}/screens/{id}/replay",
            "tangerang supervisor",
            false,
        ),
        ("PUT", "/api/v1/{tenant}/screens/{id}/replay", "banjar admin", false),
        (
            "DELETE",
            "/api/v1/{tenant}/screens/{id}/replay",
            "tangerang viewer",
            false,
        ),
        ("POST", "/api/v1/screens/pairing", "nobody", true),
        (
            "POST",
            "/api/v1/{tenant}/tickets/bulk/assign",
            "tangerang operator",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/bulk/assign",
            "tangerang supervisor",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/bulk/assign",
            "banjar supervisor",
            false,
        ),
        ("POST", "/api/v1/{tenant}/tickets/bulk/assign", "tangerang key", false),
        ("GET", "/api/v1/{tenant}/workload", "tangerang viewer", true),
        ("GET", "/api/v1/{tenant}/workload", "banjar admin", false),
        ("GET", "/api/v1/{tenant}/workload", "nobody", false),
        ("GET", "/api/v1/{tenant}/state", "tangerang viewer", true),
        ("GET", "/api/v1/{tenant}/state", "banjar admin", false),
        ("GET", "/api/v1/{tenant}/state", "tangerang key", false),
        ("GET", "/api/v1/{tenant}/kpis", "tangerang executive", true),
        ("GET", "/api/v1/{tenant}/kpis", "tangerang admin", true),
        ("GET", "/api/v1/{tenant}/kpis", "tangerang operator", false),
        ("GET", "/api/v1/{tenant}/kpis", "tangerang supervisor", false),
        ("GET", "/api/v1/{tenant}/kpis", "banjar executive", false),
        (
            "GET",
            "/api/v1/{tenant}/export/tickets.csv",
            "tangerang executive",
            true,
        ),
        ("GET", "/api/v1/{tenant}/export/tickets.csv", "tangerang viewer", false),
        (
            "GET",
            "/api/v1/{tenant}/export/tickets.geojson",
            "tangerang admin",
            true,
        ),
        ("GET", "/api/v1/{tenant}/export/tickets.geojson", "tangerang key", false),
        ("GET", "/api/v1/{tenant}/export/kpis.csv", "tangerang executive", true),
        ("GET", "/api/v1/{tenant}/export/kpis.csv", "tangerang operator", false),
        // The complaint workflow: operators verify, validate and merge; viewers, executives
        // and keys do not (a key may upload photos); the webhook log is for admins.
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/verify",
            "tangerang operator",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/verify",
            "tangerang viewer",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/verify",
            "tangerang key",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/validate",
            "tangerang operator",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/validate",
            "tangerang executive",
            false,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/merge",
            "tangerang operator",
            true,
        ),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/merge",
            "banjar operator",
            false,
        ),
        ("POST", "/api/v1/{tenant}/tickets/{ticket}/media", "tangerang key", true),
        (
            "POST",
            "/api/v1/{tenant}/tickets/{ticket}/media",
            "tangerang viewer",
            false,
        ),
        ("GET", "/api/v1/{tenant}/webhooks/deliveries", "tangerang admin", true),
        (
            "GET",
            "/api/v1/{tenant}/webhooks/deliveries",
            "tangerang supervisor",
            false,
        ),
        ("GET", "/api/v1/public/tickets/{ticket}", "nobody", true),
    ];
    for (method, pattern, caller, allowed) in hand {
        let got = outcome[&(method.to_string(), pattern.to_string(), caller.to_string())];
        assert_eq!(got, *allowed, "{method} {pattern} as {caller}");
    }
}

/// A signed-in write without the CSRF token is refused (403 `csrf`); with it, it passes.
#[tokio::test]
async fn cookie_writes_need_the_csrf_token() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let Creds::Session { cookie, csrf } = signed_in(&state, &app, Some("tangerang"), "ani", Role::Admin).await else {
        unreachable!()
    };
    let forged = Creds::Session {
        cookie: cookie.clone(),
        csrf: "0".repeat(64),
    };
    let report = posted_report("x").to_string();
    let (status, body) = call(&app, &forged, Method::POST, "/api/v1/tangerang/events", report.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    let (status, _) = call(
        &app,
        &Creds::Session { cookie, csrf },
        Method::POST,
        "/api/v1/tangerang/events",
        report,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

/// The socket's gate: every role may watch its own tenant and no other (the superadmin
/// every tenant); a session that was ended is no longer admitted.
#[tokio::test]
async fn the_socket_admits_each_role_to_its_own_tenant() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    for caller in callers(&state, &app).await {
        let Creds::Session { cookie, .. } = &caller.creds else {
            continue;
        };
        let token: SessionToken = cookie.trim_start_matches("pantau_session=").parse().unwrap();
        let principal = state.admit(&Credentials::Session(token.clone())).await.unwrap();
        let principal = principal.unwrap_or_else(|| panic!("{} is admitted", caller.label));
        for tenant in ["tangerang", "banjar"] {
            let home = caller.label.starts_with(tenant) || caller.label == "superadmin";
            assert_eq!(
                principal.may(Action::Subscribe, tenant),
                home,
                "{} watching {tenant}",
                caller.label
            );
        }
        state.auth.end_session(&token).await.unwrap();
        assert_eq!(
            state.admit(&Credentials::Session(token)).await,
            Ok(None),
            "{} signed out",
            caller.label
        );
    }
}

/// An API key over its rate is refused with 429 `rate_limited` and a Retry-After, a batch
/// counts each line, and another key is not affected.
#[tokio::test]
async fn keys_are_rate_limited() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app_with(&redis, &["--key-rate", "1", "--key-burst", "3"]).await;
    let busy = key(&state, "tangerang", "busy", &[]).await;
    let quiet = key(&state, "tangerang", "quiet", &[]).await;
    let report = posted_report("x").to_string();
    let batch = [report.clone(), report.clone()].join("\n");
    let (status, _) = common::call_as(
        &app,
        &busy,
        Method::POST,
        "/api/v1/tangerang/events",
        "application/x-ndjson",
        batch,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = call(&app, &busy, Method::POST, "/api/v1/tangerang/events", report.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "the third event of a burst of 3");
    let (status, body) = call(&app, &busy, Method::POST, "/api/v1/tangerang/events", report.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    let (status, _) = call(&app, &quiet, Method::POST, "/api/v1/tangerang/events", report).await;
    assert_eq!(status, StatusCode::ACCEPTED, "keys have their own buckets");
}
