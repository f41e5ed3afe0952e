//! The simulated city, pure: what its citizens report (a category mix with LAKSA-like
//! texts), where (kecamatan weighted by area), through which channel, and when (a daily
//! rhythm in the tenant's local time). Every draw takes the caller's random generator, so a
//! seeded generator gives the same city every time.

use crate::geo_area::Area;
use crate::tenant::Tenant;
use chrono::{DateTime, Timelike, Utc};
use geo::Area as _;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};

/// Category codes with their share of reports (LAKSA's mix: garbage and roads lead) and
/// typical texts as citizens write them. Categories not listed get [`OTHER_WEIGHT`].
const CATALOGUE: &[(&str, f64, &[&str])] = &[
    (
        "sampah",
        30.0,
        &[
            "Sampah belum diangkut sudah tiga hari",
            "Tumpukan sampah di pinggir jalan, bau menyengat",
            "TPS penuh, sampah meluber ke badan jalan",
        ],
    ),
    (
        "jalan_rusak",
        20.0,
        &[
            "Jalan berlubang cukup dalam, membahayakan pengendara motor",
            "Aspal mengelupas di depan sekolah",
            "Jalan amblas di dekat jembatan",
        ],
    ),
    (
        "banjir",
        9.0,
        &[
            "Genangan air setinggi 30 cm setelah hujan deras",
            "Banjir masuk ke rumah warga",
            "Air meluap dari kali, jalan tidak bisa dilalui",
        ],
    ),
    (
        "lampu_jalan",
        12.0,
        &[
            "Lampu penerangan jalan umum mati, jalan gelap gulita",
            "PJU berkedip-kedip sejak seminggu",
        ],
    ),
    (
        "pohon_tumbang",
        4.0,
        &[
            "Pohon tumbang menutup sebagian jalan",
            "Dahan pohon patah menimpa kabel listrik",
        ],
    ),
    (
        "drainase",
        10.0,
        &[
            "Saluran air tersumbat, air tidak mengalir",
            "Gorong-gorong rusak dan menimbulkan genangan",
        ],
    ),
    (
        "lalu_lintas",
        6.0,
        &[
            "Lampu lalu lintas di perempatan mati",
            "Parkir liar menyebabkan kemacetan panjang",
        ],
    ),
    (
        "kesehatan",
        4.0,
        &[
            "Antrean puskesmas sangat panjang, pasien menunggu berjam-jam",
            "Banyak nyamuk, warga khawatir demam berdarah",
        ],
    ),
    (
        "perizinan",
        5.0,
        &[
            "Pengajuan izin usaha belum ada kabar sejak dua minggu",
            "Mohon informasi syarat perpanjangan izin",
        ],
    ),
];

/// Share of a category the catalogue does not know.
const OTHER_WEIGHT: f64 = 3.0;

/// Channels with their shares: the app first, then WhatsApp, the call centre and the web.
const CHANNELS: &[(&str, f64)] = &[("app", 55.0), ("whatsapp", 20.0), ("call_center", 15.0), ("web", 10.0)];

/// Reports per local hour relative to the day's mean (1.0): quiet at night, a morning peak
/// when people leave for work, a second one in the evening.
const RHYTHM: [f64; 24] = [
    0.25, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 1.9, 1.8, 1.5, 1.3, 1.2, 1.3, 1.3, 1.2, 1.3, 1.5, 1.6, 1.4, 1.1, 0.8,
    0.55, 0.35,
];

/// Wards whose bed counts the feed reports (`ruang`), with their capacity.
const WARDS: &[(&str, u32)] = &[("IGD", 24), ("ICU", 12), ("Rawat Inap", 180)];

/// One category as the simulation draws it.
#[derive(Debug, Clone)]
pub struct CategoryMix {
    pub code: String,
    pub weight: f64,
    pub texts: Vec<String>,
}

/// What the simulation knows of a tenant's city.
#[derive(Debug, Clone)]
pub struct City {
    pub categories: Vec<CategoryMix>,
    /// Kecamatan and their share (their area).
    pub areas: Vec<(Area, f64)>,
    pub utc_offset_minutes: i32,
    pub hospital: String,
}

