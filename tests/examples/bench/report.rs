//! The results of a run: one [`Row`] per measured figure, printed as an aligned table and
//! written as JSON. A row compares Pantau with the baseline measured in the same run (or
//! with an absolute target) and says whether the target is met.

use serde::Serialize;
use std::path::Path;

/// What a row's figure is held to.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Target {
    /// `pantau / baseline` at least this.
    MinRatio(f64),
    /// `pantau / baseline` at most this (latencies: lower is better).
    MaxRatio(f64),
    /// The figure itself at least this.
    AtLeast(f64),
    /// The figure itself at most this.
    AtMost(f64),
    /// Reported for context; no target.
    None,
}

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The benchmark step (`ingest`, `latency`, ...).
    pub step: String,
    /// What was measured, with its unit.
    pub metric: String,
    /// Pantau's figure.
    pub pantau: f64,
    /// The baseline's figure from the same run, when the row compares with one.
    pub baseline: Option<f64>,
    /// `pantau / baseline`.
    pub ratio: Option<f64>,
    /// What the figure is held to.
    pub target: Target,
    /// Whether the target is met (`None` for rows without a target).
    pub met: Option<bool>,
}

impl Row {
    /// A figure compared with a baseline under `target` (a ratio or an absolute bound).
    pub fn compared(step: &str, metric: &str, pantau: f64, baseline: f64, target: Target) -> Row {
        Row::new(step, metric, pantau, Some(baseline), target)
    }

    /// A figure on its own (an absolute target, or [`Target::None`]).
    pub fn alone(step: &str, metric: &str, pantau: f64, target: Target) -> Row {
        Row::new(step, metric, pantau, None, target)
    }

    fn new(step: &str, metric: &str, pantau: f64, baseline: Option<f64>, target: Target) -> Row {
        let ratio = baseline.filter(|b| *b > 0.0).map(|b| pantau / b);
        let met = match target {
            Target::MinRatio(r) => Some(ratio.is_some_and(|x| x >= r)),
            Target::MaxRatio(r) => Some(ratio.is_some_and(|x| x <= r)),
            Target::AtLeast(v) => Some(pantau >= v),
            Target::AtMost(v) => Some(pantau <= v),
            Target::None => None,
        };
        Row {
            step: step.to_owned(),
            metric: metric.to_owned(),
            pantau,
            baseline,
            ratio,
            target,
            met,
        }
    }
}

/// A figure with a precision that suits its size.
fn number(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn target_text(t: Target) -> String {
    match t {
        Target::MinRatio(r) => format!("≥ {r}×"),
        Target::MaxRatio(r) => format!("≤ {r}×"),
        Target::AtLeast(v) => format!("≥ {}", number(v)),
        Target::AtMost(v) => format!("≤ {}", number(v)),
        Target::None => "—".into(),
    }
}

/// The rows as a Markdown table (also readable in a terminal).
pub fn table(rows: &[Row]) -> String {
    let header = ["step", "metric", "pantau", "baseline", "ratio", "target", "met"].map(String::from);
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.step.clone(),
                r.metric.clone(),
                number(r.pantau),
                r.baseline.map(number).unwrap_or_else(|| "—".into()),
                r.ratio.map(|x| format!("{x:.2}×")).unwrap_or_else(|| "—".into()),
                target_text(r.target),
                match r.met {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "—".into(),
                },
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String; 7]| {
        let padded: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&header);
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}

/// Write the rows and the machine they ran on as JSON to `path`.
pub fn write_json(path: &Path, rows: &[Row]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let doc = serde_json::json!({
        "finished_at": chrono::Utc::now().to_rfc3339(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "rows": rows,
    });
    std::fs::write(path, serde_json::to_vec_pretty(&doc)?)?;
    Ok(())
}
