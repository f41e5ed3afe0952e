//! The executive API over `http::app()` and a real redis-server: `GET /kpis` numbers for a
//! small fixture put straight into Tangerang's projection (no tailer runs here), who may
//! read them, and the exports parsed back (CSV with its BOM, GeoJSON with a GeoJSON parser,
//! chunks of a streamed export joined up).

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{Duration, Utc};
use common::{call, signed_in, Creds};
use pantau_e2e::RedisServer;
use pantau_server::auth::Role;
use pantau_server::state::AppState;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Assignment, Event, EventBody, StatusChange, TicketStatus};
use pantau_shared::fixtures;
use pantau_shared::stats::KpiReport;
use std::sync::Arc;
use tower::ServiceExt;

/// `minutes` before the test binary's first call (one base, so durations are exact).
fn ago(minutes: i64) -> String {
    static BASE: std::sync::OnceLock<chrono::DateTime<Utc>> = std::sync::OnceLock::new();
    (*BASE.get_or_init(Utc::now) - Duration::minutes(minutes)).to_rfc3339()
}

fn assign(id: &str, minutes_ago: i64, agency: &str) -> Event {
    let body = EventBody::TicketAssigned(Assignment {
        agency: agency.into(),
        officer: Some("budi".into()),
        reason: None,
    });
    fixtures::event(id, &ago(minutes_ago), body)
}

/// Apply `events` to Tangerang's projection, after the entries already there.
fn apply(state: &AppState, events: Vec<Event>) {
    let mut p = state.live["tangerang"].write();
    let next = p.cursor().ms + 1;
    let entries: Vec<(Cursor, Event)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            (
                Cursor {
                    ms: next,
                    seq: i as u64,
                },
                e,
            )
        })
        .collect();
    p.apply_batch(&entries);
}

/// T1 reported 3 h ago, assigned to dlh 10 min later, resolved 1 h ago; T2 reported 2 h ago
/// (dlh, open); T3 reported 1 h ago, assigned to pupr 30 min later (open). All within the
/// last 7 local days whatever the hour the test runs.
fn fixture(state: &AppState) {
    let resolved = EventBody::StatusChanged(StatusChange {
        status: TicketStatus::Resolved,
        note: None,
        reason: None,
    });
    apply(
        state,
        vec![
            fixtures::report("T1", "sampah", &ago(180)),
            assign("T1", 170, "dlh"),
            fixtures::report("T2", "sampah", &ago(120)),
            fixtures::report("T3", "banjir", &ago(60)),
            assign("T3", 30, "pupr"),
            fixtures::event("T1", &ago(60), resolved),
        ],
    );
}

/// GET `uri` as `creds`: status, headers, raw body.
async fn get_raw(app: &axum::Router, creds: &Creds, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Creds::Session { cookie, .. } = creds {
        request = request.header("cookie", cookie);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, bytes.to_vec())
}

async fn setup(redis: &RedisServer) -> (Arc<AppState>, axum::Router, Creds) {
    let (state, app) = common::app(redis).await;
    let executive = signed_in(&state, &app, Some("tangerang"), "bupati", Role::Executive).await;
    (state, app, executive)
}

