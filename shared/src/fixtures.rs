//! Sample events for tests, one definition for every crate: the server's and the wall's unit
//! tests, shared's own, and the end-to-end tests in `tests/`. Behind the `fixtures` feature
//! (`pantau-shared = { workspace = true, features = ["fixtures"] }` under
//! `[dev-dependencies]`), so none of it reaches the server binary or the wall's bundle.
//!
//! A sample is a citizen's garbage report in Kecamatan Tangerang, routed to `dlh` at medium
//! priority; a test changes the one field it is about ([`report_mut`]) and leaves the rest.

use crate::event::{Event, EventBody, Priority, Report};
use serde_json::{json, Value};

/// The tenant every sample belongs to.
pub const TENANT: &str = "tangerang";

/// A point in Kecamatan Tangerang, Kota Tangerang: (lat, lon).
pub const POINT: (f64, f64) = (-6.1888, 106.6406);

/// The event `e-{ticket}` of `ticket` at `at` (RFC 3339) carrying `body`.
pub fn event(ticket: &str, at: &str, body: EventBody) -> Event {
    Event {
        v: 1,
        id: format!("e-{ticket}"),
        tenant: TENANT.into(),
        ticket: Some(ticket.into()),
        at: at.into(),
        actor: None,
        body,
    }
}

/// A report in `category` with description "x" at [`POINT`], routed to `dlh`, medium
/// priority, not yet placed in a kecamatan.
pub fn report_body(category: &str) -> Report {
    Report {
        category: category.into(),
        description: "x".into(),
        lat: POINT.0,
        lon: POINT.1,
        address: None,
        channel: None,
        media_urls: vec![],
        reporter: None,
        kecamatan: None,
        kelurahan: None,
        agency: Some("dlh".into()),
        priority: Priority::Medium,
    }
}

/// A `report.received` opening `ticket` in `category` at `at` (see [`report_body`]).
pub fn report(ticket: &str, category: &str, at: &str) -> Event {
    event(ticket, at, EventBody::ReportReceived(report_body(category)))
}

/// The report inside a `report.received`, to change one field of a sample.
pub fn report_mut(event: &mut Event) -> &mut Report {
    match &mut event.body {
        EventBody::ReportReceived(r) => r,
        other => panic!("not a report: {other:?}"),
    }
}

/// The JSON body a client POSTs to `/api/v1/tangerang/events` to report `description`: a
/// garbage report at [`POINT`] with an address, no id and no time (the server assigns both).
pub fn posted_report(description: &str) -> Value {
    json!({
        "type": "report.received",
        "category": "sampah",
        "description": description,
        "lat": POINT.0,
        "lon": POINT.1,
        "address": "Kec. Tangerang",
    })
}
