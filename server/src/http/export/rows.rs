//! What one exported row holds: a ticket as a CSV record or a GeoJSON feature, and a KPI
//! set as a CSV record. Pure (the instant "now" and the zone are passed in), so the columns
//! are tested without HTTP. Times are the tenant's local time (`YYYY-MM-DD HH:MM:SS`, what
//! spreadsheets parse) plus UTC (RFC 3339) where a tool may need the absolute instant.

use chrono::{DateTime, FixedOffset, Utc};
use pantau_shared::stats::{KpiSet, Spread};
use pantau_shared::ticket::Ticket;
use serde_json::{json, Value};

/// Column names of `tickets.csv`, in order.
pub const TICKET_COLUMNS: [&str; 24] = [
    "id",
    "status",
    "category",
    "priority",
    "agency",
    "officer",
    "kecamatan_code",
    "kecamatan",
    "kelurahan",
    "channel",
    "lat",
    "lon",
    "created_at_local",
    "created_at_utc",
    "first_assigned_at_local",
    "resolved_at_local",
    "resolved_at_utc",
    "response_deadline_local",
    "response_sla",
    "resolution_deadline_local",
    "resolution_sla",
    "response_minutes",
    "resolution_minutes",
    "reopened",
];

/// Column names of `kpis.csv`, in order.
pub const KPI_COLUMNS: [&str; 28] = [
    "dimension",
    "key",
    "label",
    "period",
    "from_local",
    "to_local",
    "intake",
    "backlog",
    "resolved",
    "rejected",
    "reopened",
    "reopen_rate",
    "follow_ups_refused",
    "response_judged",
    "response_met",
    "response_compliance",
    "resolution_judged",
    "resolution_met",
    "resolution_compliance",
    "response_median_minutes",
    "response_p90_minutes",
    "response_business_median_minutes",
    "response_business_p90_minutes",
    "resolution_median_minutes",
    "resolution_p90_minutes",
    "resolution_business_median_minutes",
    "resolution_business_p90_minutes",
    "tenant",
];

/// Formats instants in the tenant's zone.
#[derive(Clone, Copy, Debug)]
pub struct Zone(pub FixedOffset);

impl Zone {
    /// The zone `minutes` east of UTC (UTC itself for an impossible offset).
    pub fn east(minutes: i32) -> Zone {
        Zone(FixedOffset::east_opt(minutes * 60).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC")))
    }

    /// `YYYY-MM-DD HH:MM:SS` local.
    pub fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%Y-%m-%d %H:%M:%S").to_string()
    }

    /// Local time of Unix ms.
    pub fn local_ms(&self, ms: i64) -> String {
        DateTime::from_timestamp_millis(ms)
            .map(|t| self.local(t))
            .unwrap_or_default()
    }
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

fn minutes_between(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:.1}", (b - a).num_seconds() as f64 / 60.0),
        _ => String::new(),
    }
}

/// The `tickets.csv` record of `t` at `now` ([`TICKET_COLUMNS`]).
pub fn ticket_record(t: &Ticket, zone: Zone, now: DateTime<Utc>) -> Vec<String> {
    let created = parse(&t.created_at);
    let assigned = t.first_assigned_at.as_deref().and_then(parse);
    let resolved = t.resolved_at.as_deref().and_then(parse);
    let local = |d: Option<DateTime<Utc>>| d.map(|d| zone.local(d)).unwrap_or_default();
    let utc = |d: Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_default();
    let (response, resolution) = match &t.sla {
        Some(s) => (
            (local(s.response.deadline), s.response.state(now).as_str().to_owned()),
            (
                local(s.resolution.deadline),
                s.resolution.state(now).as_str().to_owned(),
            ),
        ),
        None => Default::default(),
    };
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    vec![
        t.id.clone(),
        t.status.as_str().to_owned(),
        t.category.clone(),
        t.priority.as_str().to_owned(),
        opt(&t.agency),
        opt(&t.officer),
        t.kecamatan.as_ref().map(|k| k.code.clone()).unwrap_or_default(),
        t.kecamatan.as_ref().map(|k| k.name.clone()).unwrap_or_default(),
        t.kelurahan.as_ref().map(|k| k.name.clone()).unwrap_or_default(),
        opt(&t.channel),
        t.lat.to_string(),
        t.lon.to_string(),
        local(created),
        utc(created),
        local(assigned),
        local(resolved),
        utc(resolved),
        response.0,
        response.1,
        resolution.0,
        resolution.1,
        minutes_between(created, assigned),
        minutes_between(created, resolved),
        (t.resolution_started_at != t.created_at).to_string(),
    ]
}