/// The 7-day report of the fixture, by agency, has the hand-counted numbers; the default
/// window is today; the wire shape is `KpiReport`.
#[tokio::test]
async fn kpis_of_a_fixture() {
    let redis = RedisServer::start().await;
    let (state, app, executive) = setup(&redis).await;
    fixture(&state);
    let (status, body) = call(
        &app,
        &executive,
        Method::GET,
        "/api/v1/tangerang/kpis?window=7d&by=agency",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r: KpiReport = serde_json::from_value(body).unwrap();
    assert_eq!(
        (r.tenant.as_str(), r.window.as_str(), r.utc_offset_minutes),
        ("tangerang", "7d", 420)
    );
    let t = &r.totals;
    assert_eq!((t.intake, t.backlog, t.resolved, t.reopened), (3, 2, 1, 0));
    assert_eq!((t.response_wall.count, t.response_wall.median), (2, Some(20.0)));
    assert_eq!((t.resolution_wall.count, t.resolution_wall.median), (1, Some(120.0)));
    assert_eq!(r.previous.intake, 0);
    let by = r.by.unwrap();
    let rows: Vec<(&str, u64, u64)> = by
        .rows
        .iter()
        .map(|r| (r.key.as_str(), r.kpis.intake, r.kpis.backlog))
        .collect();
    assert_eq!(rows, [("dlh", 2, 1), ("pupr", 1, 1)]);
    assert_eq!(r.trend.daily.len(), 30);
    assert_eq!(r.trend.daily.iter().map(|b| b.intake).sum::<u64>(), 3);
    let open: u64 = r.forecast.per_agency.iter().map(|a| a.open).sum();
    assert_eq!(open, 2);
    let (status, body) = call(&app, &executive, Method::GET, "/api/v1/tangerang/kpis", "").await;
    assert_eq!((status, body["window"].as_str()), (StatusCode::OK, Some("today")));
    assert!(body.get("by").is_none());
}

/// Executives and admins read KPIs and exports; operators and viewers get 403; a bad
/// `window`, `by`, `from` or `to` is refused naming it.
#[tokio::test]
async fn who_may_read_and_bad_parameters() {
    let redis = RedisServer::start().await;
    let (state, app, executive) = setup(&redis).await;
    let operator = signed_in(&state, &app, Some("tangerang"), "ops", Role::Operator).await;
    let admin = signed_in(&state, &app, Some("tangerang"), "adm", Role::Admin).await;
    for uri in ["/api/v1/tangerang/kpis", "/api/v1/tangerang/export/tickets.csv"] {
        assert_eq!(get_raw(&app, &operator, uri).await.0, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(get_raw(&app, &executive, uri).await.0, StatusCode::OK, "{uri}");
        assert_eq!(get_raw(&app, &admin, uri).await.0, StatusCode::OK, "{uri}");
    }
    for (uri, field) in [
        ("/api/v1/tangerang/kpis?window=week", "window"),
        ("/api/v1/tangerang/kpis?by=officer", "by"),
        ("/api/v1/tangerang/export/kpis.csv?window=1y", "window"),
        ("/api/v1/tangerang/export/tickets.csv?from=yesterday", "from"),
        ("/api/v1/tangerang/export/tickets.geojson?to=2026-13-01", "to"),
        (
            "/api/v1/tangerang/export/tickets.csv?from=2026-12-02&to=2026-12-01",
            "to",
        ),
    ] {
        let (status, body) = call(&app, &executive, Method::GET, uri, "").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {body}");
        assert_eq!(body["error"]["field"], field, "{uri}: {body}");
    }
}

/// `tickets.csv` starts with a BOM, is a download, parses back into one row per ticket
/// (filtered by agency and by date), and `kpis.csv` holds the totals and each breakdown row
/// for both periods.
#[tokio::test]
async fn csv_exports_parse_back() {
    let redis = RedisServer::start().await;
    let (state, app, executive) = setup(&redis).await;
    fixture(&state);
    let (status, headers, body) = get_raw(&app, &executive, "/api/v1/tangerang/export/tickets.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"tangerang-tickets-") && disposition.ends_with(".csv\""));
    assert!(body.starts_with("\u{feff}".as_bytes()), "BOM first");
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| &r[col("id")]).collect();
    assert_eq!(ids, ["T1", "T2", "T3"], "oldest report first");
    assert_eq!(
        (&rows[0][col("status")], &rows[0][col("officer")]),
        ("resolved", "budi")
    );
    assert_eq!(&rows[0][col("resolution_minutes")], "120.0");
    let (_, _, pupr) = get_raw(&app, &executive, "/api/v1/tangerang/export/tickets.csv?agency=pupr").await;
    assert_eq!(csv::Reader::from_reader(&pupr[3..]).records().count(), 1);
    let (_, _, old) = get_raw(&app, &executive, "/api/v1/tangerang/export/tickets.csv?to=2020-01-01").await;
    assert_eq!(csv::Reader::from_reader(&old[3..]).records().count(), 0);

    let (status, headers, body) = get_raw(
        &app,
        &executive,
        "/api/v1/tangerang/export/kpis.csv?window=7d&by=agency",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("kpis-7d"));
    assert!(body.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let keyed: Vec<(&str, &str, &str)> = rows.iter().map(|r| (&r[0], &r[1], &r[3])).collect();
    assert_eq!(
        keyed,
        [
            ("all", "", "current"),
            ("all", "", "previous"),
            ("agency", "dlh", "current"),
            ("agency", "dlh", "previous"),
            ("agency", "pupr", "current"),
            ("agency", "pupr", "previous"),
        ]
    );
    let intake = header.iter().position(|h| h == "intake").unwrap();
    assert_eq!(&rows[0][intake], "3");
}

/// `tickets.geojson` is a FeatureCollection of Points a GeoJSON parser accepts, with the
/// tickets' properties; a streamed export longer than one chunk joins up (CSV and GeoJSON).
#[tokio::test]
async fn geojson_export_and_chunks() {
    let redis = RedisServer::start().await;
    let (state, app, executive) = setup(&redis).await;
    fixture(&state);
    let (status, headers, body) = get_raw(&app, &executive, "/api/v1/tangerang/export/tickets.geojson").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    let geo: geojson::GeoJson = std::str::from_utf8(&body).unwrap().parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = geo else {
        panic!("not a FeatureCollection")
    };
    assert_eq!(fc.features.len(), 3);
    let f = &fc.features[0];
    let Some(geojson::GeometryValue::Point { coordinates }) = f.geometry.as_ref().map(|g| &g.value) else {
        panic!("not a Point: {f:?}")
    };
    assert_eq!((coordinates[0], coordinates[1]), (fixtures::POINT.1, fixtures::POINT.0));
    assert_eq!(f.property("id").and_then(|v| v.as_str()), Some("T1"));

    let n = pantau_server::http::export::CHUNK * 2 + 7;
    apply(
        &state,
        (0..n)
            .map(|i| fixtures::report(&format!("B{i:05}"), "sampah", &ago(10)))
            .collect(),
    );
    let (_, _, body) = get_raw(&app, &executive, "/api/v1/tangerang/export/tickets.geojson").await;
    let geo: geojson::GeoJson = std::str::from_utf8(&body).unwrap().parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = geo else {
        panic!("not a FeatureCollection")
    };
    assert_eq!(fc.features.len(), n + 3);
    let (_, _, body) = get_raw(&app, &executive, "/api/v1/tangerang/export/tickets.csv").await;
    assert_eq!(csv::Reader::from_reader(&body[3..]).records().count(), n + 3);
}
