//! A tenant's SLA rules built from the `[sla]` section of its config file and its
//! categories: the calendars (24/7 and office hours with holidays) and one policy per
//! category × priority, and the SP4N-LAPOR tiers (`[[sla.tiers]]`, on the office calendar,
//! see [`crate::tenant::tiers`]). Pure; the deadline math itself is `pantau_shared::sla`.

use pantau_shared::event::Priority;
use pantau_shared::sla::{Calendar, Hours, Policy, SlaConfig};
use serde::Deserialize;

/// Calendar names a category may use, and their index in the tenant's [`SlaConfig`].
pub const CALENDAR_24X7: &str = "24x7";
pub const CALENDAR_OFFICE: &str = "office";

/// `[sla]` of a tenant file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaFile {
    pub warning_share: f64,
    #[serde(default)]
    pub extra_holidays: Vec<chrono::NaiveDate>,
    /// `mon = "08:00-16:00"`, ... (missing days are closed).
    pub office_hours: std::collections::BTreeMap<String, String>,
    pub priority_factor: std::collections::BTreeMap<String, f64>,
    /// `[[sla.tiers]]`: deadline tiers in working days (none by default).
    #[serde(default)]
    pub tiers: Vec<crate::tenant::tiers::TierFile>,
}

/// What a category contributes to the SLA rules (the tenant's `Category` lends these).
#[derive(Clone, Copy, Debug)]
pub struct CategoryTargets<'a> {
    pub code: &'a str,
    /// Response target at medium priority, hours.
    pub response_hours: u32,
    /// Resolution target at medium priority, hours.
    pub resolution_hours: u32,
    /// `24x7` or `office`.
    pub calendar: &'a str,
    /// The tier its resolution target takes instead of `resolution_hours`, if any.
    pub tier: Option<&'a str>,
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
pub fn sla_config<'a>(
    file: &SlaFile,
    categories: impl IntoIterator<Item = CategoryTargets<'a>>,
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
    let mut category_tiers = Vec::new();
    for c in categories {
        if let Some(tier) = c.tier {
            category_tiers.push((c.code, tier));
        }
        let calendar = match c.calendar {
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
                category: c.code.to_owned(),
                priority,
                response_minutes: minutes(c.response_hours),
                resolution_minutes: minutes(c.resolution_hours),
                calendar,
            });
        }
    }
    // Working days are the office calendar's open days (calendar 1).
    let tiers = crate::tenant::tiers::build(&file.tiers, category_tiers, 1)?;
    Ok(SlaConfig {
        warning_share: file.warning_share,
        calendars,
        policies,
        tiers,
    })
}
