//! Test fixtures shared by the frontend's unit tests: a citizen report event.

use pantau_shared::event::{Event, EventBody, Priority, Report};

/// A `report.received` of ticket `id` in `category` at `at`, routed to agency `dlh`.
pub fn report(id: &str, category: &str, at: &str) -> Event {
    Event {
        v: 1,
        id: format!("e-{id}"),
        tenant: "tangerang".into(),
        ticket: Some(id.into()),
        at: at.into(),
        actor: None,
        body: EventBody::ReportReceived(Report {
            category: category.into(),
            description: "x".into(),
            lat: 0.0,
            lon: 0.0,
            address: None,
            channel: None,
            media_urls: vec![],
            kecamatan: None,
            kelurahan: None,
            agency: Some("dlh".into()),
            priority: Priority::Medium,
        }),
    }
}
