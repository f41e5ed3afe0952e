//! `pantau replay`: a real service-request history (San Francisco 311, public domain)
//! replayed onto a tenant through its public API — real arrival times and real
//! open-to-close durations, positions scaled into the tenant and placed in a kecamatan,
//! categories and channels mapped by a mapping file — and said to be remapped foreign data
//! in its output and in every report it posts.
//!
//! - [`source`]: the CSV as cases (pure).
//! - [`remap`]: positions, categories and channels onto the tenant (pure).
//! - this module: the replay's timeline (pure) and the command, which plays the steps with
//!   the simulated city's feeder ([`crate::simulate::feed`]).

pub mod remap;
pub mod source;

use crate::config::ReplayConfig;
use crate::shutdown;
use crate::simulate::lifecycle::Action;
use crate::simulate::plan::{Step, What};
use crate::tenant::{Tenant, Tenants};
use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use remap::{Mapping, Remap};
use serde_json::json;
use source::Case;

/// How fast the history plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// This many seconds of history per second, starting now.
    Times(f64),
    /// As fast as the server takes it, dated on the real timeline shifted to end now.
    Max,
}

/// `60x`, `60` or `max`.
pub fn parse_speed(text: &str) -> Result<Speed, String> {
    let text = text.trim().to_ascii_lowercase();
    if text == "max" {
        return Ok(Speed::Max);
    }
    match text.trim_end_matches('x').parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(Speed::Times(x)),
        _ => Err(format!("--speed {text:?}: give a factor such as 60x, or max")),
    }
}

/// The replayed instant of each history instant: `Times(s)` starts the first case now and
/// runs `s` times faster; `Max` keeps real durations and ends at `now`.
pub fn replay_clock(cases: &[Case], speed: Speed, now: DateTime<Utc>) -> impl Fn(NaiveDateTime) -> DateTime<Utc> {
    let first = cases.first().map(|c| c.opened).unwrap_or_default();
    let last = cases
        .iter()
        .map(|c| c.closed.unwrap_or(c.opened).max(c.opened))
        .max()
        .unwrap_or(first);
    move |t: NaiveDateTime| match speed {
        Speed::Times(s) => now + Duration::milliseconds(((t - first).num_milliseconds() as f64 / s) as i64),
        Speed::Max => now - (last - t),
    }
}

/// The steps of the whole replay in time order: each case's report, and for a closed case
/// the agency starting work (a tenth of the way) and resolving it when it was closed.
pub fn steps(
    tenant: &Tenant,
    cases: &[Case],
    mapping: &Mapping,
    remap: &Remap<'_>,
    clock: impl Fn(NaiveDateTime) -> DateTime<Utc>,
    namespace: &str,
) -> Vec<Step> {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, namespace.as_bytes());
    let id = |case: &Case, n: u32| uuid::Uuid::new_v5(&ns, format!("{}/{n}", case.id).as_bytes()).to_string();
    let mut steps = Vec::with_capacity(cases.len() * 3);
    for (i, case) in cases.iter().enumerate() {
        let (point, area) = remap.place(case.lat, case.lng);
        let at = clock(case.opened);
        let report_id = id(case, 1);
        let what = if case.request_type.is_empty() {
            &case.category
        } else {
            &case.request_type
        };
        steps.push(Step {
            at,
            case: i as u64,
            id: report_id.clone(),
            what: What::Report(json!({
                "id": report_id,
                "type": "report.received",
                "at": crate::simulate::city::stamp(at),
                "category": mapping.category(&case.category),
                "description": format!("[{}] {what}", mapping.tag),
                "lat": (point.y() * 1e6).round() / 1e6,
                "lon": (point.x() * 1e6).round() / 1e6,
                "address": format!("{} #{} ({}) — Kec. {}", mapping.tag, case.id, case.neighborhood, area.name),
                "channel": mapping.channel(&case.source),
            })),
        });
        if let Some(closed) = case.closed {
            let started = case.opened + (closed - case.opened) / 10;
            steps.push(Step {
                at: clock(started),
                case: i as u64,
                id: id(case, 2),
                what: What::Follow(Action::Start),
            });
            steps.push(Step {
                at: clock(closed),
                case: i as u64,
                id: id(case, 3),
                what: What::Follow(Action::Resolve {
                    photo: tenant.evidence.require_after_photo,
                }),
            });
        }
    }
    // Stable: a case's steps keep their order when they share an instant.
    steps.sort_by_key(|s| s.at);
    steps
}

