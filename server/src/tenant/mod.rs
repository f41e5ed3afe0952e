//! The tenants (regions) one deployment serves — agencies (OPD), categories, API keys,
//! administrative areas — and their lookups: by id, by code, a point to its kecamatan.
//! Each tenant's Redis keys carry the `{tenant}` hash tag and no request ever reads another
//! tenant's keys. Reading and checking the files is [`load`]; SLA rules are built by
//! [`crate::sla::policy`].

pub mod duplicates;
pub mod evidence;
pub mod load;
#[cfg(test)]
mod tests;
pub mod tiers;
pub mod webhooks;

use crate::geo_area::{self, Area, AreaError};
use crate::sla::policy::CALENDAR_24X7;
use geo::Point;
use pantau_shared::event::{Place, Priority};
use pantau_shared::protocol::{AgencyInfo, GeoUrls, OfficerInfo, PingPongRule, TenantInfo, WorkflowRule};
use pantau_shared::sla::SlaConfig;
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
    /// Its officers (`officers = [{ id, name }, …]`); when listed, an assignment to this
    /// agency may only name one of them.
    #[serde(default)]
    pub officers: Vec<OfficerInfo>,
}

impl Agency {
    /// Whether `officer` may be named in an assignment to this agency: any, when the
    /// agency lists no officers; else one of its officers' ids.
    pub fn accepts_officer(&self, officer: &str) -> bool {
        self.officers.is_empty() || self.officers.iter().any(|o| o.id == officer)
    }
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
    /// SP4N-LAPOR deadline tier of its resolution target (`normatif`, ...), instead of
    /// `resolution_hours`; see [`tiers`].
    #[serde(default)]
    pub tier: Option<String>,
}

fn default_calendar() -> String {
    CALENDAR_24X7.to_owned()
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
    /// Keys of ingest sources seeded into Redis at start (`pantau key add` makes more).
    pub api_keys: Vec<ApiKey>,
    /// Decimals public documents (Open311) round coordinates to (3 ≈ 110 m).
    pub public_coordinate_decimals: u32,
    /// Map shapes for walls.
    pub geo: GeoUrls,
    /// SLA calendars and policies (shared with walls).
    pub sla: Arc<SlaConfig>,
    /// When a ticket bouncing between agencies gets a `ping_pong` alert (`[ping_pong]`).
    pub ping_pong: PingPongRule,
    /// Agency systems told about ticket events (`[[webhooks]]`, see [`webhooks`]).
    pub webhooks: Vec<webhooks::Webhook>,
    /// When two reports may be one job (`[duplicates]`).
    pub duplicates: duplicates::DuplicateRule,
    /// Triage and validation steps (`[workflow]`).
    pub workflow: WorkflowRule,
    /// Photo evidence rules (`[evidence]`).
    pub evidence: evidence::EvidenceRule,
    /// The region's outline.
    pub boundary: Vec<Area>,
    /// Its kecamatan.
    pub kecamatan: Vec<Area>,
    /// Its kelurahan/desa.
    pub kelurahan: Vec<Area>,
}

/// Decimals public coordinates keep unless a tenant says otherwise (3 ≈ 110 m: the
/// street, not the house).
pub const DEFAULT_PUBLIC_COORDINATE_DECIMALS: u32 = 3;

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
                    officers: a.officers.clone(),
                })
                .collect(),
            ping_pong: self.ping_pong,
            workflow: self.workflow,
        }
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
}

/// All tenants of this deployment.
#[derive(Clone, Debug)]
pub struct Tenants(Vec<Arc<Tenant>>);

impl Tenants {
    /// These tenants, in this order.
    pub fn new(tenants: Vec<Arc<Tenant>>) -> Tenants {
        Tenants(tenants)
    }

    /// Read `<config>/holidays.toml` and every `<config>/tenants/*.toml` (see [`load`]).
    pub fn load(config: &Path, assets: &Path) -> Result<Tenants, TenantError> {
        load::load(config, assets)
    }

    /// The tenant with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Tenant>> {
        self.0.iter().find(|t| t.id == id)
    }

    /// Every tenant.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Tenant>> {
        self.0.iter()
    }
}

/// The shipped demo tenants, for unit tests.
#[cfg(test)]
pub fn test_tenants() -> Tenants {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Tenants::load(&root.join("config"), &root.join("assets")).expect("demo tenants load")
}
