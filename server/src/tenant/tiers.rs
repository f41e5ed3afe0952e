//! SP4N-LAPOR deadline tiers of a tenant (`[[sla.tiers]]`): reading and checking them, and
//! which categories take which tier by default (`tier = "normatif"` on a category). The
//! working-day math itself is `pantau_shared::sla::tiers`; a ticket's own tier (picked at
//! verification, checked with [`Tenant::has_tier`]) overrides its category's.

use super::Tenant;
use pantau_shared::sla::Tier;
use serde::Deserialize;

/// One `[[sla.tiers]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierFile {
    /// Slug (`informasi`, `normatif`, `tidak_berpengawasan`, `berpengawasan`).
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// Working days until the resolution deadline, counted from the day after the report.
    pub working_days: u32,
}

/// The tiers of `files` on calendar `calendar` (the office calendar), each listing the
/// categories of `category_tiers` (category code, its `tier`) that name it. Refuses codes
/// that are not slugs or repeat, tiers without names or working days, and a category
/// naming an unknown tier.
pub fn build<'a>(
    files: &[TierFile],
    category_tiers: impl IntoIterator<Item = (&'a str, &'a str)>,
    calendar: usize,
) -> Result<Vec<Tier>, String> {
    let mut tiers: Vec<Tier> = Vec::new();
    for f in files {
        let slug = !f.code.is_empty()
            && f.code.len() <= 64
            && f.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !slug {
            return Err(format!(
                "sla.tiers: code {:?} must be lower-case letters, digits or _",
                f.code
            ));
        }
        if tiers.iter().any(|t| t.code == f.code) {
            return Err(format!("sla.tiers: code {} is used twice", f.code));
        }
        if f.name_id.trim().is_empty() || f.name_en.trim().is_empty() {
            return Err(format!("sla.tiers: tier {} needs name_id and name_en", f.code));
        }
        if f.working_days == 0 {
            return Err(format!("sla.tiers: tier {}: working_days must be at least 1", f.code));
        }
        tiers.push(Tier {
            code: f.code.clone(),
            name_id: f.name_id.clone(),
            name_en: f.name_en.clone(),
            working_days: f.working_days,
            calendar,
            categories: vec![],
        });
    }
    for (category, code) in category_tiers {
        let tier = tiers
            .iter_mut()
            .find(|t| t.code == code)
            .ok_or_else(|| format!("category {category}: unknown tier {code:?} (see [[sla.tiers]])"))?;
        tier.categories.push(category.to_owned());
    }
    Ok(tiers)
}

impl Tenant {
    /// Whether `code` names one of the tenant's SLA deadline tiers (SP4N-LAPOR).
    pub fn has_tier(&self, code: &str) -> bool {
        self.sla.tier(code).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::test_tenants;

    fn file(code: &str, working_days: u32) -> TierFile {
        TierFile {
            code: code.into(),
            name_id: "Nama".into(),
            name_en: "Name".into(),
            working_days,
        }
    }

    /// Both demo tenants ship the four SP4N-LAPOR tiers (2, 5, 14, 60 working days) on the
    /// office calendar; Banjar routes some categories to tiers, Tangerang's urgent street
    /// categories keep their hour targets.
    #[test]
    fn demo_tenants_ship_the_four_tiers() {
        let tenants = test_tenants();
        for id in ["tangerang", "banjar"] {
            let t = tenants.get(id).unwrap();
            let days: Vec<(&str, u32)> = t.sla.tiers.iter().map(|t| (t.code.as_str(), t.working_days)).collect();
            assert_eq!(
                days,
                [
                    ("informasi", 2),
                    ("normatif", 5),
                    ("tidak_berpengawasan", 14),
                    ("berpengawasan", 60)
                ],
                "{id}"
            );
            assert!(
                t.sla.tiers.iter().all(|tier| tier.calendar == 1),
                "{id}: office calendar"
            );
            assert!(t.has_tier("normatif") && !t.has_tier("kilat"), "{id}");
        }
        let tangerang = tenants.get("tangerang").unwrap();
        for urgent in ["banjir", "sampah"] {
            assert!(tangerang.sla.tier_of(urgent, None).is_none(), "{urgent} keeps hours");
        }
        let banjar = tenants.get("banjar").unwrap();
        assert!(
            banjar.sla.tiers.iter().any(|t| !t.categories.is_empty()),
            "banjar uses tiers"
        );
    }

    /// Bad tier tables are refused with the field named.
    #[test]
    fn refuses_bad_tiers() {
        let err = |files: &[TierFile], cats: &[(&str, &str)]| build(files, cats.iter().copied(), 1).unwrap_err();
        assert!(err(&[file("Normatif", 5)], &[]).contains("lower-case"));
        assert!(err(&[file("normatif", 5), file("normatif", 2)], &[]).contains("twice"));
        assert!(err(&[file("normatif", 0)], &[]).contains("working_days"));
        assert!(err(&[file("normatif", 5)], &[("sampah", "kilat")]).contains("unknown tier"));
        let ok = build(&[file("normatif", 5)], [("sampah", "normatif")], 1).unwrap();
        assert_eq!(ok[0].categories, ["sampah"]);
    }
}