/// The GeoJSON feature of `t` at `now`: a Point at (lon, lat) whose properties are the
/// `tickets.csv` columns (numbers as numbers, empty values left out).
pub fn ticket_feature(t: &Ticket, zone: Zone, now: DateTime<Utc>) -> Value {
    let mut properties = serde_json::Map::new();
    for (name, value) in TICKET_COLUMNS.iter().zip(ticket_record(t, zone, now)) {
        if value.is_empty() || matches!(*name, "lat" | "lon") {
            continue;
        }
        let value = match *name {
            "response_minutes" | "resolution_minutes" => value.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
            "reopened" => Value::Bool(value == "true"),
            _ => Value::String(value),
        };
        properties.insert((*name).to_owned(), value);
    }
    json!({
        "type": "Feature",
        "id": t.id,
        "geometry": { "type": "Point", "coordinates": [t.lon, t.lat] },
        "properties": properties,
    })
}

/// One `kpis.csv` record ([`KPI_COLUMNS`]).
pub struct KpiRow<'a> {
    pub tenant: &'a str,
    pub dimension: &'a str,
    pub key: &'a str,
    pub label: &'a str,
    /// `current` or `previous`.
    pub period: &'a str,
    pub from_ms: i64,
    pub to_ms: i64,
    pub kpis: &'a KpiSet,
}

/// The record of a KPI row; ratios as decimals 0..1, durations in minutes, empty when
/// undefined.
pub fn kpi_record(row: &KpiRow<'_>, zone: Zone) -> Vec<String> {
    let k = row.kpis;
    let f = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let m = |s: &Spread| [f(s.median), f(s.p90)];
    let [rw50, rw90] = m(&k.response_wall);
    let [rb50, rb90] = m(&k.response_business);
    let [sw50, sw90] = m(&k.resolution_wall);
    let [sb50, sb90] = m(&k.resolution_business);
    vec![
        row.dimension.to_owned(),
        row.key.to_owned(),
        row.label.to_owned(),
        row.period.to_owned(),
        zone.local_ms(row.from_ms),
        zone.local_ms(row.to_ms),
        k.intake.to_string(),
        k.backlog.to_string(),
        k.resolved.to_string(),
        k.rejected.to_string(),
        k.reopened.to_string(),
        f(k.reopen_rate),
        k.follow_ups_refused.to_string(),
        k.response_judged.to_string(),
        k.response_met.to_string(),
        f(k.response_compliance),
        k.resolution_judged.to_string(),
        k.resolution_met.to_string(),
        f(k.resolution_compliance),
        rw50,
        rw90,
        rb50,
        rb90,
        sw50,
        sw90,
        sb50,
        sb90,
        row.tenant.to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::fixtures;

    /// A ticket's record has one value per column, in the tenant's local time (WITA) and UTC.
    #[test]
    fn ticket_columns_line_up() {
        let t = Ticket::open(&fixtures::report("TGR-1", "sampah", "2026-11-30T16:30:00Z")).unwrap();
        let now = parse("2026-12-01T00:00:00Z").unwrap();
        let r = ticket_record(&t, Zone::east(480), now);
        assert_eq!(r.len(), TICKET_COLUMNS.len());
        let col = |name: &str| r[TICKET_COLUMNS.iter().position(|c| *c == name).unwrap()].as_str();
        assert_eq!(col("created_at_local"), "2026-12-01 00:30:00");
        assert_eq!(col("created_at_utc"), "2026-11-30T16:30:00+00:00");
        assert_eq!((col("agency"), col("officer"), col("reopened")), ("dlh", "", "false"));
        let f = ticket_feature(&t, Zone::east(480), now);
        assert_eq!(f["geometry"]["coordinates"][0], fixtures::POINT.1);
        assert_eq!(f["properties"]["status"], "received");
        assert!(f["properties"].get("officer").is_none());
    }

    /// A KPI record has one value per column; undefined ratios are empty, not 0.
    #[test]
    fn kpi_columns_line_up() {
        let k = KpiSet {
            intake: 3,
            resolved: 2,
            reopened: 1,
            reopen_rate: Some(0.5),
            ..KpiSet::default()
        };
        let row = KpiRow {
            tenant: "t",
            dimension: "all",
            key: "",
            label: "",
            period: "current",
            from_ms: 0,
            to_ms: 0,
            kpis: &k,
        };
        let r = kpi_record(&row, Zone::east(420));
        assert_eq!(r.len(), KPI_COLUMNS.len());
        assert_eq!((r[6].as_str(), r[11].as_str(), r[15].as_str()), ("3", "0.5000", ""));
        assert_eq!((KPI_COLUMNS[12], r[12].as_str()), ("follow_ups_refused", "0"));
        assert_eq!(r[4], "1970-01-01 07:00:00");
    }
}
