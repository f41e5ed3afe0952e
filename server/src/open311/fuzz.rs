//! Fuzz targets `open311_form` and `open311_updates` (issue 15): a POSTed GeoReport v2 body
//! goes the handler's way — form-decoded (or JSON, flattened to strings, as the handler
//! does), mapped by [`report_from_params`] or [`updates::update_request`], then validated like
//! any event. Never a panic; a refusal is a 4xx naming the parameter; what passes is an
//! event of the expected type. Driven by [`crate::fuzzing::run`].

use super::updates::{self, AGENCY_STATUSES};
use super::*;
use crate::error::AppError;
use crate::fuzzing::{self, apply_byte_edits, byte_edits, check_refusal, hostile_string};
use crate::tenant::{test_tenants, Tenants};
use crate::validate::{validate, Command};
use pantau_shared::event::{EventBody, TicketStatus};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::LazyLock;

static TENANTS: LazyLock<Tenants> = LazyLock::new(test_tenants);

/// Parameters of `POST requests`, and of `POST servicerequestupdates`.
const REQUEST_PARAMS: &[&str] = &[
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "media_url",
    "email",
    "device_id",
    "first_name",
    "last_name",
    "phone",
    "account_id",
    "address_id",
    "attribute[x]",
];
const UPDATE_PARAMS: &[&str] = &[
    "api_key",
    "service_request_id",
    "update_id",
    "status",
    "external_status_code",
    "description",
    "media_url",
    "updated_datetime",
    "first_name",
    "email",
];
/// Cases per generator in the quick version.
const QUICK_CASES: u32 = 2_000;

/// The body as the handler reads it: JSON objects flattened to strings, else form-encoded.
fn params_of(bytes: &[u8], json: bool) -> Result<HashMap<String, String>, AppError> {
    if json {
        let object: serde_json::Map<String, Value> =
            serde_json::from_slice(bytes).map_err(|e| AppError::MalformedJson(e.to_string()))?;
        Ok(object
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
            .collect())
    } else {
        serde_urlencoded::from_bytes(bytes).map_err(|e| AppError::MalformedJson(e.to_string()))
    }
}

fn tenant() -> &'static Tenant {
    TENANTS.get("tangerang").expect("the demo tenant")
}

/// A `POST requests` body through mapping and validation.
fn post_request(bytes: &[u8], json: bool) -> Result<Command, AppError> {
    let params = params_of(bytes, json)?;
    let report = report_from_params(&params)?;
    Ok(validate(tenant(), report, chrono::Utc::now(), || "generated".into())?)
}

/// A `POST servicerequestupdates` body for a ticket now at `current`.
fn post_update(bytes: &[u8], json: bool, current: TicketStatus) -> Result<Command, AppError> {
    let params = params_of(bytes, json)?;
    let object = updates::update_request("tangerang", "agency-key", &params, current)?;
    Ok(validate(tenant(), object, chrono::Utc::now(), || "generated".into())?)
}

/// `Ok(true)`: accepted.
fn check_request(bytes: &[u8], json: bool) -> Result<bool, TestCaseError> {
    match post_request(bytes, json) {
        Ok(c) => {
            let EventBody::ReportReceived(r) = &c.event.body else {
                return Err(TestCaseError::fail(format!("not a report: {c:?}")));
            };
            prop_assert_eq!(r.channel.as_deref(), Some("open311"));
            prop_assert!(c.event.ticket.is_none() && c.expected_version.is_none());
            Ok(true)
        }
        Err(e) => check_refusal(e).map(|()| false),
    }
}

/// `Ok(true)`: accepted.
fn check_update(bytes: &[u8], json: bool, current: TicketStatus) -> Result<bool, TestCaseError> {
    match post_update(bytes, json, current) {
        Ok(c) => {
            match &c.event.body {
                EventBody::StatusChanged(s) => prop_assert!(AGENCY_STATUSES.contains(&s.status), "{:?}", s.status),
                EventBody::Commented(t) => prop_assert!(!t.text.is_empty()),
                other => prop_assert!(false, "an update became {:?}", other),
            }
            prop_assert!(c.event.ticket.is_some());
            Ok(true)
        }
        Err(e) => check_refusal(e).map(|()| false),
    }
}

