//! Fuzz target `event_json` (issue 15): [`parse_event`] over the committed corpus, arbitrary
//! bytes and text, and valid events with fields replaced by any JSON or their bytes mangled.
//! Never a panic; an accepted event is within every limit and survives the round trip the
//! stream makes; a refusal is a 4xx [`AppError`] — a 400 for what is not JSON, a 422 naming
//! a field for the rest. Driven by [`crate::fuzzing::run`] (`PANTAU_SOAK=1` runs it longer).

use super::*;
use crate::fuzzing::{self, apply_byte_edits, apply_edits, byte_edits, check_refusal, field_edits};
use crate::tenant::{test_tenants, Tenants};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::LazyLock;

static TENANTS: LazyLock<Tenants> = LazyLock::new(test_tenants);

/// Every field the accepted shape knows, and `reporter`'s.
const FIELDS: &[&str] = &[
    "id",
    "type",
    "at",
    "actor",
    "ticket",
    "expected_version",
    "category",
    "description",
    "lat",
    "lon",
    "address",
    "channel",
    "media_urls",
    "priority",
    "agency",
    "officer",
    "reason",
    "status",
    "note",
    "reporter",
    "tier",
    "accepted",
    "site_check",
    "primary",
    "reporters",
    "restore",
    "text",
    "kind",
    "facility",
    "unit",
    "capacity",
    "used",
    "queue",
];

/// Cases per generator in the quick version.
const QUICK_CASES: u32 = 2_500;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
        .expect("a fixed time")
        .with_timezone(&Utc)
}

fn parse(bytes: &[u8]) -> Result<Command, ValidationError> {
    let tenant = TENANTS.get("tangerang").expect("the demo tenant");
    parse_event(tenant, bytes, now(), || "00000000-0000-7000-8000-000000000000".into())
}

/// An accepted event: the tenant's, within the limits, and unchanged by the stream's round
/// trip (JSON out, JSON in).
fn check_accepted(c: &Command) -> Result<(), TestCaseError> {
    let e = &c.event;
    prop_assert_eq!(e.tenant.as_str(), "tangerang");
    prop_assert!(uuid::Uuid::parse_str(&e.id).is_ok(), "id {:?}", e.id);
    let at = DateTime::parse_from_rfc3339(&e.at).map_err(|_| TestCaseError::fail(format!("at {:?}", e.at)))?;
    prop_assert!((at.with_timezone(&Utc) - now()).num_seconds() <= MAX_FUTURE_SKEW_SECS);
    prop_assert!(at.timestamp() >= MIN_EVENT_UNIX_SECS);
    if let EventBody::ReportReceived(r) = &e.body {
        prop_assert!(r.lat.is_finite() && r.lon.is_finite());
        prop_assert!(!r.description.is_empty() && r.description.chars().count() <= MAX_DESCRIPTION_CHARS);
        prop_assert!(r.media_urls.len() <= MAX_MEDIA_URLS);
        prop_assert!(r.kecamatan.is_some() && r.agency.is_some());
    }
    prop_assert!(!matches!(
        e.body,
        EventBody::SlaWarning(_) | EventBody::SlaBreached(_) | EventBody::AlertRaised(_) | EventBody::MediaAdded(_)
    ));
    let json = serde_json::to_string(e).map_err(|x| TestCaseError::fail(x.to_string()))?;
    let back: Event = serde_json::from_str(&json).map_err(|x| TestCaseError::fail(format!("{x}: {json}")))?;
    prop_assert_eq!(&back, e);
    Ok(())
}

/// The one property: no panic, and either an acceptable event or a proper refusal.
/// `Ok(true)`: accepted.
fn check(bytes: &[u8]) -> Result<bool, TestCaseError> {
    match parse(bytes) {
        Ok(c) => check_accepted(&c).map(|()| true),
        Err(e) => check_refusal(e.into()).map(|()| false),
    }
}

/// The committed corpus: `ok-*` accepted, `bad-*` refused, both within the property.
#[test]
fn corpus_event_json() {
    for (name, bytes) in fuzzing::corpus("event_json") {
        let result = parse(&bytes);
        assert_eq!(result.is_ok(), name.starts_with("ok-"), "{name}: {result:?}");
        check(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Arbitrary bytes and arbitrary text.
#[test]
fn fuzz_event_json_arbitrary() {
    let input = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        ".{0,256}".prop_map(String::into_bytes),
        "[{}\\[\\]\",:0-9a-z. eE+-]{0,128}".prop_map(String::into_bytes),
    ];
    fuzzing::run("event_json_arbitrary", QUICK_CASES, input, |bytes| check(&bytes));
}

/// Valid events of every type with fields replaced by any JSON, removed or added, then
/// their bytes mangled.
#[test]
fn fuzz_event_json_mutated() {
    let seeds = fuzzing::ok_objects("event_json");
    let input = (prop::sample::select(seeds), field_edits(FIELDS), byte_edits(FIELDS));
    fuzzing::run("event_json_mutated", QUICK_CASES * 2, input, |(seed, fields, bytes)| {
        let object = apply_edits(seed, &fields);
        let body = serde_json::to_vec(&object).expect("a map serialises");
        check(&apply_byte_edits(body, &bytes))
    });
}
