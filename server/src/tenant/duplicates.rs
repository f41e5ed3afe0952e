//! `[duplicates]` of a tenant file: when two reports may be one job (issue 18) — how close
//! (metres), how near in time (hours), and which categories count as the same problem
//! (`related = [["sampah", "drainase"]]`: rubbish in a ditch is reported as either).
//! Checked at load: a positive distance and window, related codes the tenant has.

use super::Category;
use serde::Deserialize;

/// Metres within which two reports may be the same job, unless configured.
pub const DEFAULT_MAX_DISTANCE_M: f64 = 150.0;
/// Hours apart two reports may be and still be the same job, unless configured.
pub const DEFAULT_WINDOW_HOURS: u32 = 72;

/// The tenant's rule for candidate duplicates.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRule {
    /// Farthest apart (great-circle metres) two reports of one job may be.
    #[serde(default = "default_max_distance_m")]
    pub max_distance_m: f64,
    /// Longest time between the two reports, hours.
    #[serde(default = "default_window_hours")]
    pub window_hours: u32,
    /// Groups of category codes that count as one problem for duplicates.
    #[serde(default)]
    pub related: Vec<Vec<String>>,
}

fn default_max_distance_m() -> f64 {
    DEFAULT_MAX_DISTANCE_M
}

fn default_window_hours() -> u32 {
    DEFAULT_WINDOW_HOURS
}

impl Default for DuplicateRule {
    /// 150 m, 72 h, each category on its own.
    fn default() -> Self {
        DuplicateRule {
            max_distance_m: DEFAULT_MAX_DISTANCE_M,
            window_hours: DEFAULT_WINDOW_HOURS,
            related: vec![],
        }
    }
}

impl DuplicateRule {
    /// Whether reports of categories `a` and `b` may be one job: the same category, or two
    /// of one `related` group.
    pub fn related(&self, a: &str, b: &str) -> bool {
        a == b
            || self
                .related
                .iter()
                .any(|group| group.iter().any(|c| c == a) && group.iter().any(|c| c == b))
    }

    /// Why the rule cannot be used with these categories, if it cannot.
    pub fn check(&self, categories: &[Category]) -> Result<(), String> {
        if !(self.max_distance_m.is_finite() && self.max_distance_m > 0.0) {
            return Err("duplicates.max_distance_m must be a positive number of metres".into());
        }
        if self.window_hours == 0 {
            return Err("duplicates.window_hours must be at least 1".into());
        }
        for code in self.related.iter().flatten() {
            if !categories.iter().any(|c| &c.code == code) {
                return Err(format!("duplicates.related names unknown category {code:?}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same category always; related ones only within a group; defaults when unset.
    #[test]
    fn relates_categories_by_group() {
        let rule: DuplicateRule = toml::from_str(r#"related = [["sampah", "drainase"]]"#).unwrap();
        assert_eq!((rule.max_distance_m, rule.window_hours), (150.0, 72));
        assert!(rule.related("sampah", "sampah"));
        assert!(rule.related("drainase", "sampah"));
        assert!(!rule.related("sampah", "banjir"));
        assert!(!DuplicateRule::default().related("sampah", "drainase"));
    }

    /// Unknown codes, a zero window and a non-positive distance are refused.
    #[test]
    fn checks_the_rule() {
        let cats: Vec<Category> = toml::from_str::<toml::Table>(
            r#"c = [{code = "sampah", name_id = "S", name_en = "S", agency = "dlh", priority = "medium", response_hours = 1, resolution_hours = 2}]"#,
        )
        .unwrap()["c"]
            .clone()
            .try_into()
            .unwrap();
        assert!(DuplicateRule::default().check(&cats).is_ok());
        let unknown = DuplicateRule {
            related: vec![vec!["sampah".into(), "lava".into()]],
            ..Default::default()
        };
        assert!(unknown.check(&cats).unwrap_err().contains("lava"));
        let zero = DuplicateRule {
            window_hours: 0,
            ..Default::default()
        };
        assert!(zero.check(&cats).is_err());
        let far = DuplicateRule {
            max_distance_m: 0.0,
            ..Default::default()
        };
        assert!(far.check(&cats).is_err());
    }
}
