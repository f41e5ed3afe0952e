//! Panels: what part of the tenant the wall shows. `?panels=all,dlh,pupr` (or
//! `all,agencies`, every agency in the tenant's order) lists them; with more than one the
//! wall rotates through them every `?rotate=` seconds (default 30). A panel filters every
//! view — KPIs, map, urgent list, newest reports — to one agency's tickets. `forecast`
//! (`prakiraan`) shows every ticket, with the breach forecast per agency in place of the
//! newest reports. Pure.

use crate::i18n::{t, Lang, Text};
use pantau_shared::protocol::AgencyInfo;
use pantau_shared::ticket::Ticket;

/// Seconds each panel stays when rotating, unless `?rotate=` says otherwise.
pub const DEFAULT_ROTATE_SECS: u64 = 30;
/// Shortest rotation accepted: a wall that flips faster cannot be read.
pub const MIN_ROTATE_SECS: u64 = 5;

/// One view of the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Panel {
    /// Every ticket.
    All,
    /// The tickets routed to one agency (its code).
    Agency(String),
    /// Every ticket, with the breach forecast per agency beside the urgent list.
    Forecast,
}

impl Panel {
    /// Whether the panel shows this ticket.
    pub fn admits(&self, ticket: &Ticket) -> bool {
        match self {
            Panel::All | Panel::Forecast => true,
            Panel::Agency(code) => ticket.agency.as_deref() == Some(code.as_str()),
        }
    }

    /// The panel's title: "Semua OPD" or the agency's name in `lang` (its code if unknown).
    pub fn title(&self, lang: Lang, agencies: &[AgencyInfo]) -> String {
        match self {
            Panel::All => t(lang, Text::AllAgencies).to_owned(),
            Panel::Forecast => {
                crate::pages::kpi::text::tr(lang, crate::pages::kpi::text::Key::ForecastShort).to_owned()
            }
            Panel::Agency(code) => agencies
                .iter()
                .find(|a| &a.code == code)
                .map(|a| match lang {
                    Lang::Id => a.name_id.clone(),
                    Lang::En => a.name_en.clone(),
                })
                .unwrap_or_else(|| code.to_ascii_uppercase()),
        }
    }
}

/// The panels named by `?panels=` (comma-separated; `all`, `agencies` or agency codes),
/// in order and without repeats; `[All]` when the parameter is absent or names nothing.
pub fn parse(param: Option<&str>, agencies: &[AgencyInfo]) -> Vec<Panel> {
    let mut panels: Vec<Panel> = Vec::new();
    let mut push = |p: Panel| {
        if !panels.contains(&p) {
            panels.push(p);
        }
    };
    for item in param.unwrap_or("").split(',').map(|s| s.trim().to_ascii_lowercase()) {
        match item.as_str() {
            "" => {}
            "all" | "semua" => push(Panel::All),
            "forecast" | "prakiraan" => push(Panel::Forecast),
            "agencies" | "opd" => agencies.iter().for_each(|a| push(Panel::Agency(a.code.clone()))),
            code => push(Panel::Agency(code.to_owned())),
        }
    }
    if panels.is_empty() {
        panels.push(Panel::All);
    }
    panels
}

/// Seconds between panels from `?rotate=`: the default when absent or not a number, never
/// below the minimum.
pub fn rotate_secs(param: Option<&str>) -> u64 {
    param
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(DEFAULT_ROTATE_SECS)
        .max(MIN_ROTATE_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agencies() -> Vec<AgencyInfo> {
        ["dlh", "pupr", "bpbd"]
            .iter()
            .map(|c| AgencyInfo {
                code: (*c).into(),
                name_id: format!("Dinas {c}"),
                name_en: format!("Agency {c}"),
                ..Default::default()
            })
            .collect()
    }

    /// Defaults, codes, the `agencies` expansion, repeats dropped, order kept.
    #[test]
    fn parses_panel_lists() {
        let a = agencies();
        assert_eq!(parse(None, &a), vec![Panel::All]);
        assert_eq!(parse(Some(" , "), &a), vec![Panel::All]);
        assert_eq!(
            parse(Some("PUPR,all,pupr"), &a),
            vec![Panel::Agency("pupr".into()), Panel::All]
        );
        assert_eq!(
            parse(Some("forecast,all,prakiraan"), &a),
            vec![Panel::Forecast, Panel::All],
            "the forecast panel, once"
        );
        assert!(Panel::Forecast.title(Lang::Id, &a).starts_with("Prakiraan"));
        assert_eq!(
            parse(Some("all,agencies,dlh"), &a),
            vec![
                Panel::All,
                Panel::Agency("dlh".into()),
                Panel::Agency("pupr".into()),
                Panel::Agency("bpbd".into())
            ]
        );
    }

    #[test]
    fn rotation_interval_has_a_floor() {
        assert_eq!(rotate_secs(None), DEFAULT_ROTATE_SECS);
        assert_eq!(rotate_secs(Some("x")), DEFAULT_ROTATE_SECS);
        assert_eq!(rotate_secs(Some("12")), 12);
        assert_eq!(rotate_secs(Some("1")), MIN_ROTATE_SECS);
    }

    /// An agency panel shows only that agency's tickets; titles follow the language.
    #[test]
    fn filters_and_titles() {
        let mut t = Ticket::open(&pantau_shared::fixtures::report(
            "TGR-1",
            "sampah",
            "2026-11-23T03:00:00Z",
        ))
        .unwrap();
        assert!(Panel::All.admits(&t));
        assert!(Panel::Agency("dlh".into()).admits(&t));
        assert!(!Panel::Agency("pupr".into()).admits(&t));
        t.agency = None;
        assert!(!Panel::Agency("dlh".into()).admits(&t));
        let a = agencies();
        assert_eq!(Panel::Agency("dlh".into()).title(Lang::Id, &a), "Dinas dlh");
        assert_eq!(Panel::Agency("dlh".into()).title(Lang::En, &a), "Agency dlh");
        assert_eq!(Panel::Agency("xyz".into()).title(Lang::En, &a), "XYZ");
        assert_eq!(Panel::All.title(Lang::Id, &a), "Semua OPD");
        assert_eq!(Panel::All.title(Lang::En, &a), "All agencies");
    }
}
