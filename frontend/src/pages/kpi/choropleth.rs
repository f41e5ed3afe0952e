//! The kecamatan choropleth of the executive page: each kecamatan shaded by its backlog or
//! its resolution compliance over the period, as inline SVG (prints as it shows). The
//! shapes are the wall's ([`crate::map::geo`]: the same GeoJSON file and the same fitted
//! projection); [`paths`], [`class_of`] and the SVG [`markup`] are pure and tested. Shading classes run from
//! `q0` (nothing to worry about) to `q4` (worst), `qx` for no data, coloured by CSS.

use crate::i18n::Lang;
use crate::map::geo::{bounds, parse, Projection, Shape};
use crate::pages::kpi::markup::escape;
use crate::pages::kpi::text::{tr, Key};
use crate::time::{format_count, percent};
use leptos::prelude::*;
use pantau_shared::stats::BreakdownRow;
use std::fmt::Write;

/// The drawing's size in `viewBox` units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 420.0;

/// What the map shades.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Backlog,
    Compliance,
}

/// Compliance bin edges, worst last: ≥ 95%, ≥ 85%, ≥ 70%, below.
const COMPLIANCE_EDGES: [f64; 3] = [0.95, 0.85, 0.70];

/// The shading class of a kecamatan's `value` (a count for backlog, a share for
/// compliance), given the largest backlog of all kecamatan.
pub fn class_of(measure: Measure, value: Option<f64>, max_backlog: f64) -> &'static str {
    const CLASSES: [&str; 5] = ["q0", "q1", "q2", "q3", "q4"];
    let Some(v) = value else { return "qx" };
    let bin = match measure {
        Measure::Backlog if v <= 0.0 => 0,
        Measure::Backlog => ((v / max_backlog.max(1.0)) * 4.0).ceil().clamp(1.0, 4.0) as usize,
        Measure::Compliance => 1 + COMPLIANCE_EDGES.iter().take_while(|edge| v < **edge).count(),
    };
    CLASSES[bin]
}

/// The legend of a measure: (class, text) per bin.
pub fn legend(measure: Measure, max_backlog: f64, lang: Lang) -> Vec<(&'static str, String)> {
    match measure {
        Measure::Backlog => {
            let max = max_backlog.max(1.0);
            let mut bins = vec![("q0", "0".to_owned())];
            let mut low = 1.0;
            for (i, class) in ["q1", "q2", "q3", "q4"].into_iter().enumerate() {
                let high = (max * (i + 1) as f64 / 4.0).floor();
                if high >= low {
                    let text = if high > low {
                        format!("{}–{}", format_count(low as u64), format_count(high as u64))
                    } else {
                        format_count(low as u64)
                    };
                    bins.push((class, text));
                    low = high + 1.0;
                }
            }
            bins
        }
        Measure::Compliance => vec![
            ("q1", format!("≥ {}", percent(0.95))),
            ("q2", format!("{} – {}", percent(0.85), percent(0.95))),
            ("q3", format!("{} – {}", percent(0.70), percent(0.85))),
            ("q4", format!("< {}", percent(0.70))),
            ("qx", tr(lang, Key::NoData).to_owned()),
        ],
    }
}

/// A kecamatan's outline as an SVG path in the map's `viewBox`.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub d: String,
}

/// The paths of `shapes` fitted into the map's `viewBox` (rings closed; holes drawn with
/// the even-odd rule by CSS).
pub fn paths(shapes: &[Shape]) -> Vec<Area> {
    let Some(b) = bounds(shapes) else { return vec![] };
    let p = Projection::fit(b, WIDTH, HEIGHT, 8.0);
    shapes
        .iter()
        .map(|s| {
            let mut d = String::new();
            for ring in &s.rings {
                for (i, [lon, lat]) in ring.iter().enumerate() {
                    let (x, y) = p.px(*lon, *lat);
                    if !d.is_empty() {
                        d.push(' ');
                    }
                    d.push(if i == 0 { 'M' } else { 'L' });
                    d.push_str(&crate::chart::fmt(x));
                    d.push(' ');
                    d.push_str(&crate::chart::fmt(y));
                }
                d.push('Z');
            }
            Area {
                code: s.code.clone(),
                name: s.name.clone(),
                d,
            }
        })
        .collect()
}

