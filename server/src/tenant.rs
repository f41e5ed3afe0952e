//! The tenants (regions) one deployment serves, read from `config/tenants/*.toml`, with their
//! agencies (OPD), categories and administrative areas. Each tenant's Redis keys carry the
//! `{tenant}` hash tag and no request ever reads another tenant's keys.

use crate::geo_area::{self, Area, AreaError};
use geo::Point;
use pantau_shared::event::{Place, Priority};
use pantau_shared::protocol::{AgencyInfo, GeoUrls, TenantInfo, TileLayer};
use pantau_shared::sla::{Calendar, Hours, Policy, SlaConfig};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Area(#[from] AreaError),
    #[error("no tenant configuration in {0}")]
    None(PathBuf),
}

/// An agency (OPD/SKPD) tickets are routed to.
#[derive(Clone, Debug, Deserialize)]
pub struct Agency {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

/// A complaint category (an Open311 service).
#[derive(Clone, Debug, Deserialize)]
pub struct Category {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    #[serde(default)]
    pub description_id: String,
    #[serde(default)]
    pub description_en: String,
    /// Agency new reports of this category are routed to.
    pub agency: String,
    /// Priority new reports get unless the source sets one.
    pub priority: Priority,
    /// Target until first assignment, hours.
    pub response_hours: u32,
    /// Target until resolution, hours.
    pub resolution_hours: u32,
    /// `24x7` or `office`.
    #[serde(default = "default_calendar")]
    pub calendar: String,
}

fn default_calendar() -> String {
    CALENDAR_24X7.to_owned()
}

/// Calendar names a category may use, and their index in the tenant's [`SlaConfig`].
const CALENDAR_24X7: &str = "24x7";
const CALENDAR_OFFICE: &str = "office";

/// `[sla]` of a tenant file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaFile {
    warning_share: f64,
    #[serde(default)]
    extra_holidays: Vec<chrono::NaiveDate>,
    /// `mon = "08:00-16:00"`, ... (missing days are closed).
    office_hours: std::collections::BTreeMap<String, String>,
    priority_factor: std::collections::BTreeMap<String, f64>,
}

/// `config/holidays.toml`.
#[derive(Debug, Deserialize)]
struct HolidaysFile {
    dates: Vec<chrono::NaiveDate>,
}

/// `"08:00-16:00"` as minutes after midnight.
fn parse_hours(s: &str) -> Option<Hours> {
    let minutes = |t: &str| {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (open, close) = s.split_once('-')?;
    let hours = Hours {
        open: minutes(open)?,
        close: minutes(close)?,
    };
    (hours.open < hours.close).then_some(hours)
}

/// The tenant's SLA rules: calendars 0 = 24/7 and 1 = office hours; one policy per
/// category × priority (the category's hours scaled by the priority factor).
fn sla_config(
    file: &SlaFile,
    categories: &[Category],
    national: &[chrono::NaiveDate],
    offset: i32,
) -> Result<SlaConfig, String> {
    if !(0.0..1.0).contains(&file.warning_share) {
        return Err("sla.warning_share must be in [0, 1)".into());
    }
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if let Some(day) = file.office_hours.keys().find(|d| !DAYS.contains(&d.as_str())) {
        return Err(format!("sla.office_hours: unknown day {day:?}"));
    }
    let mut week = [None; 7];
    for (i, day) in DAYS.iter().enumerate() {
        if let Some(text) = file.office_hours.get(*day) {
            week[i] = Some(parse_hours(text).ok_or_else(|| format!("sla.office_hours.{day}: expected HH:MM-HH:MM"))?);
        }
    }
    let holidays = national.iter().chain(&file.extra_holidays).copied().collect();
    let calendars = vec![
        Calendar {
            week: None,
            holidays: Default::default(),
            utc_offset_minutes: offset,
        },
        Calendar {
            week: Some(week),
            holidays,
            utc_offset_minutes: offset,
        },
    ];
    let mut policies = Vec::new();
    for c in categories {
        let calendar = match c.calendar.as_str() {
            CALENDAR_24X7 => 0,
            CALENDAR_OFFICE => 1,
            other => {
                return Err(format!(
                    "category {}: unknown calendar {other:?} (24x7 or office)",
                    c.code
                ))
            }
        };
        for priority in Priority::ALL {
            let factor = *file
                .priority_factor
                .get(priority.as_str())
                .ok_or_else(|| format!("sla.priority_factor.{} is missing", priority.as_str()))?;
            let minutes = |hours: u32| ((f64::from(hours) * 60.0 * factor).round() as u32).max(1);
            policies.push(Policy {
                category: c.code.clone(),
                priority,
                response_minutes: minutes(c.response_hours),
                resolution_minutes: minutes(c.resolution_hours),
                calendar,
            });
        }
    }
    Ok(SlaConfig {
        warning_share: file.warning_share,
        calendars,
        policies,
    })
}

/// An ingest source's API key, stored as its SHA-256 digest (hex) so config files hold no
/// usable secret.
#[derive(Clone, Debug, Deserialize)]
pub struct ApiKey {
    /// Name of the source (becomes the events' `actor`).
    pub source: String,
    /// SHA-256 of the key, lower-case hex.
    pub sha256: String,
}

/// The file's shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantFile {
    id: String,
    name: String,
    time_zone: String,
    zone_label: String,
    utc_offset_minutes: i32,
    ticket_prefix: String,
    boundary_geojson: String,
    kecamatan_geojson: String,
    kelurahan_geojson: String,
    context_geojson: String,
    /// Optional raster base map (`[tiles]`: url, attribution, max_zoom); none by default,
    /// so walls work without internet.
    #[serde(default)]
    tiles: Option<TileLayer>,
    sla: SlaFile,
    #[serde(default)]
    api_keys: Vec<ApiKey>,
    agencies: Vec<Agency>,
    categories: Vec<Category>,
}

