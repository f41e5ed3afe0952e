//! Open311 GeoReport v2 documents for a tenant: services from its categories, service
//! requests from its tickets, and the mapping of a POSTed request onto a `report.received`.
//! Pure (no I/O); the HTTP side is in `http::open311`. Field names follow the spec exactly;
//! times are W3C/RFC 3339 in the tenant's zone (`2026-11-23T10:00:00+07:00`).
//!
//! What is deliberately not carried over: the reporter's name, e-mail, phone and device id
//! are accepted and dropped (the command room does not need them and the wall must never
//! show them); `address_string` without `lat`/`long` is refused because every ticket is
//! placed in a kecamatan.

use crate::tenant::{Category, Tenant};
use chrono::{DateTime, FixedOffset, SecondsFormat};
use pantau_shared::ticket::Ticket;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

#[cfg(test)]
mod fuzz;
pub mod updates;

/// The GeoReport v2 specification this API implements.
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// Changeset date of this endpoint's behaviour (bump when it changes).
pub const CHANGESET: &str = "2026-11-23T00:00:00Z";

/// `services.json` entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// `services/{code}.json`: no extra attributes are needed by any category.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Value>,
}

/// `requests.json` entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: f64,
    pub long: f64,
    pub media_url: Option<String>,
}

/// Answer to a POST: the new request's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub service_request_id: String,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

/// `discovery.json`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Discovery {
    pub changeset: &'static str,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    pub specification: &'static str,
    pub url: String,
    pub changeset: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub formats: Vec<&'static str>,
}

/// A request parameter at fault, for the spec's error list.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError {
    pub field: &'static str,
    pub message: String,
}

pub fn discovery(tenant: &Tenant, base_url: &str) -> Discovery {
    Discovery {
        changeset: CHANGESET,
        contact: format!("Ruang Kendali {}", tenant.name),
        key_service: format!("API keys are issued by the {} command room", tenant.name),
        endpoints: vec![Endpoint {
            specification: SPECIFICATION,
            url: format!("{base_url}/open311/v2/{}", tenant.id),
            changeset: CHANGESET,
            kind: "production",
            formats: vec!["application/json", "text/xml"],
        }],
    }
}

pub fn service(tenant: &Tenant, c: &Category) -> Service {
    Service {
        service_code: c.code.clone(),
        service_name: c.name_id.clone(),
        description: c.description_id.clone(),
        metadata: false,
        kind: "realtime",
        keywords: format!("{}, {}", c.name_id.to_lowercase(), c.name_en.to_lowercase()),
        group: tenant.agency(&c.agency).map(|a| a.name_id.clone()).unwrap_or_default(),
    }
}

/// A UTC RFC 3339 time shown in the tenant's zone.
pub fn local_time(tenant: &Tenant, utc: &str) -> String {
    let offset = FixedOffset::east_opt(tenant.utc_offset_minutes * 60).expect("configured offsets are valid");
    DateTime::parse_from_rfc3339(utc)
        .map(|t| t.with_timezone(&offset).to_rfc3339_opts(SecondsFormat::Secs, false))
        .unwrap_or_else(|_| utc.to_owned())
}

