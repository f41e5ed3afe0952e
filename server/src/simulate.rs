//! The demo feed: plausible citizen reports (garbage, damaged roads, flooding, street
//! lights, fallen trees, drains) at random points inside the tenant's kecamatan, posted to
//! the public ingest API like any other source. Used by `pantau simulate` and by
//! `pantau serve --demo-rate`.

use crate::config::SimulateConfig;
use crate::geo_area::Area;
use crate::shutdown::{self, Shutdown};
use crate::tenant::{Tenant, Tenants};
use anyhow::Context;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};
use std::time::Duration;

/// Category codes with typical complaint texts (as citizens write them in LAKSA).
const CATALOGUE: &[(&str, &[&str])] = &[
    (
        "sampah",
        &[
            "Sampah belum diangkut sudah tiga hari",
            "Tumpukan sampah di pinggir jalan, bau menyengat",
            "TPS penuh, sampah meluber ke badan jalan",
        ],
    ),
    (
        "jalan_rusak",
        &[
            "Jalan berlubang cukup dalam, membahayakan pengendara motor",
            "Aspal mengelupas di depan sekolah",
            "Jalan amblas di dekat jembatan",
        ],
    ),
    (
        "banjir",
        &[
            "Genangan air setinggi 30 cm setelah hujan deras",
            "Banjir masuk ke rumah warga",
            "Air meluap dari kali, jalan tidak bisa dilalui",
        ],
    ),
    (
        "lampu_jalan",
        &[
            "Lampu penerangan jalan umum mati, jalan gelap gulita",
            "PJU berkedip-kedip sejak seminggu",
        ],
    ),
    (
        "pohon_tumbang",
        &[
            "Pohon tumbang menutup sebagian jalan",
            "Dahan pohon patah menimpa kabel listrik",
        ],
    ),
    (
        "drainase",
        &[
            "Saluran air tersumbat, air tidak mengalir",
            "Gorong-gorong rusak dan menimbulkan genangan",
        ],
    ),
];

const CHANNELS: &[&str] = &["app", "app", "app", "web", "call_center"];

/// Every this many reports the demo feed also reports a hospital ward's beds.
const GAUGE_EVERY: u64 = 8;

/// Wards whose bed counts the demo feed reports (`ruang`).
const WARDS: &[(&str, u32)] = &[("IGD", 24), ("ICU", 12), ("Rawat Inap", 180)];

/// A plausible hospital bed report for the tenant (national hospital reporting's shape).
pub fn random_beds(tenant: &Tenant, rng: &mut impl Rng) -> Value {
    let hospital = format!(
        "RSUD {}",
        tenant.name.trim_start_matches("Kota ").trim_start_matches("Kabupaten ")
    );
    let (ward, capacity) = WARDS.choose(rng).expect("wards are not empty");
    json!({
        "type": "resource.updated",
        "kind": "hospital_beds",
        "facility": hospital,
        "unit": ward,
        "capacity": capacity,
        "used": rng.random_range(capacity * 6 / 10..=*capacity),
        "queue": rng.random_range(0..6),
    })
}

/// One random report inside one of `areas`, in the ingest API's JSON shape.
pub fn random_report(areas: &[Area], rng: &mut impl Rng) -> Value {
    let area = areas.choose(rng).expect("areas are never empty");
    let (category, texts) = CATALOGUE.choose(rng).expect("catalogue is not empty");
    let point = area.random_point(rng);
    json!({
        "type": "report.received",
        "category": category,
        "description": texts.choose(rng).expect("texts are not empty"),
        "lat": (point.y() * 1e6).round() / 1e6,
        "lon": (point.x() * 1e6).round() / 1e6,
        "address": format!("Kec. {}", area.name),
        "channel": CHANNELS.choose(rng).expect("channels are not empty"),
    })
}

/// Post `rate` reports per second for `tenant` to `base_url` with the ingest API key `key`
/// until `count` are sent or
/// shutdown. Failed posts are logged and skipped (a demo must not stop on a blip).
pub async fn feed(
    tenant: std::sync::Arc<Tenant>,
    base_url: String,
    key: String,
    rate: f64,
    count: Option<u64>,
    mut shutdown: Shutdown,
) -> anyhow::Result<()> {
    anyhow::ensure!(rate > 0.0 && rate.is_finite(), "rate must be a positive number");
    let areas = &tenant.kecamatan;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let url = format!("{}/api/v1/{}/events", base_url.trim_end_matches('/'), tenant.id);
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = 0u64;
    tracing::info!(tenant = %tenant.id, rate, %url, "demo feed started");
    while count.is_none_or(|c| sent < c) {
        tokio::select! {
            _ = shutdown.wait() => break,
            _ = ticker.tick() => {}
        }
        let report = if sent % GAUGE_EVERY == GAUGE_EVERY - 1 {
            random_beds(&tenant, &mut rand::rng())
        } else {
            random_report(areas, &mut rand::rng())
        };
        match client.post(&url).bearer_auth(&key).json(&report).send().await {
            Ok(r) if r.status().is_success() => sent += 1,
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                tracing::warn!(%status, %body, "report refused");
            }
            Err(e) => tracing::warn!(error = %e, "cannot post report"),
        }
    }
    tracing::info!(tenant = %tenant.id, sent, "demo feed stopped");
    Ok(())
}

/// `pantau simulate`.
pub async fn run(config: SimulateConfig) -> anyhow::Result<()> {
    let tenants = Tenants::load(&config.config_dir, &config.assets_dir)?;
    let tenant = tenants
        .get(&config.tenant)
        .cloned()
        .with_context(|| format!("unknown tenant {:?}", config.tenant))?;
    let (trigger, shutdown) = shutdown::channel();
    tokio::spawn(async move {
        shutdown::signal().await;
        trigger.fire();
    });
    feed(tenant, config.url, config.key, config.rate, config.count, shutdown).await
}
