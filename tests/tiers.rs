//! SP4N-LAPOR deadline tiers end to end, in Tangerang: a category's tier (permits:
//! `tidak_berpengawasan`, 14 working days) sets a new ticket's resolution deadline; an
//! operator's tier picked at verification (`normatif`, 5 working days) replaces it; an unknown
//! tier is refused naming `tier`. The expected deadlines are counted here independently:
//! the close of the N-th working day (Mon–Thu 16:00, Fri 15:00 WIB, minus
//! config/holidays.toml) after the report's local date.
//!
//! Also the executive KPI of the same part of issue 18: follow-ups the validator refused
//! ("TL ditolak") counted per agency in `GET /api/v1/{tenant}/kpis`.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Weekday};
use pantau_e2e::{eventually, report_in, workspace_root, Credentials, Pantau, RedisServer};
use serde_json::{json, Value};

/// The national holidays of config/holidays.toml (every quoted date in it).
fn holidays() -> Vec<NaiveDate> {
    let text = std::fs::read_to_string(workspace_root().join("config/holidays.toml")).expect("holidays.toml");
    text.lines()
        .filter_map(|line| {
            let quoted = line.trim().strip_prefix('"')?;
            quoted.get(..10)?.parse().ok()
        })
        .collect()
}

/// Close of the `n`-th Tangerang working day after the local date of `from`.
fn working_days_after(from: DateTime<FixedOffset>, n: u32) -> DateTime<FixedOffset> {
    let wib = FixedOffset::east_opt(7 * 3600).unwrap();
    let holidays = holidays();
    let mut date = from.with_timezone(&wib).date_naive();
    let mut left = n;
    loop {
        date += Duration::days(1);
        let working = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date);
        if working {
            left -= 1;
            if left == 0 {
                let close = if date.weekday() == Weekday::Fri { 15 } else { 16 };
                let local = date.and_hms_opt(close, 0, 0).unwrap();
                return local.and_local_timezone(wib).unwrap();
            }
        }
    }
}

fn instant(v: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("an instant: {v}"))).unwrap()
}

/// Open a report in `category`; its ticket once the projection holds it.
async fn open(pantau: &Pantau, category: &str) -> Value {
    let (status, body) = pantau
        .post_event("tangerang", &report_in(category, "Laporan berjenjang"))
        .await;
    assert_eq!(status, 202, "{body}");
    let ticket = body["accepted"][0]["ticket"].as_str().expect("a ticket").to_owned();
    at_version(pantau, &ticket, 1).await
}

/// The ticket's API body once the projection holds `version`.
async fn at_version(pantau: &Pantau, ticket: &str, version: u64) -> Value {
    let path = format!("/api/v1/tangerang/tickets/{ticket}");
    eventually("the projection to reach the version", || async {
        let (_, body) = pantau.get(&path).await;
        (body["ticket"]["version"].as_u64() >= Some(version)).then_some(body)
    })
    .await
}

/// A permit complaint runs on its category's tier; verifying a garbage report with tier
/// `normatif` gives it 5 working days to resolve (the response target keeps its hours);
/// an unknown tier is refused with 422 naming `tier`.
#[tokio::test]
async fn verification_picks_the_tier() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let operator = pantau.user("tangerang", "operator").await;
    let op = Credentials::User(&operator);

    let permit = open(&pantau, "perizinan").await;
    let t = &permit["ticket"];
    assert!(t["tier"].is_null(), "no tier picked yet: {t}");
    assert_eq!(
        instant(&t["sla"]["resolution"]["deadline"]),
        working_days_after(instant(&t["created_at"]), 14),
        "perizinan: tidak_berpengawasan, 14 working days"
    );

    let body = open(&pantau, "sampah").await;
    let t = &body["ticket"];
    let id = t["id"].as_str().unwrap().to_owned();
    let created = instant(&t["created_at"]);
    assert_eq!(
        instant(&t["sla"]["resolution"]["deadline"]) - created,
        Duration::hours(24),
        "sampah keeps its 24 h target"
    );
    let verify = format!("/api/v1/tangerang/tickets/{id}/verify");
    let (status, answer) = pantau
        .post_as(
            op,
            &verify,
            &json!({"agency": "dlh", "tier": "kilat", "expected_version": 1}),
        )
        .await;
    assert_eq!((status, &answer["error"]["field"]), (422, &json!("tier")), "{answer}");

    let (status, answer) = pantau
        .post_as(
            op,
            &verify,
            &json!({"agency": "dlh", "tier": "normatif", "expected_version": 1}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let body = at_version(&pantau, &id, 2).await;
    let t = &body["ticket"];
    assert_eq!(t["tier"], "normatif");
    assert_eq!(
        instant(&t["sla"]["resolution"]["deadline"]),
        working_days_after(created, 5),
        "normatif: 5 working days"
    );
    assert_eq!(
        instant(&t["sla"]["response"]["deadline"]) - created,
        Duration::hours(4),
        "the response target stays in hours"
    );
    assert_eq!(body["sla_now"]["resolution"]["state"], "on_track");
}

/// Two refused follow-ups of one DLH ticket count twice in DLH's row of today's KPIs and in
/// the totals; another agency's row has none.
#[tokio::test]
async fn refused_follow_ups_count_per_agency() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let executive = pantau.user("tangerang", "executive").await;
    let sup = Credentials::User(&supervisor);
    let refused = open(&pantau, "sampah").await["ticket"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = open(&pantau, "banjir").await["ticket"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let command = |ticket: &str, name: &str| format!("/api/v1/tangerang/tickets/{ticket}/{name}");
    let resolved = json!({"status": "resolved", "note": "Sudah diangkut"});
    let refuse = json!({"accepted": false, "reason": "Masih menumpuk"});
    for (i, (ticket, name, body)) in [
        (&refused, "verify", json!({"agency": "dlh"})),
        (&refused, "status", resolved.clone()),
        (&refused, "validate", refuse.clone()),
        (&refused, "status", resolved.clone()),
        (&refused, "validate", refuse),
        (&other, "verify", json!({"agency": "bpbd"})),
        (&other, "status", resolved),
        (&other, "validate", json!({"accepted": true})),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, answer) = pantau.post_as(sup, &command(ticket, name), &body).await;
        assert_eq!(status, 202, "step {i}: {answer}");
    }
    assert_eq!(
        at_version(&pantau, &refused, 6).await["ticket"]["follow_up_rejections"],
        2
    );
    at_version(&pantau, &other, 4).await;
    let (status, report) = pantau
        .get_as(
            Credentials::User(&executive),
            "/api/v1/tangerang/kpis?window=today&by=agency",
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["totals"]["follow_ups_refused"], 2, "{}", report["totals"]);
    let row = |agency: &str| {
        report["by"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == agency)
            .map(|r| r["kpis"]["follow_ups_refused"].clone())
    };
    assert_eq!((row("dlh"), row("bpbd")), (Some(json!(2)), Some(json!(0))));
}