impl City {
    /// The city of `tenant` (its categories and kecamatan).
    pub fn of(tenant: &Tenant) -> City {
        let categories = tenant
            .categories
            .iter()
            .map(|c| match CATALOGUE.iter().find(|(code, _, _)| *code == c.code) {
                Some((_, weight, texts)) => CategoryMix {
                    code: c.code.clone(),
                    weight: *weight,
                    texts: texts.iter().map(|t| (*t).to_owned()).collect(),
                },
                None => CategoryMix {
                    code: c.code.clone(),
                    weight: OTHER_WEIGHT,
                    texts: vec![format!("Laporan warga: {}", c.description_id)],
                },
            })
            .collect();
        let areas = tenant
            .kecamatan
            .iter()
            .map(|a| (a.clone(), a.shape.unsigned_area().max(f64::MIN_POSITIVE)))
            .collect();
        City {
            categories,
            areas,
            utc_offset_minutes: tenant.utc_offset_minutes,
            hospital: format!(
                "RSUD {}",
                tenant.name.trim_start_matches("Kota ").trim_start_matches("Kabupaten ")
            ),
        }
    }

    /// How busy the city is at `at` relative to its daily mean (local hour).
    pub fn rhythm(&self, at: DateTime<Utc>) -> f64 {
        let local = at + chrono::Duration::minutes(i64::from(self.utc_offset_minutes));
        RHYTHM[local.hour() as usize]
    }

    /// The busiest hour's factor (for thinning arrivals).
    pub fn peak() -> f64 {
        RHYTHM.iter().copied().fold(0.0, f64::max)
    }

    /// A report body in the ingest API's JSON shape, dated `at`, with event id `id`.
    pub fn report(&self, id: &str, at: DateTime<Utc>, rng: &mut impl Rng) -> Value {
        let category = &self.categories[pick(self.categories.iter().map(|c| c.weight), rng)];
        let (area, _) = &self.areas[pick(self.areas.iter().map(|(_, w)| *w), rng)];
        let point = area.random_point(rng);
        let channel = CHANNELS[pick(CHANNELS.iter().map(|(_, w)| *w), rng)].0;
        json!({
            "id": id,
            "type": "report.received",
            "at": stamp(at),
            "category": category.code,
            "description": category.texts.choose(rng).expect("every category has a text"),
            "lat": (point.y() * 1e6).round() / 1e6,
            "lon": (point.x() * 1e6).round() / 1e6,
            "address": format!("Kec. {}", area.name),
            "channel": channel,
        })
    }

    /// A hospital ward's beds, in the national hospital reporting's shape.
    pub fn beds(&self, id: &str, at: DateTime<Utc>, rng: &mut impl Rng) -> Value {
        let (ward, capacity) = WARDS.choose(rng).expect("wards are not empty");
        json!({
            "id": id,
            "type": "resource.updated",
            "at": stamp(at),
            "kind": "hospital_beds",
            "facility": self.hospital,
            "unit": ward,
            "capacity": capacity,
            "used": rng.random_range(capacity * 6 / 10..=*capacity),
            "queue": rng.random_range(0..6),
        })
    }
}

/// An index drawn with probability proportional to `weights` (not all zero).
pub fn pick(weights: impl Iterator<Item = f64> + Clone, rng: &mut impl Rng) -> usize {
    let total: f64 = weights.clone().sum();
    let mut x = rng.random_range(0.0..total);
    let mut last = 0;
    for (i, w) in weights.enumerate() {
        if x < w {
            return i;
        }
        x -= w;
        last = i;
    }
    last
}

/// RFC 3339 in whole milliseconds, UTC.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_rhythm_averages_one_and_peaks_in_the_morning() {
        let mean = RHYTHM.iter().sum::<f64>() / 24.0;
        assert!((mean - 1.0).abs() < 0.05, "mean {mean}");
        let peak = RHYTHM.iter().position(|r| *r == City::peak()).unwrap();
        assert!((7..=9).contains(&peak), "peak at {peak}");
    }

    #[test]
    fn reports_fall_inside_the_tenant_in_its_categories() {
        let tenants = crate::tenant::test_tenants();
        let tenant = tenants.get("tangerang").unwrap();
        let city = City::of(tenant);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..300 {
            let r = city.report(&format!("id-{i}"), Utc::now(), &mut rng);
            let (lat, lon) = (r["lat"].as_f64().unwrap(), r["lon"].as_f64().unwrap());
            assert!(tenant.place(lat, lon).is_some(), "{r}");
            let category = r["category"].as_str().unwrap();
            assert!(tenant.category(category).is_some(), "{category}");
            seen.insert(category.to_owned());
        }
        assert!(seen.len() >= 6, "a mix of categories: {seen:?}");
    }
}