/// The value of a breakdown row for `measure`.
fn value(row: &BreakdownRow, measure: Measure) -> Option<f64> {
    match measure {
        Measure::Backlog => Some(row.kpis.backlog as f64),
        Measure::Compliance => row.kpis.resolution_compliance,
    }
}

/// The map's SVG and legend as markup: each kecamatan of `areas` shaded by its row of
/// `rows` for `measure` (a kecamatan without a row has no backlog and no compliance), with
/// its name and value as a tooltip.
pub fn markup(areas: &[Area], rows: &[BreakdownRow], measure: Measure, lang: Lang) -> String {
    let max = rows.iter().map(|r| r.kpis.backlog).max().unwrap_or(0) as f64;
    let mut s = String::with_capacity(areas.iter().map(|a| a.d.len() + 160).sum::<usize>() + 1024);
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
        escape(tr(lang, Key::MapTitle))
    );
    for a in areas {
        let row = rows.iter().find(|r| r.key == a.code);
        let v = row.and_then(|r| value(r, measure)).or(match measure {
            Measure::Backlog => Some(0.0),
            Measure::Compliance => None,
        });
        let shown = match (measure, v) {
            (_, None) => tr(lang, Key::NoData).to_owned(),
            (Measure::Backlog, Some(v)) => format_count(v as u64),
            (Measure::Compliance, Some(v)) => percent(v),
        };
        let _ = write!(
            s,
            r#"<path class="kec {}" d="{}" data-kecamatan="{}"><title>{}: {}</title></path>"#,
            class_of(measure, v, max),
            a.d,
            escape(&a.code),
            escape(&a.name),
            escape(&shown)
        );
    }
    s.push_str(r#"</svg><ul class="legend">"#);
    for (class, text) in legend(measure, max, lang) {
        let _ = write!(
            s,
            r#"<li><span class="swatch kec {class}"></span>{}</li>"#,
            escape(&text)
        );
    }
    s.push_str("</ul>");
    s
}