/// One region served by this deployment.
#[derive(Clone, Debug)]
pub struct Tenant {
    /// Stable id used in URLs and Redis keys (`tangerang`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// IANA zone name.
    pub time_zone: String,
    /// WIB / WITA / WIT.
    pub zone_label: String,
    /// Offset from UTC in minutes (no DST in Indonesia).
    pub utc_offset_minutes: i32,
    /// Prefix of ticket numbers (`TGR` → `TGR-000123`).
    pub ticket_prefix: String,
    pub agencies: Vec<Agency>,
    pub categories: Vec<Category>,
    /// Keys of ingest sources.
    pub api_keys: Vec<ApiKey>,
    /// Map shapes for walls.
    pub geo: GeoUrls,
    /// SLA calendars and policies (shared with walls).
    pub sla: Arc<SlaConfig>,
    /// The region's outline.
    pub boundary: Vec<Area>,
    /// Its kecamatan.
    pub kecamatan: Vec<Area>,
    /// Its kelurahan/desa.
    pub kelurahan: Vec<Area>,
}

/// Where a point lies in a tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub kecamatan: Place,
    pub kelurahan: Option<Place>,
}

impl Tenant {
    /// What the wall is told about its tenant.
    pub fn info(&self) -> TenantInfo {
        TenantInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            zone_label: self.zone_label.clone(),
            utc_offset_minutes: self.utc_offset_minutes,
            sla: (*self.sla).clone(),
            geo: self.geo.clone(),
            agencies: self
                .agencies
                .iter()
                .map(|a| AgencyInfo {
                    code: a.code.clone(),
                    name_id: a.name_id.clone(),
                    name_en: a.name_en.clone(),
                })
                .collect(),
        }
    }

    /// The source a presented API key belongs to, if it is one of this tenant's.
    pub fn api_key_source(&self, key: &str) -> Option<&str> {
        use sha2::{Digest, Sha256};
        let digest: String = Sha256::digest(key.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.api_keys
            .iter()
            .find(|k| k.sha256.eq_ignore_ascii_case(&digest))
            .map(|k| k.source.as_str())
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    /// The kecamatan and kelurahan of a point, or `None` if it lies outside the tenant.
    /// The polygons are simplified, so a point in the region that falls in a sliver between
    /// neighbours goes to the nearest one rather than being refused.
    pub fn place(&self, lat: f64, lon: f64) -> Option<Placement> {
        let p = Point::new(lon, lat);
        let inside = self.boundary.iter().any(|a| a.contains(&p)) || self.kecamatan.iter().any(|a| a.contains(&p));
        if !inside {
            return None;
        }
        let kecamatan = geo_area::containing_or_nearest(&self.kecamatan, &p)?.place();
        let kelurahan = geo_area::containing_or_nearest(
            self.kelurahan
                .iter()
                .filter(|k| k.parent.as_deref() == Some(kecamatan.code.as_str())),
            &p,
        )
        .map(Area::place);
        Some(Placement { kecamatan, kelurahan })
    }

    fn from_file(
        file: TenantFile,
        path: &Path,
        assets: &Path,
        national: &[chrono::NaiveDate],
    ) -> Result<Tenant, TenantError> {
        let invalid = |reason: String| TenantError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let slug = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !slug(&file.id) {
            return Err(invalid(format!(
                "id {:?} must be lower-case letters, digits or _",
                file.id
            )));
        }
        if file.ticket_prefix.is_empty() || !file.ticket_prefix.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid("ticket_prefix must be upper-case letters".into()));
        }
        for c in &file.categories {
            if !slug(&c.code) {
                return Err(invalid(format!(
                    "category code {:?} must be lower-case letters, digits or _",
                    c.code
                )));
            }
            if !file.agencies.iter().any(|a| a.code == c.agency) {
                return Err(invalid(format!(
                    "category {} names unknown agency {}",
                    c.code, c.agency
                )));
            }
        }
        if let Some(tiles) = &file.tiles {
            if !["{z}", "{x}", "{y}"].iter().all(|p| tiles.url.contains(p)) {
                return Err(invalid(format!(
                    "tiles.url {:?} must contain {{z}}, {{x}} and {{y}}",
                    tiles.url
                )));
            }
        }
        let sla = sla_config(&file.sla, &file.categories, national, file.utc_offset_minutes).map_err(invalid)?;
        let url = |path: &str| format!("/{}", path.trim_start_matches('/'));
        let geo = GeoUrls {
            kecamatan: url(&file.kecamatan_geojson),
            context: url(&file.context_geojson),
            outline: url(&file.boundary_geojson),
            tiles: file.tiles.clone(),
        };
        Ok(Tenant {
            geo,
            sla: Arc::new(sla),
            boundary: geo_area::load(&assets.join(&file.boundary_geojson))?,
            kecamatan: geo_area::load(&assets.join(&file.kecamatan_geojson))?,
            kelurahan: geo_area::load(&assets.join(&file.kelurahan_geojson))?,
            id: file.id,
            name: file.name,
            time_zone: file.time_zone,
            zone_label: file.zone_label,
            utc_offset_minutes: file.utc_offset_minutes,
            ticket_prefix: file.ticket_prefix,
            agencies: file.agencies,
            categories: file.categories,
            api_keys: file.api_keys,
        })
    }
}