/// The ticket as an Open311 service request. `expected_datetime` is the deadline of its
/// resolution target (absent while the clock is paused or without a policy).
pub fn request(tenant: &Tenant, t: &Ticket) -> ServiceRequest {
    let category = tenant.category(&t.category);
    let expected = t
        .sla
        .as_ref()
        .and_then(|s| s.resolution.deadline)
        .map(|d| local_time(tenant, &d.to_rfc3339()));
    let place = [
        t.kelurahan.as_ref().map(|k| format!("Kel. {}", k.name)),
        t.kecamatan.as_ref().map(|k| format!("Kec. {}", k.name)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    // Public documents: the citizen's own words about where they live or stand are not
    // repeated, only the kelurahan and kecamatan; coordinates are rounded (see below).
    let address = (!place.is_empty()).then_some(place);
    let round = |x: f64| {
        let scale = 10f64.powi(tenant.public_coordinate_decimals as i32);
        (x * scale).round() / scale
    };
    ServiceRequest {
        service_request_id: t.id.clone(),
        status: if t.status.is_open() { "open" } else { "closed" },
        status_notes: t.status_note.clone(),
        service_name: category
            .map(|c| c.name_id.clone())
            .unwrap_or_else(|| t.category.clone()),
        service_code: t.category.clone(),
        description: t.description.clone(),
        agency_responsible: t
            .agency
            .as_deref()
            .map(|a| tenant.agency(a).map(|x| x.name_id.clone()).unwrap_or(a.to_owned())),
        service_notice: None,
        requested_datetime: local_time(tenant, &t.created_at),
        updated_datetime: local_time(tenant, &t.updated_at),
        expected_datetime: expected,
        address,
        address_id: t.kelurahan.as_ref().map(|k| k.code.clone()),
        zipcode: None,
        lat: round(t.lat),
        long: round(t.lon),
        media_url: t.media_urls.first().cloned(),
    }
}

/// Map POST `requests` parameters onto the ingest event object (`report.received`).
pub fn report_from_params(params: &HashMap<String, String>) -> Result<Map<String, Value>, ParamError> {
    let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let number = |k: &'static str| -> Result<Option<f64>, ParamError> {
        get(k)
            .map(|v| {
                v.parse::<f64>().map_err(|_| ParamError {
                    field: k,
                    message: format!("{k} must be a number"),
                })
            })
            .transpose()
    };
    let service_code = get("service_code").ok_or(ParamError {
        field: "service_code",
        message: "service_code is required".into(),
    })?;
    let (lat, long) = match (number("lat")?, number("long")?) {
        (Some(lat), Some(long)) => (lat, long),
        _ => {
            return Err(ParamError {
                field: "lat",
                message: "lat and long are required".into(),
            })
        }
    };
    let description = get("description").ok_or(ParamError {
        field: "description",
        message: "description is required".into(),
    })?;
    let mut report = Map::new();
    report.insert("type".into(), "report.received".into());
    report.insert("category".into(), service_code.into());
    report.insert("description".into(), description.into());
    report.insert("lat".into(), lat.into());
    report.insert("lon".into(), long.into());
    report.insert("channel".into(), "open311".into());
    if let Some(address) = get("address_string") {
        report.insert("address".into(), address.into());
    }
    if let Some(url) = get("media_url") {
        report.insert("media_urls".into(), vec![Value::from(url)].into());
    }
    Ok(report)
}

/// Open311 names for the ingest fields (`lon` is `long` there, `category` is `service_code`).
pub fn param_name(field: &str) -> &str {
    match field {
        "lon" => "long",
        "category" => "service_code",
        "address" => "address_string",
        "media_urls" | "media_urls[0]" => "media_url",
        // `servicerequestupdates`: the description becomes a note or a comment's text.
        "note" | "text" => "description",
        "ticket" => "service_request_id",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// A spec-shaped POST becomes a report with the spec's names mapped onto ours.
    #[test]
    fn post_params_map_to_a_report() {
        let r = report_from_params(&params(&[
            ("api_key", "k"),
            ("service_code", "sampah"),
            ("lat", "-6.1888"),
            ("long", "106.6406"),
            ("address_string", "Jl. Daan Mogot"),
            ("description", "Sampah menumpuk"),
            ("media_url", "https://example.org/a.jpg"),
            ("email", "warga@example.org"),
        ]))
        .unwrap();
        assert_eq!(r["category"], "sampah");
        assert_eq!(r["lon"], 106.6406);
        assert_eq!(r["address"], "Jl. Daan Mogot");
        assert_eq!(r["media_urls"][0], "https://example.org/a.jpg");
        assert!(!r.contains_key("email"), "personal data is dropped");
    }

    /// Missing location, code or description, or a non-number, name the parameter.
    #[test]
    fn post_params_errors_name_the_parameter() {
        let base = [
            ("service_code", "sampah"),
            ("lat", "-6.1"),
            ("long", "106.6"),
            ("description", "x"),
        ];
        for (drop, field) in [
            ("service_code", "service_code"),
            ("lat", "lat"),
            ("long", "lat"),
            ("description", "description"),
        ] {
            let p: Vec<_> = base.iter().copied().filter(|(k, _)| *k != drop).collect();
            assert_eq!(report_from_params(&params(&p)).unwrap_err().field, field);
        }
        let p = [
            ("service_code", "sampah"),
            ("lat", "south"),
            ("long", "106.6"),
            ("description", "x"),
        ];
        assert_eq!(report_from_params(&params(&p)).unwrap_err().field, "lat");
    }
}
