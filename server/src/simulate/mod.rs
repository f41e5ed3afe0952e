//! The simulated city (`pantau simulate`, and `pantau serve --demo-rate`'s demo feed): a
//! deterministic, realistic stream of a tenant's day — citizens' reports at the daily
//! rhythm, in LAKSA's category mix, from kecamatan weighted by area and through the app,
//! WhatsApp, the web and the call centre; operators who verify, ask or reject; agencies that
//! start and resolve the work with delays drawn against each ticket's own SLA deadlines (most
//! on time, some late, so warnings and breaches happen and get resolved); validators; and
//! hospital wards' beds. All of it goes through the public API like any other source.
//!
//! - [`city`]: what is reported, where, how and when (pure).
//! - [`lifecycle`]: the life of one complaint (pure).
//! - [`plan`]: the time-ordered steps from a seed (pure, deterministic).
//! - [`feed`]: plays a plan against a server (HTTP).
//! - [`client`]: signing the operator in, sending with retries, the stand-in after photo.

pub mod city;
pub mod client;
pub mod feed;
pub mod lifecycle;
pub mod plan;

use crate::auth::Role;
use crate::config::SimulateConfig;
use crate::shutdown::{self, Shutdown};
use crate::tenant::{Tenant, Tenants};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// How much history the demo feed makes up when the server starts, so the wall opens on a
/// day in progress (tickets in every state) rather than an empty city.
pub const DEMO_HISTORY: Duration = Duration::hours(12);

/// The demo feed of `pantau serve --demo-rate`: `rate` reports per hour for `tenant`,
/// starting [`DEMO_HISTORY`] ago, verified and validated by the demo operator when
/// `--demo-users` made one (else tickets wait in triage). Runs until shutdown (or `count`
/// reports).
pub async fn feed(
    tenant: Arc<Tenant>,
    base_url: String,
    key: String,
    rate: f64,
    count: Option<u64>,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    anyhow::ensure!(rate > 0.0 && rate.is_finite(), "rate must be a positive number");
    let password = crate::demo::demo_password(&tenant.id, Role::Operator);
    let operator = feed::sign_in(&base_url, &tenant.id, Role::Operator.as_str(), &password)
        .await
        .ok();
    let since = Utc::now() - DEMO_HISTORY;
    let plan = plan::Plan::new(&tenant, rand::random(), since, rate);
    let mut feeder = feed::Feeder::new(tenant.clone(), &base_url, key, operator)?;
    tracing::info!(tenant = %tenant.id, rate, "demo city started");
    let result = feeder.play(plan, None, count, shutdown).await;
    tracing::info!(tenant = %tenant.id, tally = ?feeder.tally, "demo city stopped");
    result
}

/// A past instant: RFC 3339, or an age such as `90s`, `30m`, `12h`, `2d`.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    parse_duration(text).map(|d| now - d)
}

/// A span such as `90s`, `30m`, `12h`, `2d` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len()));
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 30m, 12h or 2d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (s, m, h or d)")),
    };
    if !(secs.is_finite() && secs >= 0.0) {
        return Err(format!("{text:?} is not a duration"));
    }
    Ok(Duration::milliseconds((secs * 1000.0) as i64))
}

/// `pantau simulate`.
pub async fn run(config: SimulateConfig) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.rate > 0.0 && config.rate.is_finite(),
        "--rate must be a positive number of reports per hour"
    );
    let tenants = Tenants::load(&config.config_dir, &config.assets_dir)?;
    let tenant = tenants
        .get(&config.tenant)
        .cloned()
        .with_context(|| format!("unknown tenant {:?}", config.tenant))?;
    let now = Utc::now();
    let since = match &config.since {
        Some(text) => parse_since(text, now).map_err(anyhow::Error::msg)?,
        None => now,
    };
    anyhow::ensure!(since <= now, "--since lies in the future");
    let end = match &config.duration {
        Some(text) => Some(now + parse_duration(text).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let seed = config.seed.unwrap_or_else(rand::random);
    let operator = match (&config.operator, &config.operator_password) {
        (Some(name), Some(password)) => Some(
            feed::sign_in(&config.url, &tenant.id, name, password)
                .await
                .context("cannot sign in the simulated operator")?,
        ),
        (Some(_), None) => anyhow::bail!("--operator needs --operator-password (or PANTAU_OPERATOR_PASSWORD)"),
        _ => None,
    };
    if operator.is_none() && tenant.workflow.verification {
        eprintln!(
            "note: {} verifies new reports; without --operator they wait in triage",
            tenant.id
        );
    }
    let (trigger, shutdown) = shutdown::channel();
    tokio::spawn(async move {
        shutdown::signal().await;
        trigger.fire();
    });
    println!(
        "simulating {} from {} at {} reports/hour, seed {seed}",
        tenant.name,
        since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        config.rate
    );
    let until = match &config.until {
        Some(text) => parse_since(text, now).map_err(anyhow::Error::msg)?,
        None => DateTime::<Utc>::MAX_UTC,
    };
    anyhow::ensure!(since <= until, "--until lies before --since");
    let plan = plan::Plan::new(&tenant, seed, since, config.rate).take_while(move |step| step.at <= until);
    let mut feeder = feed::Feeder::new(tenant.clone(), &config.url, config.key.clone(), operator)?;
    feeder.play(plan, end, config.count, shutdown).await?;
    let t = feeder.tally;
    println!(
        "done: {} reports, {} steps posted ({} resolutions), {} refused, {} skipped",
        t.reports, t.steps, t.resolved, t.refused, t.skipped
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_instants_parse() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::seconds(90));
        assert_eq!(parse_duration("12h").unwrap(), Duration::hours(12));
        assert_eq!(parse_duration("2d").unwrap(), Duration::days(2));
        assert_eq!(parse_duration("45").unwrap(), Duration::seconds(45));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3w").is_err());
        let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        assert_eq!(parse_since("6h", now).unwrap(), now - Duration::hours(6));
        assert_eq!(
            parse_since("2026-12-01T10:00:00+07:00", now).unwrap(),
            "2026-12-01T03:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
