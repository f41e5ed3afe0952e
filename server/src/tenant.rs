//! The tenants (regions) one deployment serves. Each tenant's keys carry the `{tenant}` hash
//! tag and no request ever reads another tenant's keys.
//!
//! The two demo tenants are built in for now; tenant configuration files
//! (`config/tenants/*.toml`) replace this table with the tickets issue.

use pantau_shared::protocol::TenantInfo;

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
    /// Kecamatan boundaries (GeoJSON under the assets dir) used to place demo reports.
    pub kecamatan_geojson: String,
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
        }
    }
}

/// All tenants of this deployment.
#[derive(Clone, Debug)]
pub struct Tenants(Vec<Tenant>);

impl Tenants {
    /// The demo tenants: Kota Tangerang (WIB) and Kabupaten Banjar (WITA).
    pub fn builtin() -> Self {
        Tenants(vec![
            Tenant {
                id: "tangerang".into(),
                name: "Kota Tangerang".into(),
                time_zone: "Asia/Jakarta".into(),
                zone_label: "WIB".into(),
                utc_offset_minutes: 7 * 60,
                ticket_prefix: "TGR".into(),
                kecamatan_geojson: "geo/kota_tangerang_kecamatan.geojson".into(),
            },
            Tenant {
                id: "banjar".into(),
                name: "Kabupaten Banjar".into(),
                time_zone: "Asia/Makassar".into(),
                zone_label: "WITA".into(),
                utc_offset_minutes: 8 * 60,
                ticket_prefix: "BJR".into(),
                kecamatan_geojson: "geo/kab_banjar_kecamatan.geojson".into(),
            },
        ])
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
