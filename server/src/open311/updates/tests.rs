use super::*;
use pantau_shared::event::{Assignment, Comment, Report, StatusChange};

fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn tangerang() -> std::sync::Arc<Tenant> {
    crate::tenant::test_tenants().get("tangerang").unwrap().clone()
}

fn event(body: EventBody) -> Event {
    Event {
        v: 1,
        id: "0192-e".into(),
        tenant: "tangerang".into(),
        ticket: Some("TGR-000001".into()),
        at: "2026-12-01T03:00:00.000Z".into(),
        actor: Some("user:ani".into()),
        body,
    }
}

/// An assignment is an `open` update coded `assigned`, in the tenant's zone, naming the
/// agency but never the officer or the actor.
#[test]
fn assignment_becomes_an_open_update() {
    let e = event(EventBody::TicketAssigned(Assignment {
        agency: "dlh".into(),
        officer: Some("Budi Santoso".into()),
        reason: None,
    }));
    let u = update(&tangerang(), &e, TicketStatus::Assigned, "http://h").unwrap();
    assert_eq!(u.update_id, "0192-e");
    assert_eq!(u.status, "open");
    assert_eq!(u.external_status_code.as_deref(), Some("assigned"));
    assert_eq!(u.updated_datetime, "2026-12-01T10:00:00+07:00");
    assert!(u.description.starts_with("Didisposisikan ke "), "{u:?}");
    let json = serde_json::to_string(&u).unwrap();
    assert!(!json.contains("Budi") && !json.contains("ani"), "{json}");
}

/// A resolution is `closed`; a comment keeps the ticket's current state; a report is not
/// an update.
#[test]
fn statuses_comments_and_reports() {
    let t = tangerang();
    let resolved = event(EventBody::StatusChanged(StatusChange {
        status: TicketStatus::Resolved,
        note: Some("Sudah diangkut".into()),
        reason: None,
    }));
    let u = update(&t, &resolved, TicketStatus::Resolved, "").unwrap();
    assert_eq!(
        (u.status, u.external_status_code.as_deref()),
        ("closed", Some("resolved"))
    );
    assert_eq!(u.description, "Sudah diangkut");
    let comment = event(EventBody::Commented(Comment {
        text: "Tim berangkat".into(),
    }));
    let u = update(&t, &comment, TicketStatus::InProgress, "").unwrap();
    assert_eq!((u.status, u.external_status_code), ("open", None));
    let report = event(EventBody::ReportReceived(Report {
        category: "sampah".into(),
        description: "x".into(),
        lat: 0.0,
        lon: 0.0,
        address: None,
        channel: None,
        media_urls: vec![],
        kecamatan: None,
        kelurahan: None,
        reporter: None,
        agency: None,
        priority: Default::default(),
    }));
    assert!(update(&t, &report, TicketStatus::Received, "").is_none());
}

/// FixMyStreet's words and Pantau's map onto the statuses an agency may set; anything else
/// names the parameter.
#[test]
fn status_words_map_or_name_the_field() {
    for (status, expected) in [
        ("OPEN", None),
        ("IN_PROGRESS", Some(TicketStatus::InProgress)),
        ("ACTION_SCHEDULED", Some(TicketStatus::InProgress)),
        ("FIXED", Some(TicketStatus::Resolved)),
        ("CLOSED", Some(TicketStatus::Resolved)),
        ("pending_citizen", Some(TicketStatus::PendingCitizen)),
    ] {
        assert_eq!(
            requested_status(&params(&[("status", status)])).unwrap(),
            expected,
            "{status}"
        );
    }
    let p = params(&[("status", "OPEN"), ("external_status_code", "resolved")]);
    assert_eq!(requested_status(&p).unwrap(), Some(TicketStatus::Resolved));
    for (p, field) in [
        (params(&[("status", "DONE")]), "status"),
        (
            params(&[("status", "closed"), ("external_status_code", "closed")]),
            "external_status_code",
        ),
        (params(&[("status", "rejected")]), "status"),
        (params(&[]), "status"),
    ] {
        assert_eq!(requested_status(&p).unwrap_err().field, field, "{p:?}");
    }
}

