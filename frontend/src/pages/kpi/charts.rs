//! The trend charts of the executive page, as inline SVG: received vs resolved (bars side by
//! side), backlog (an area) and SLA compliance (lines, 0–100%, broken where nothing was
//! judged) — hourly for today, daily for 7 or 30 days, labelled in the tenant's local time.
//! [`layout`] turns series into shapes and [`chart`] writes them as SVG markup in a
//! `viewBox` (so a chart fits any width and prints sharply; see [`crate::pages::kpi::markup`]
//! for why markup); both pure and tested. Colours come from CSS classes (`assets/kpi.css`),
//! so print can turn them black and grey.

use crate::chart::{area_path, bars, fmt, label_every, line_path, nice_ticks, Band, Bar, Scale};
use crate::i18n::Lang;
use crate::pages::kpi::markup::escape;
use crate::pages::kpi::model::local_day_month;
use crate::pages::kpi::text::{tr, Key};
use crate::time::{clock_hm, format_count};
use pantau_shared::stats::{Bucket, KpiReport, Window};
use std::fmt::Write;

/// The drawing's size in `viewBox` units (it scales to its box).
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 250.0;
const LEFT: f64 = 54.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;
/// Most x-axis labels (more would collide).
const MAX_X_LABELS: usize = 10;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bars,
    Area,
    Line,
}

/// One series: its legend, CSS class, way of drawing, and a value per bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: Key,
    pub class: &'static str,
    pub kind: Kind,
    pub values: Vec<Option<f64>>,
}

/// A series' shapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Bars(Vec<Bar>),
    /// An area's fill and its top line.
    Area {
        fill: String,
        line: String,
    },
    Line(String),
}

/// A chart ready to draw: shapes per series, y ticks (position, label) and x labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    pub shapes: Vec<(&'static str, Shape)>,
    pub y_ticks: Vec<(f64, String)>,
    pub x_labels: Vec<(f64, String)>,
    /// The plot's left, right, top and bottom edges.
    pub frame: [f64; 4],
}

/// Lay `series` out over buckets labelled `labels`. `percent`: values are shares (0..=1),
/// drawn on a fixed 0–100% axis; otherwise counts on an axis from 0 to a nice maximum.
pub fn layout(series: &[Series], labels: &[String], percent: bool) -> Drawing {
    let n = labels.len();
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let band = Band {
        start: x0,
        end: x1,
        n,
        padding: 0.25,
    };
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |m, v| m.max(*v));
    let ticks = if percent {
        vec![0.0, 0.25, 0.5, 0.75, 1.0]
    } else {
        nice_ticks(0.0, max, 4, true)
    };
    let top = ticks.last().copied().unwrap_or(1.0);
    let y = Scale::linear((0.0, top), (y1, y0));
    let y_ticks = ticks
        .iter()
        .map(|t| {
            let label = if percent {
                format!("{}%", (t * 100.0).round())
            } else {
                format_count(t.round() as u64)
            };
            (y.at(*t), label)
        })
        .collect();
    let bar_series = series.iter().filter(|s| s.kind == Kind::Bars).count().max(1);
    let mut bar_index = 0;
    let shapes = series
        .iter()
        .map(|s| {
            let points: Vec<Option<(f64, f64)>> = s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| v.map(|v| (band.center(i), y.at(v))))
                .collect();
            let shape = match s.kind {
                Kind::Bars => {
                    let values: Vec<f64> = s.values.iter().map(|v| v.unwrap_or(0.0)).collect();
                    let share = 1.0 / bar_series as f64;
                    let b = bars(&values, &band, &y, bar_index as f64 * share, share);
                    bar_index += 1;
                    Shape::Bars(b)
                }
                Kind::Area => {
                    let solid: Vec<(f64, f64)> = points.iter().flatten().copied().collect();
                    Shape::Area {
                        fill: area_path(&solid, y1),
                        line: line_path(&points),
                    }
                }
                Kind::Line => Shape::Line(line_path(&points)),
            };
            (s.class, shape)
        })
        .collect();
    let every = label_every(n, MAX_X_LABELS);
    let x_labels = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, l)| (band.center(i), l.clone()))
        .collect();
    Drawing {
        shapes,
        y_ticks,
        x_labels,
        frame: [x0, x1, y0, y1],
    }
}

/// The buckets a window's charts show: today's hours, or the last 7 or 30 days.
pub fn buckets(report: &KpiReport) -> &[Bucket] {
    match report.window {
        Window::Today => &report.trend.hourly,
        w => {
            let daily = &report.trend.daily;
            let days = usize::try_from(w.days()).unwrap_or(daily.len()).min(daily.len());
            &daily[daily.len() - days..]
        }
    }
}

