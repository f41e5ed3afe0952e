//! Words for the breach forecast on the executive page (its markup is
//! [`crate::pages::kpi::markup::forecast`]): agency names and the time left. The numbers are
//! the server's ([`pantau_shared::forecast`], the model is stated there); the wall's
//! `panels=forecast` shows the same per-agency counts from its own tickets.

use crate::i18n::Lang;
use crate::pages::kpi::text::{tr, Key};

/// An agency's name from `names` (code → name), else its code in capitals; the unrouted
/// key reads "not routed".
pub fn agency_name(code: &str, names: &[(String, String)], lang: Lang) -> String {
    if code == pantau_shared::stats::NONE_KEY {
        return tr(lang, Key::Unrouted).to_owned();
    }
    names
        .iter()
        .find(|(c, _)| c == code)
        .map_or_else(|| code.to_uppercase(), |(_, n)| n.clone())
}

/// Minutes left as `2 jam 05 mnt` / `45 mnt` (whole minutes, rounded down).
pub fn minutes_left(minutes: f64, lang: Lang) -> String {
    let m = minutes.max(0.0).floor() as u64;
    let (h_unit, m_unit) = match lang {
        Lang::Id => ("jam", "mnt"),
        Lang::En => ("h", "min"),
    };
    if m >= 60 {
        format!("{} {h_unit} {:02} {m_unit}", m / 60, m % 60)
    } else {
        format!("{m} {m_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names come from the tenant's list, unknown codes in capitals, unrouted in words.
    #[test]
    fn agency_names() {
        let names = vec![("dlh".to_owned(), "Dinas Lingkungan Hidup".to_owned())];
        assert_eq!(agency_name("dlh", &names, Lang::Id), "Dinas Lingkungan Hidup");
        assert_eq!(agency_name("pupr", &names, Lang::Id), "PUPR");
        assert_eq!(agency_name("-", &names, Lang::En), "Not routed");
    }

    /// Time left reads in hours and minutes, never negative.
    #[test]
    fn time_left() {
        assert_eq!(minutes_left(45.9, Lang::Id), "45 mnt");
        assert_eq!(minutes_left(125.0, Lang::Id), "2 jam 05 mnt");
        assert_eq!(minutes_left(-3.0, Lang::En), "0 min");
    }
}