/// All tenants of this deployment.
#[derive(Clone, Debug)]
pub struct Tenants(Vec<Tenant>);

impl Tenants {
    /// Read `<config>/holidays.toml` and every `<config>/tenants/*.toml` (sorted by name);
    /// GeoJSON paths are under `assets`.
    pub fn load(config: &Path, assets: &Path) -> Result<Tenants, TenantError> {
        let holidays_path = config.join("holidays.toml");
        let text = std::fs::read_to_string(&holidays_path).map_err(|source| TenantError::Read {
            path: holidays_path.clone(),
            source,
        })?;
        let national: HolidaysFile = toml::from_str(&text).map_err(|e| TenantError::Invalid {
            path: holidays_path.clone(),
            reason: e.to_string(),
        })?;
        let dir = config.join("tenants");
        let dir = dir.as_path();
        let read_dir = std::fs::read_dir(dir).map_err(|source| TenantError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = read_dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut tenants = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| TenantError::Read {
                path: path.clone(),
                source,
            })?;
            let file: TenantFile = toml::from_str(&text).map_err(|e| TenantError::Invalid {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            tenants.push(Tenant::from_file(file, &path, assets, &national.dates)?);
        }
        if tenants.is_empty() {
            return Err(TenantError::None(dir.to_owned()));
        }
        Ok(Tenants(tenants))
    }

    /// The tenant with this id.
    pub fn get(&self, id: &str) -> Option<&Tenant> {
        self.0.iter().find(|t| t.id == id)
    }

    /// Every tenant.
    pub fn iter(&self) -> impl Iterator<Item = &Tenant> {
        self.0.iter()
    }
}

/// The shipped demo tenants, for unit tests.
#[cfg(test)]
pub fn test_tenants() -> Tenants {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Tenants::load(&root.join("config"), &root.join("assets")).expect("demo tenants load")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Tenants {
        test_tenants()
    }

    /// The shipped demo tenants load with their areas, agencies and categories.
    #[test]
    fn demo_tenants_load() {
        let tenants = demo();
        let tgr = tenants.get("tangerang").unwrap();
        assert_eq!(tgr.kecamatan.len(), 13);
        assert_eq!(tgr.kelurahan.len(), 104);
        assert_eq!(tgr.zone_label, "WIB");
        let bjr = tenants.get("banjar").unwrap();
        assert_eq!(bjr.kecamatan.len(), 20);
        assert_eq!(bjr.kelurahan.len(), 290);
        assert_eq!(bjr.utc_offset_minutes, 480);
        assert_eq!(tgr.category("banjir").unwrap().agency, "bpbd");
        assert_eq!(tgr.api_key_source("tangerang-demo-key"), Some("demo-citizen-app"));
        assert_eq!(tgr.api_key_source("banjar-demo-key"), None, "keys are per tenant");
        let banjir = tgr.sla.policy("banjir", Priority::Critical).unwrap();
        assert_eq!(
            (banjir.response_minutes, banjir.resolution_minutes, banjir.calendar),
            (15, 180, 0)
        );
        let road = tgr.sla.policy("jalan_rusak", Priority::Low).unwrap();
        assert_eq!((road.response_minutes, road.calendar), (16 * 60, 1));
        let office = &tgr.sla.calendars[1];
        assert!(office.holidays.contains(&"2026-08-17".parse().unwrap()));
        assert_eq!(office.week.unwrap()[4].unwrap().close, 15 * 60, "short Friday");
        assert!(office.week.unwrap()[5].is_none(), "Saturday closed");
    }

    /// Points are placed in the right kecamatan and kelurahan; points elsewhere are refused.
    #[test]
    fn places_points_by_polygon() {
        let tenants = demo();
        let tgr = tenants.get("tangerang").unwrap();
        // The inside point of kecamatan Tangerang (36.71.01) from kecamatan_centroids.csv.
        let placed = tgr.place(-6.188816, 106.640638).unwrap();
        assert_eq!(placed.kecamatan.code, "36.71.01");
        assert_eq!(placed.kecamatan.name, "Tangerang");
        assert!(placed.kelurahan.unwrap().code.starts_with("36.71.01."));
        // Jakarta's Monas, Banjarmasin and the open sea are not in Kota Tangerang.
        assert_eq!(tgr.place(-6.1754, 106.8272), None);
        assert_eq!(tgr.place(-3.3186, 114.5944), None);
        assert_eq!(tgr.place(0.0, 0.0), None);
        let bjr = tenants.get("banjar").unwrap();
        assert!(bjr.place(-6.188816, 106.640638).is_none());
    }
    /// A config dir holding the demo Tangerang tenant with `extra` appended to its file.
    fn tangerang_with(extra: &str) -> Result<Tenants, TenantError> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = std::env::temp_dir().join(format!("pantau-tenant-test-{}-{}", std::process::id(), extra.len()));
        std::fs::create_dir_all(dir.join("tenants")).unwrap();
        std::fs::copy(root.join("config/holidays.toml"), dir.join("holidays.toml")).unwrap();
        let text = std::fs::read_to_string(root.join("config/tenants/tangerang.toml")).unwrap();
        std::fs::write(dir.join("tenants/tangerang.toml"), format!("{text}\n{extra}\n")).unwrap();
        let loaded = Tenants::load(&dir, &root.join("assets"));
        std::fs::remove_dir_all(&dir).unwrap();
        loaded
    }