/// A move becomes a status change with the description as note; the same status with
/// words is a comment; the same id comes back for the same key and `update_id` only.
#[test]
fn posts_become_status_changes_or_comments() {
    let base = [
        ("api_key", "k"),
        ("service_request_id", "TGR-000001"),
        ("update_id", "fms-7"),
        ("status", "IN_PROGRESS"),
        ("description", "Tim menuju lokasi"),
        ("email", "petugas@example.org"),
    ];
    let e = update_request("tangerang", "dlh-app", &params(&base), TicketStatus::Assigned).unwrap();
    assert_eq!(e["type"], "ticket.status_changed");
    assert_eq!(e["status"], "in_progress");
    assert_eq!(e["note"], "Tim menuju lokasi");
    assert_eq!(e["id"], event_id("tangerang", "dlh-app", "fms-7"));
    assert!(!serde_json::to_string(&e).unwrap().contains("petugas"));
    let again = update_request("tangerang", "dlh-app", &params(&base), TicketStatus::InProgress).unwrap();
    assert_eq!(again["type"], "ticket.commented");
    assert_eq!(again["id"], e["id"], "a retry keeps its id");
    assert_ne!(
        event_id("tangerang", "other", "fms-7"),
        event_id("tangerang", "dlh-app", "fms-7")
    );
}

/// Missing or malformed fields name the parameter.
#[test]
fn post_errors_name_the_parameter() {
    let ok = [
        ("service_request_id", "TGR-000001"),
        ("update_id", "u1"),
        ("status", "OPEN"),
        ("description", "x"),
    ];
    let with = |k: &'static str, v: &'static str| {
        let mut p: Vec<_> = ok.iter().copied().filter(|(key, _)| *key != k).collect();
        p.push((k, v));
        params(&p)
    };
    let without = |k: &str| params(&ok.iter().copied().filter(|(key, _)| *key != k).collect::<Vec<_>>());
    for (p, field) in [
        (without("service_request_id"), "service_request_id"),
        (without("update_id"), "update_id"),
        (without("description"), "description"),
        (with("media_url", "ftp://x/y.jpg"), "media_url"),
        (with("updated_datetime", "yesterday"), "updated_datetime"),
    ] {
        let err = update_request("tangerang", "k", &p, TicketStatus::Assigned).unwrap_err();
        assert_eq!(err.field, field, "{p:?}");
    }
    let photo = with("media_url", "https://agency.example/a.jpg");
    let e = update_request("tangerang", "k", &photo, TicketStatus::Assigned).unwrap();
    assert_eq!(e["text"], "x\nFoto: https://agency.example/a.jpg");
}

/// A refused follow-up reopens (`open`, back to `in_progress`); an accepted one closes; a
/// stored photo's path becomes an absolute `media_url`, without its EXIF position.
#[test]
fn validations_and_photos() {
    use pantau_shared::event::{Media, Validation};
    let t = tangerang();
    let refused = event(EventBody::Validated(Validation {
        accepted: false,
        reason: Some("Masih ada sampah".into()),
        site_check: true,
    }));
    let u = update(&t, &refused, TicketStatus::InProgress, "").unwrap();
    assert_eq!(
        (u.status, u.external_status_code.as_deref()),
        ("open", Some("in_progress"))
    );
    assert_eq!(u.description, "Tindak lanjut ditolak: Masih ada sampah");
    let accepted = event(EventBody::Validated(Validation {
        accepted: true,
        reason: None,
        site_check: false,
    }));
    assert_eq!(
        update(&t, &accepted, TicketStatus::Closed, "").unwrap().status,
        "closed"
    );
    let photo = event(EventBody::MediaAdded(Media {
        url: "/api/v1/tangerang/media/0192.jpg".into(),
        thumb_url: None,
        stage: MediaStage::After,
        content_type: "image/jpeg".into(),
        bytes: 1,
        taken_at: None,
        lat: Some(-6.18881),
        lon: Some(106.64061),
        flags: vec![],
    }));
    let u = update(&t, &photo, TicketStatus::Resolved, "http://pantau.example").unwrap();
    assert_eq!(
        u.media_url.as_deref(),
        Some("http://pantau.example/api/v1/tangerang/media/0192.jpg")
    );
    assert_eq!(u.status, "closed");
    assert!(!serde_json::to_string(&u).unwrap().contains("6.1888"));
}
