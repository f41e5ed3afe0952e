//! Tests of [`super`] (charts).

use super::*;

fn line(values: &[Option<f64>]) -> Series {
    Series {
        label: Key::Backlog,
        class: "s",
        kind: Kind::Line,
        values: values.to_vec(),
    }
}

/// Counts get a nice axis from zero to above the largest value; two bar series share
/// each slot side by side.
#[test]
fn counts_on_a_nice_axis() {
    let labels: Vec<String> = (0..4).map(|h| format!("{h:02}")).collect();
    let intake = Series {
        label: Key::Intake,
        class: "s-intake",
        kind: Kind::Bars,
        values: vec![Some(3.0), Some(0.0), Some(7.0), Some(1.0)],
    };
    let resolved = Series {
        class: "s-resolved",
        ..intake.clone()
    };
    let d = layout(&[intake, resolved], &labels, false);
    let ticks: Vec<&str> = d.y_ticks.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(ticks, ["0", "2", "4", "6", "8"]);
    let (Shape::Bars(a), Shape::Bars(b)) = (&d.shapes[0].1, &d.shapes[1].1) else {
        panic!("bars")
    };
    assert_eq!(a.len(), 4);
    assert!((a[0].x + a[0].width - b[0].x).abs() < 1e-9, "side by side");
    assert_eq!(a[1].height, 0.0);
    assert!(a[2].y < a[0].y, "7 is taller than 3");
    assert_eq!(d.x_labels.len(), 4);
}

/// Shares sit on a fixed 0–100% axis and a bucket without a share breaks the line.
#[test]
fn shares_break_at_missing_buckets() {
    let labels: Vec<String> = (0..3).map(|d| d.to_string()).collect();
    let d = layout(&[line(&[Some(1.0), None, Some(0.5)])], &labels, true);
    assert_eq!(d.y_ticks.first().unwrap().1, "0%");
    assert_eq!(d.y_ticks.last().unwrap().1, "100%");
    let Shape::Line(path) = &d.shapes[0].1 else {
        panic!("a line")
    };
    assert_eq!(path.matches('M').count(), 2, "{path}");
    assert!(
        path.starts_with(&format!("M{} {}", fmt(LEFT + (WIDTH - LEFT - RIGHT) / 6.0), fmt(TOP))),
        "{path}"
    );
}

/// The markup is one figure with an SVG holding the bars, ticks and an escaped legend.
#[test]
fn chart_markup() {
    let labels: Vec<String> = (0..2).map(|h| format!("{h:02}")).collect();
    let bars = Series {
        label: Key::Intake,
        class: "s-intake",
        kind: Kind::Bars,
        values: vec![Some(1.0), Some(2.0)],
    };
    let s = chart("A & B", &layout(&[bars], &labels, false), &[("s-intake", "<in>")]);
    assert!(s.starts_with(r#"<figure class="kpi-card chart" data-testid="trend-chart"><figcaption>A &amp; B</figcaption><svg viewBox="0 0 640 250""#), "{s}");
    assert_eq!(s.matches(r#"<rect class="s-intake""#).count(), 2);
    assert!(
        s.contains(r#">00</text>"#) && s.contains("&lt;in&gt;") && s.ends_with("</ul></figure>"),
        "{s}"
    );
}

/// Thirty days get at most ten labels; the report's window picks the buckets.
#[test]
fn windows_pick_their_buckets() {
    let day = |i: i64| Bucket {
        start_ms: 1_795_453_200_000 + i * 86_400_000,
        intake: i as u64,
        ..Bucket::default()
    };
    let mut report = KpiReport {
        window: Window::Days7,
        utc_offset_minutes: 420,
        ..KpiReport::default()
    };
    report.trend.daily = (0..30).map(day).collect();
    report.trend.hourly = vec![Bucket {
        start_ms: 1_795_453_200_000,
        ..Bucket::default()
    }];
    assert_eq!(buckets(&report).len(), 7);
    assert_eq!(buckets(&report)[6].intake, 29, "the last 7 days");
    assert_eq!(bucket_labels(&report)[0], "17/12");
    report.window = Window::Days30;
    let d = layout(&series(&report)[0].1, &bucket_labels(&report), false);
    assert!(d.x_labels.len() <= MAX_X_LABELS);
    report.window = Window::Today;
    assert_eq!(bucket_labels(&report), ["00"], "local midnight, WIB");
}
