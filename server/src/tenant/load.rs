//! Reading and checking tenant configuration: `config/holidays.toml` and every
//! `config/tenants/*.toml`. Anything inconsistent is refused at start-up with the file and
//! the field named — ids and codes that are not slugs, a category routed to an unknown
//! agency, a tile template without {z}/{x}/{y}, SLA rules that do not parse, a time zone
//! whose offset disagrees with `utc_offset_minutes`, officers without a name or whose ids
//! are not slugs or repeat, a ping-pong rule with an empty window, a webhook that cannot be
//! delivered ([`super::webhooks::check`]).

use super::{Agency, ApiKey, Category, Tenant, TenantError, Tenants};
use crate::geo_area;
use crate::sla::policy::{sla_config, CategoryTargets, SlaFile};
use chrono::{Offset, TimeZone};
use pantau_shared::protocol::{GeoUrls, PingPongRule, TileLayer, WorkflowRule};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `config/holidays.toml`.
#[derive(Debug, Deserialize)]
struct HolidaysFile {
    dates: Vec<chrono::NaiveDate>,
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
    /// Decimals Open311 documents round coordinates to.
    #[serde(default)]
    public_coordinate_decimals: Option<u32>,
    agencies: Vec<Agency>,
    categories: Vec<Category>,
    /// `[ping_pong]` min_reassignments, window_minutes (defaults: 3 within 1440).
    #[serde(default)]
    ping_pong: PingPongRule,
    /// `[evidence]` require_after_photo, max_distance_m, max_bytes (defaults: off, 200 m,
    /// 10 MiB; see [`super::evidence::EvidenceRule`]).
    #[serde(default)]
    evidence: super::evidence::EvidenceRule,
    /// `[duplicates]` max_distance_m, window_hours, related (defaults: 150 m, 72 h, none).
    #[serde(default)]
    duplicates: super::duplicates::DuplicateRule,
    /// `[workflow]` verification, validation (both on unless set false).
    #[serde(default)]
    workflow: WorkflowRule,
    /// `[[webhooks]]`: agency systems told about ticket events (none by default).
    #[serde(default)]
    webhooks: Vec<super::webhooks::Webhook>,
}

/// The UTC offset (minutes) of IANA zone `name` now, or why it cannot be used. Indonesia
/// keeps no daylight saving, so one offset holds all year.
fn zone_offset_minutes(name: &str) -> Result<i32, String> {
    let zone: chrono_tz::Tz = name
        .parse()
        .map_err(|_| format!("time_zone {name:?} is not an IANA time zone"))?;
    let now = chrono::Utc::now().naive_utc();
    Ok(zone.offset_from_utc_datetime(&now).fix().local_minus_utc() / 60)
}

/// Officer ids are slugs (lower-case letters, digits, `_`, `-`), unique in the tenant;
/// every officer has a name.
fn check_officers(agencies: &[Agency]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for agency in agencies {
        for officer in &agency.officers {
            let id = &officer.id;
            let slug = !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
            if !slug {
                return Err(format!(
                    "agency {}: officer id {id:?} must be lower-case letters, digits, _ or -",
                    agency.code
                ));
            }
            if officer.name.trim().is_empty() {
                return Err(format!("agency {}: officer {id} has no name", agency.code));
            }
            if !seen.insert(id.as_str()) {
                return Err(format!("agency {}: officer id {id} is used twice", agency.code));
            }
        }
    }
    Ok(())
}

fn tenant_from_file(
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
    if !slug(&file.id) || file.id.starts_with('_') {
        return Err(invalid(format!(
            "id {:?} must be lower-case letters, digits or _, not starting with _ (reserved)",
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
    check_officers(&file.agencies).map_err(invalid)?;
    file.evidence.check().map_err(invalid)?;
    super::webhooks::check(&file.webhooks, &file.agencies).map_err(invalid)?;
    file.duplicates.check(&file.categories).map_err(invalid)?;
    if file.ping_pong.window_minutes == 0 {
        return Err(invalid("ping_pong.window_minutes must be at least 1".into()));
    }
    if let Some(tiles) = &file.tiles {
        if !["{z}", "{x}", "{y}"].iter().all(|p| tiles.url.contains(p)) {
            return Err(invalid(format!(
                "tiles.url {:?} must contain {{z}}, {{x}} and {{y}}",
                tiles.url
            )));
        }
    }
    let zone_offset = zone_offset_minutes(&file.time_zone).map_err(invalid)?;
    if zone_offset != file.utc_offset_minutes {
        return Err(invalid(format!(
            "utc_offset_minutes = {} disagrees with time_zone {:?} (UTC{:+} h)",
            file.utc_offset_minutes,
            file.time_zone,
            f64::from(zone_offset) / 60.0
        )));
    }
    let targets = file.categories.iter().map(|c| CategoryTargets {
        code: &c.code,
        response_hours: c.response_hours,
        resolution_hours: c.resolution_hours,
        calendar: &c.calendar,
        tier: c.tier.as_deref(),
    });
    let sla = sla_config(&file.sla, targets, national, file.utc_offset_minutes).map_err(invalid)?;
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
        ping_pong: file.ping_pong,
        evidence: file.evidence,
        webhooks: file.webhooks,
        duplicates: file.duplicates,
        workflow: file.workflow,
        api_keys: file.api_keys,
        public_coordinate_decimals: file
            .public_coordinate_decimals
            .unwrap_or(super::DEFAULT_PUBLIC_COORDINATE_DECIMALS)
            .min(6),
    })
}

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
        tenants.push(Arc::new(tenant_from_file(file, &path, assets, &national.dates)?));
    }
    if tenants.is_empty() {
        return Err(TenantError::None(dir.to_owned()));
    }
    Ok(Tenants::new(tenants))
}