/// The x labels of `report`'s buckets: local hours (`08`) or local dates (`24/11`).
pub fn bucket_labels(report: &KpiReport) -> Vec<String> {
    let offset = report.utc_offset_minutes;
    buckets(report)
        .iter()
        .map(|b| match report.window {
            Window::Today => clock_hm(b.start_ms as f64, offset)[..2].to_owned(),
            _ => local_day_month(b.start_ms, offset),
        })
        .collect()
}

/// The three charts' series for `report`.
pub fn series(report: &KpiReport) -> [(Key, Vec<Series>, bool); 3] {
    let b = buckets(report);
    let of = |f: fn(&Bucket) -> Option<f64>| b.iter().map(f).collect::<Vec<_>>();
    let s = |label, class, kind, values| Series {
        label,
        class,
        kind,
        values,
    };
    [
        (
            Key::IntakeVsResolved,
            vec![
                s(Key::Intake, "s-intake", Kind::Bars, of(|b| Some(b.intake as f64))),
                s(Key::Resolved, "s-resolved", Kind::Bars, of(|b| Some(b.resolved as f64))),
            ],
            false,
        ),
        (
            Key::Backlog,
            vec![s(Key::Backlog, "s-backlog", Kind::Area, of(|b| Some(b.backlog as f64)))],
            false,
        ),
        (
            Key::Compliance,
            vec![
                s(
                    Key::ResolutionOnTime,
                    "s-resolution",
                    Kind::Line,
                    of(|b| b.resolution_compliance),
                ),
                s(
                    Key::ResponseOnTime,
                    "s-response",
                    Kind::Line,
                    of(|b| b.response_compliance),
                ),
            ],
            true,
        ),
    ]
}

/// One chart as markup: a figure with its title, the SVG and its legend (`legend`: the
/// series' classes and names).
pub fn chart(title: &str, d: &Drawing, legend: &[(&str, &str)]) -> String {
    let [x0, x1, y0, y1] = d.frame;
    let title = escape(title);
    let mut s = String::with_capacity(8192);
    let _ = write!(
        s,
        r#"<figure class="kpi-card chart" data-testid="trend-chart"><figcaption>{title}</figcaption><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}">"#
    );
    for (y, label) in &d.y_ticks {
        let _ = write!(
            s,
            r#"<line class="grid" x1="{}" x2="{}" y1="{y}" y2="{y}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            fmt(x0),
            fmt(x1),
            fmt(x0 - 6.0),
            fmt(*y + 4.0),
            escape(label),
            y = fmt(*y),
        );
    }
    let _ = write!(
        s,
        r#"<line class="axis" x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>"#,
        fmt(x0),
        fmt(x1),
        fmt(y1)
    );
    for (class, shape) in &d.shapes {
        match shape {
            Shape::Bars(bars) => {
                for b in bars {
                    let _ = write!(
                        s,
                        r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}"/>"#,
                        fmt(b.x),
                        fmt(b.y),
                        fmt(b.width),
                        fmt(b.height)
                    );
                }
            }
            Shape::Area { fill, line } => {
                let _ = write!(
                    s,
                    r#"<path class="{class} area" d="{fill}"/><path class="{class} line" d="{line}"/>"#
                );
            }
            Shape::Line(line) => {
                let _ = write!(s, r#"<path class="{class} line" d="{line}"/>"#);
            }
        }
    }
    for (x, label) in &d.x_labels {
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            fmt(*x),
            fmt(y1 + 17.0),
            escape(label)
        );
    }
    let _ = write!(
        s,
        r#"<line class="axis" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/></svg><ul class="legend">"#,
        fmt(x0),
        fmt(y0),
        fmt(y1)
    );
    for (class, label) in legend {
        let _ = write!(s, r#"<li><span class="swatch {class}"></span>{}</li>"#, escape(label));
    }
    s.push_str("</ul></figure>");
    s
}

/// The three trend charts of `report`, as markup.
pub fn charts(report: &KpiReport, lang: Lang) -> String {
    let labels = bucket_labels(report);
    let period = match report.window {
        Window::Today => tr(lang, Key::Hourly),
        _ => tr(lang, Key::Daily),
    };
    series(report)
        .iter()
        .map(|(title, series, percent)| {
            let legend: Vec<(&str, &str)> = series.iter().map(|s| (s.class, tr(lang, s.label))).collect();
            chart(
                &format!("{} ({period})", tr(lang, *title)),
                &layout(series, &labels, *percent),
                &legend,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