/// `pantau replay`.
pub async fn run(config: ReplayConfig) -> anyhow::Result<()> {
    let speed = parse_speed(&config.speed).map_err(anyhow::Error::msg)?;
    let tenants = Tenants::load(&config.config_dir, &config.assets_dir)?;
    let tenant = tenants
        .get(&config.tenant)
        .cloned()
        .with_context(|| format!("unknown tenant {:?}", config.tenant))?;
    let mapping: Mapping = toml::from_str(
        &std::fs::read_to_string(&config.mapping)
            .with_context(|| format!("cannot read {}", config.mapping.display()))?,
    )
    .with_context(|| format!("{} is not a mapping file", config.mapping.display()))?;
    for code in mapping.categories.values().chain([&mapping.default_category]) {
        anyhow::ensure!(
            tenant.category(code).is_some(),
            "the mapping names category {code:?}, which {} does not have",
            tenant.id
        );
    }
    let file = std::fs::File::open(&config.file).with_context(|| format!("cannot open {}", config.file.display()))?;
    let (mut cases, skipped) = source::read(file).with_context(|| format!("cannot read {}", config.file.display()))?;
    if let Some(limit) = config.limit {
        cases.truncate(limit);
    }
    anyhow::ensure!(!cases.is_empty(), "{} holds no readable case", config.file.display());
    let remap = Remap::new(&cases, &tenant.kecamatan).context("the tenant has no kecamatan")?;
    let now = Utc::now();
    let stem = config.file.file_stem().and_then(|s| s.to_str()).unwrap_or("history");
    let namespace = format!(
        "pantau-replay/{}/{stem}/{:?}/{}",
        tenant.id,
        speed,
        now.timestamp_millis()
    );
    let steps = steps(
        &tenant,
        &cases,
        &mapping,
        &remap,
        replay_clock(&cases, speed, now),
        &namespace,
    );
    println!("REPLAY — {}", mapping.label);
    println!(
        "{} cases ({} skipped) from {} to {} onto {}, {} events, speed {}",
        cases.len(),
        skipped,
        cases[0].opened,
        cases[cases.len() - 1].opened,
        tenant.name,
        steps.len(),
        config.speed
    );
    let (trigger, shutdown) = shutdown::channel();
    tokio::spawn(async move {
        shutdown::signal().await;
        trigger.fire();
    });
    let bar = indicatif::ProgressBar::new(steps.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events  {per_sec}  ETA {eta}  {msg}")
            .expect("a valid template"),
    );
    let mut feeder = crate::simulate::feed::Feeder::new(tenant.clone(), &config.url, config.key.clone(), None)?;
    feeder.progress = Some(bar.clone());
    let started = std::time::Instant::now();
    feeder.play(steps.into_iter(), None, None, shutdown).await?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    let t = feeder.tally;
    println!(
        "replayed {} reports, {} events in {:.1} s ({:.0} events/s), {} refused",
        t.reports,
        t.steps,
        secs,
        t.steps as f64 / secs.max(1e-9),
        t.refused
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> Vec<Case> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/replay/sf311_replay_5k.csv");
        source::read(std::fs::File::open(path).unwrap()).unwrap().0
    }

    #[test]
    fn speeds_parse() {
        assert_eq!(parse_speed("60x"), Ok(Speed::Times(60.0)));
        assert_eq!(parse_speed("1000"), Ok(Speed::Times(1000.0)));
        assert_eq!(parse_speed("MAX"), Ok(Speed::Max));
        assert!(parse_speed("0x").is_err() && parse_speed("fast").is_err());
    }

    /// The replay keeps every arrival order and every open-to-close duration (at `max`),
    /// or divides them by the speed; nothing lies in the future at `max`.
    #[test]
    fn the_timeline_keeps_order_and_durations() {
        let cases = history();
        let tenants = crate::tenant::test_tenants();
        let tenant = tenants.get("tangerang").unwrap();
        let mapping: Mapping = toml::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../config/replay/sf311.toml")).unwrap(),
        )
        .unwrap();
        let remap = Remap::new(&cases, &tenant.kecamatan).unwrap();
        let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        for speed in [Speed::Max, Speed::Times(60.0)] {
            let steps = steps(tenant, &cases, &mapping, &remap, replay_clock(&cases, speed, now), "t");
            let reports: Vec<&Step> = steps.iter().filter(|s| matches!(s.what, What::Report(_))).collect();
            assert_eq!(reports.len(), cases.len());
            // Arrival order: reports come in the history's order.
            assert!(reports.windows(2).all(|w| w[0].case < w[1].case || w[0].at == w[1].at));
            let factor = match speed {
                Speed::Max => 1.0,
                Speed::Times(s) => s,
            };
            for (i, case) in cases.iter().enumerate().step_by(37) {
                let mine: Vec<&Step> = steps.iter().filter(|s| s.case == i as u64).collect();
                if let Some(closed) = case.closed {
                    let real = (closed - case.opened).num_milliseconds() as f64;
                    let replayed = (mine[2].at - mine[0].at).num_milliseconds() as f64;
                    assert!((replayed * factor - real).abs() <= factor + 1.0, "case {}", case.id);
                }
            }
            if speed == Speed::Max {
                assert!(steps.iter().all(|s| s.at <= now));
                assert_eq!(steps.last().unwrap().at, now);
            } else {
                assert_eq!(steps[0].at, now);
            }
            let text = reports[0].what.clone();
            let What::Report(body) = text else { unreachable!() };
            assert!(body["description"].as_str().unwrap().starts_with("[SF 311"), "{body}");
        }
    }
}