/// The committed corpora: `ok-*` accepted, `bad-*` refused (updates against an assigned
/// ticket), both within the property.
#[test]
fn corpus_open311() {
    for (name, bytes) in fuzzing::corpus("open311_form") {
        let json = name.ends_with(".json");
        let result = post_request(&bytes, json);
        assert_eq!(result.is_ok(), name.starts_with("ok-"), "{name}: {result:?}");
        check_request(&bytes, json).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for (name, bytes) in fuzzing::corpus("open311_updates") {
        let result = post_update(&bytes, false, TicketStatus::Assigned);
        assert_eq!(result.is_ok(), name.starts_with("ok-"), "{name}: {result:?}");
        check_update(&bytes, false, TicketStatus::Assigned).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// A form body: `key=value` pairs of known and unknown keys with hostile values, encoded
/// or raw, then mangled at the byte level.
fn form_body(keys: &'static [&'static str], seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![4 => prop::sample::select(keys).prop_map(str::to_owned), 1 => "[a-z_%&=+\\[\\]]{0,10}"];
    let value = prop_oneof![hostile_string(), "[0-9eE.+\\-]{0,24}", "-?[0-9]{1,3}\\.[0-9]{1,8}"];
    let pairs = prop::collection::vec((key, value, any::<bool>()), 0..10).prop_map(|pairs| {
        let mut body = Vec::new();
        for (k, v, raw) in pairs {
            let v = if raw {
                v
            } else {
                form_urlencoded::byte_serialize(v.as_bytes()).collect()
            };
            body.extend_from_slice(format!("{k}={v}&").as_bytes());
        }
        body
    });
    let seeded = (prop::sample::select(seeds), pairs.clone()).prop_map(|(mut seed, extra)| {
        seed.push(b'&');
        seed.extend(extra);
        seed
    });
    (prop_oneof![pairs, seeded], byte_edits(keys)).prop_map(|(body, edits)| apply_byte_edits(body, &edits))
}

fn form_seeds(target: &str) -> Vec<Vec<u8>> {
    fuzzing::corpus(target)
        .into_iter()
        .filter(|(name, _)| name.starts_with("ok-") && name.ends_with(".form"))
        .map(|(_, bytes)| bytes)
        .collect()
}

/// `POST requests`: form bodies, and JSON objects of the same parameters.
#[test]
fn fuzz_open311_form() {
    let body = prop_oneof![
        3 => form_body(REQUEST_PARAMS, form_seeds("open311_form")).prop_map(|b| (b, false)),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| (b, false)),
        1 => fuzzing::json_value().prop_map(|v| (serde_json::to_vec(&v).expect("JSON"), true)),
        1 => (prop::collection::vec((prop::sample::select(REQUEST_PARAMS), fuzzing::json_value()), 0..8))
            .prop_map(|kv| {
                let object: serde_json::Map<String, Value> = kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                (serde_json::to_vec(&object).expect("JSON"), true)
            }),
    ];
    fuzzing::run("open311_form", QUICK_CASES, body, |(bytes, json)| {
        check_request(&bytes, json)
    });
}

/// `POST servicerequestupdates` against a ticket in any status.
#[test]
fn fuzz_open311_updates() {
    let body = prop_oneof![
        3 => form_body(UPDATE_PARAMS, form_seeds("open311_updates")).prop_map(|b| (b, false)),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| (b, false)),
        1 => (prop::collection::vec((prop::sample::select(UPDATE_PARAMS), fuzzing::json_value()), 0..8))
            .prop_map(|kv| {
                let object: serde_json::Map<String, Value> = kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                (serde_json::to_vec(&object).expect("JSON"), true)
            }),
    ];
    let input = (body, prop::sample::select(TicketStatus::ALL.to_vec()));
    fuzzing::run("open311_updates", QUICK_CASES, input, |((bytes, json), current)| {
        check_update(&bytes, json, current)
    });
}