    /// No tile layer unless configured; a configured one reaches the wall; a template
    /// without {z}/{x}/{y} is refused naming the field.
    #[test]
    fn tile_layer_is_optional_and_checked() {
        assert_eq!(demo().get("tangerang").unwrap().info().geo.tiles, None);
        let ok =
            tangerang_with("[tiles]\nurl = \"http://tiles.local/{z}/{x}/{y}.png\"\nattribution = \"© OSM\"").unwrap();
        let tiles = ok.get("tangerang").unwrap().info().geo.tiles.unwrap();
        assert_eq!(
            (tiles.url.as_str(), tiles.attribution.as_str(), tiles.max_zoom),
            ("http://tiles.local/{z}/{x}/{y}.png", "© OSM", 18)
        );
        let err = tangerang_with("[tiles]\nurl = \"http://tiles.local/{z}/{x}.png\"").unwrap_err();
        assert!(err.to_string().contains("tiles.url"), "{err}");
    }

    /// The wall gets every agency with both names.
    #[test]
    fn info_names_agencies() {
        let info = demo().get("tangerang").unwrap().info();
        let dlh = info.agencies.iter().find(|a| a.code == "dlh").unwrap();
        assert_eq!(dlh.name_id, "Dinas Lingkungan Hidup");
        assert_eq!(dlh.name_en, "Environment Agency");
    }
}
