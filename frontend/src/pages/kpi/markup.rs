//! The executive page's static parts as HTML markup strings: tiles, the forecast tables,
//! and (in [`crate::pages::kpi::charts`] and [`crate::pages::kpi::choropleth`]) the SVG.
//! Why strings and not `view!`: the report is a document redrawn whole once a minute, with
//! nothing to update in between, and every element written through `view!` is compiled
//! into the bundle as its own rendering code — this page cost ~60 KB of brotli'd wasm that
//! way, against a 250 KB budget for the whole app. Markup is one `String`, set with
//! `inner_html`, and is tested natively as text. Every interpolated text goes through
//! [`escape`], so names from the server or a GeoJSON file cannot inject markup (and the
//! CSP forbids inline scripts and styles anyway).

use crate::i18n::{self, Lang};
use crate::pages::kpi::forecast::{agency_name, minutes_left};
use crate::pages::kpi::model::{local_day_month, TileView};
use crate::pages::kpi::text::{tr, Key};
use crate::time::{format_count, Zone};
use pantau_shared::stats::Forecast;
use std::fmt::Write;

/// `s` safe inside element text and double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The tiles: each a label, the number (`data-testid` on it), its change against the
/// previous period (`<testid>-change`), and a business-time reading for durations.
pub fn tiles(tiles: &[TileView], lang: Lang) -> String {
    let mut s = String::with_capacity(tiles.len() * 400);
    for t in tiles {
        let unit = if t.value.unit.is_empty() {
            String::new()
        } else {
            format!(r#"<span class="tile-unit"> {}</span>"#, escape(t.value.unit))
        };
        let business = t.business.as_ref().map_or_else(String::new, |b| {
            let label = match lang {
                Lang::Id => "jam kerja",
                Lang::En => "business hours",
            };
            format!(
                r#"<div class="kpi-sub">{label}: {} {}</div>"#,
                escape(&b.number),
                escape(b.unit)
            )
        });
        let _ = write!(
            s,
            r#"<div class="kpi-tile"><div class="kpi-label">{label}</div><div class="kpi-value" data-testid="{id}">{number}{unit}</div><div class="kpi-change {tone}" data-testid="{id}-change"><span class="arrow">{arrow}</span> {change}</div>{business}</div>"#,
            label = escape(tr(lang, t.label)),
            id = t.testid,
            number = escape(&t.value.number),
            tone = t.change.tone,
            arrow = t.change.arrow,
            change = escape(&t.change.text),
        );
    }
    s
}

/// A table's header row of `labels`.
fn head(s: &mut String, labels: &[&str]) {
    s.push_str("<thead><tr>");
    for l in labels {
        let _ = write!(s, r#"<th scope="col">{}</th>"#, escape(l));
    }
    s.push_str("</tr></thead>");
}

/// The forecast: per agency the open, overdue and forecast breaches within 1, 4 and 24
/// hours; then the tickets most at risk with their deadlines (day and time) in the
/// tenant's `zone`.
/// `names` maps agency codes to names.
pub fn forecast(f: &Forecast, names: &[(String, String)], zone: &Zone, lang: Lang) -> String {
    let mut s = String::with_capacity(2048 + f.at_risk.len() * 300);
    let _ = write!(
        s,
        r#"<h2>{}</h2><p class="note">{}</p><table class="kpi-table compact">"#,
        escape(tr(lang, Key::Forecast)),
        escape(tr(lang, Key::ForecastModel))
    );
    let k = |key| tr(lang, key);
    head(
        &mut s,
        &[
            k(Key::Agency),
            k(Key::OpenNow),
            k(Key::Overdue),
            k(Key::Within1h),
            k(Key::Within4h),
            k(Key::Within24h),
        ],
    );
    s.push_str("<tbody>");
    for a in &f.per_agency {
        let _ = write!(
            s,
            r#"<tr data-testid="forecast-agency" data-agency="{code}"><th scope="row">{name}</th><td>{}</td><td>{}</td><td class="strong" data-testid="breach-1h">{}</td><td class="strong" data-testid="breach-4h">{}</td><td class="strong" data-testid="breach-24h">{}</td></tr>"#,
            format_count(a.open),
            format_count(a.overdue),
            format_count(a.breach_1h),
            format_count(a.breach_4h),
            format_count(a.breach_24h),
            code = escape(&a.agency),
            name = escape(&agency_name(&a.agency, names, lang)),
        );
    }
    let _ = write!(s, "</tbody></table><h3>{}</h3>", escape(k(Key::AtRisk)));
    if f.at_risk.is_empty() {
        let _ = write!(
            s,
            r#"<p class="muted" data-testid="no-risk">{}</p>"#,
            escape(k(Key::NoneAtRisk))
        );
        return s;
    }
    s.push_str(r#"<table class="kpi-table compact">"#);
    head(
        &mut s,
        &[
            k(Key::Deadline),
            k(Key::TimeLeft),
            k(Key::Ticket),
            k(Key::Agency),
            k(Key::Category),
            k(Key::Kecamatan),
        ],
    );
    s.push_str("<tbody>");
    for r in &f.at_risk {
        let _ = write!(
            s,
            r#"<tr data-testid="at-risk" data-ticket="{id}"><td>{}</td><td>{}</td><td>{id}</td><th scope="row">{}</th><td>{}</td><td>{}</td></tr>"#,
            escape(&format!(
                "{} {}",
                local_day_month(r.deadline_ms, zone.offset_minutes),
                zone.time_of_day(r.deadline_ms as f64)
            )),
            escape(&minutes_left(r.minutes_left, lang)),
            escape(&agency_name(&r.agency, names, lang)),
            escape(&i18n::category(lang, &r.category)),
            escape(r.kecamatan.as_deref().unwrap_or("")),
            id = escape(&r.ticket),
        );
    }
    s.push_str("</tbody></table>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::kpi::model::{Change, TileView};
    use crate::time::Reading;
    use pantau_shared::stats::{AgencyForecast, AtRisk};

    /// Markup characters in names become entities; other text is kept.
    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<b>"Kec" & 'x'</b>"#),
            "&lt;b&gt;&quot;Kec&quot; &amp; &#39;x&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("Cipondoh – ≤ 1 jam"), "Cipondoh – ≤ 1 jam");
    }

    /// A tile carries its number and change under test ids; a duration its business time.
    #[test]
    fn tile_markup() {
        let tile = TileView {
            label: Key::MedianResolution,
            testid: "kpi-resolution-median",
            value: Reading {
                number: "30".into(),
                unit: "mnt",
            },
            change: Change {
                arrow: "▼",
                text: "10,0%".into(),
                tone: "good",
            },
            business: Some(Reading {
                number: "2,5".into(),
                unit: "jam",
            }),
        };
        let s = tiles(&[tile], Lang::Id);
        assert!(
            s.contains(r#"data-testid="kpi-resolution-median">30<span class="tile-unit"> mnt</span>"#),
            "{s}"
        );
        assert!(s.contains(r#"<div class="kpi-change good" data-testid="kpi-resolution-median-change"><span class="arrow">▼</span> 10,0%"#), "{s}");
        assert!(s.contains("jam kerja: 2,5 jam"), "{s}");
    }

    /// The forecast lists every agency's counts and the tickets at risk in local time;
    /// names are escaped.
    #[test]
    fn forecast_markup() {
        let f = Forecast {
            now_ms: 0,
            per_agency: vec![AgencyForecast {
                agency: "dlh".into(),
                open: 3,
                overdue: 1,
                breach_1h: 0,
                breach_4h: 1,
                breach_24h: 2,
                ..AgencyForecast::default()
            }],
            at_risk: vec![AtRisk {
                ticket: "TGR-7".into(),
                agency: "dlh".into(),
                category: "sampah".into(),
                kecamatan: Some("<Cipondoh>".into()),
                deadline_ms: 1_795_402_800_000,
                minutes_left: 75.0,
                queue_position: 1,
            }],
        };
        let names = vec![("dlh".to_owned(), "Dinas Lingkungan Hidup".to_owned())];
        let zone = Zone {
            offset_minutes: 420,
            label: "WIB".into(),
        };
        let s = forecast(&f, &names, &zone, Lang::Id);
        assert!(
            s.contains(r#"data-agency="dlh"><th scope="row">Dinas Lingkungan Hidup</th><td>3</td><td>1</td>"#),
            "{s}"
        );
        assert!(s.contains(r#"data-testid="breach-24h">2<"#), "{s}");
        assert!(
            s.contains("<td>23/11 10:00 WIB</td><td>1 jam 15 mnt</td><td>TGR-7</td>"),
            "{s}"
        );
        assert!(s.contains("&lt;Cipondoh&gt;") && !s.contains("<Cipondoh>"), "{s}");
        let calm = forecast(&Forecast::default(), &names, &zone, Lang::En);
        assert!(calm.contains("no-risk"), "{calm}");
    }
}