/// The map of `rows` (the kecamatan breakdown) over the kecamatan shapes at `geo_url`, with
/// a switch between backlog and compliance (hidden in print).
#[component]
pub fn KecamatanMap(geo_url: Signal<Option<String>>, rows: Memo<Vec<BreakdownRow>>, lang: Lang) -> impl IntoView {
    let areas = RwSignal::new(Vec::<Area>::new());
    let measure = RwSignal::new(Measure::Backlog);
    Effect::new(move |loaded: Option<Option<String>>| {
        let url = geo_url.get();
        if url.is_some() && loaded.as_ref() != Some(&url) {
            let u = url.clone().unwrap_or_default();
            leptos::task::spawn_local(async move {
                match crate::map::view::fetch_text(&u).await.map(|t| parse(&t)) {
                    Some(Ok(shapes)) => areas.set(paths(&shapes)),
                    _ => leptos::logging::warn!("cannot load {u}"),
                }
            });
        }
        url
    });
    let drawn = move || rows.with(|r| areas.with(|a| markup(a, r, measure.get(), lang)));
    let toggle = move |m: Measure, key: Key| {
        view! {
            <button type="button" class="button toggle" aria-pressed=move || (measure.get() == m).to_string()
                on:click=move |_| measure.set(m)>{tr(lang, key)}</button>
        }
    };
    let caption = move || match measure.get() {
        Measure::Backlog => tr(lang, Key::MapBacklog),
        Measure::Compliance => tr(lang, Key::MapCompliance),
    };
    view! {
        <figure class="kpi-card kpi-map" data-testid="kecamatan-map">
            <figcaption>
                {tr(lang, Key::MapTitle)}" — "{caption}
                <span class="controls">{toggle(Measure::Backlog, Key::MapBacklog)}{toggle(Measure::Compliance, Key::MapCompliance)}</span>
            </figcaption>
            <div inner_html=drawn></div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backlog shades by quarter of the largest; compliance by fixed edges, worse darker.
    #[test]
    fn shading_classes() {
        assert_eq!(class_of(Measure::Backlog, Some(0.0), 8.0), "q0");
        assert_eq!(class_of(Measure::Backlog, Some(1.0), 8.0), "q1");
        assert_eq!(class_of(Measure::Backlog, Some(5.0), 8.0), "q3");
        assert_eq!(class_of(Measure::Backlog, Some(8.0), 8.0), "q4");
        assert_eq!(class_of(Measure::Compliance, Some(0.99), 0.0), "q1");
        assert_eq!(class_of(Measure::Compliance, Some(0.95), 0.0), "q1");
        assert_eq!(class_of(Measure::Compliance, Some(0.9), 0.0), "q2");
        assert_eq!(class_of(Measure::Compliance, Some(0.5), 0.0), "q4");
        assert_eq!(class_of(Measure::Compliance, None, 0.0), "qx");
    }

    /// The backlog legend's bins cover 1..max without gaps or empty bins.
    #[test]
    fn backlog_legend() {
        let texts = |max| {
            legend(Measure::Backlog, max, Lang::Id)
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(8.0), ["0", "1–2", "3–4", "5–6", "7–8"]);
        assert_eq!(texts(2.0), ["0", "1", "2"]);
        assert_eq!(texts(0.0), ["0", "1"]);
    }

    /// Each kecamatan is shaded by its own row, named in its tooltip; the legend follows.
    #[test]
    fn map_markup() {
        let area = |code: &str| Area {
            code: code.into(),
            name: format!("Kec {code}"),
            d: "M0 0 L1 1Z".into(),
        };
        let mut row = BreakdownRow {
            key: "b".into(),
            label: None,
            kpis: Default::default(),
            previous: Default::default(),
        };
        row.kpis.backlog = 4;
        row.kpis.resolution_compliance = Some(0.5);
        let areas = [area("a"), area("b")];
        let s = markup(&areas, &[row.clone()], Measure::Backlog, Lang::Id);
        assert!(
            s.contains(r#"<path class="kec q0" d="M0 0 L1 1Z" data-kecamatan="a"><title>Kec a: 0</title>"#),
            "{s}"
        );
        assert!(
            s.contains(r#"<path class="kec q4" d="M0 0 L1 1Z" data-kecamatan="b"><title>Kec b: 4</title>"#),
            "{s}"
        );
        let s = markup(&areas, &[row], Measure::Compliance, Lang::En);
        assert!(
            s.contains(r#"class="kec qx""#) && s.contains("Kec b: 50,0%") && s.contains("No data"),
            "{s}"
        );
    }

    /// Shapes become closed paths inside the `viewBox`.
    #[test]
    fn shapes_become_paths() {
        let square = |code: &str, x: f64| Shape {
            code: code.into(),
            name: code.to_uppercase(),
            rings: vec![vec![[x, 0.0], [x + 1.0, 0.0], [x + 1.0, 1.0], [x, 0.0]]],
        };
        let areas = paths(&[square("a", 106.0), square("b", 107.0)]);
        assert_eq!(areas.len(), 2);
        assert!(
            areas[0].d.starts_with('M') && areas[0].d.ends_with('Z'),
            "{}",
            areas[0].d
        );
        for n in areas
            .iter()
            .flat_map(|a| a.d.split([' ', 'M', 'L', 'Z']))
            .filter(|s| !s.is_empty())
        {
            let v: f64 = n.parse().unwrap();
            assert!((0.0..=WIDTH).contains(&v), "{v}");
        }
        assert!(paths(&[]).is_empty());
    }
}
