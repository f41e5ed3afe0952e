//! Small SVG charts, drawn by the frontend itself (no chart library, no CDN): a linear
//! scale, "nice" axis ticks (1, 2, 2.5 or 5 × 10ⁿ), bands for evenly spaced buckets, the
//! path of a line (broken where a value is missing) or of an area, and bar rectangles.
//! Pure — numbers in, path strings and coordinates out — so every chart is tested natively;
//! the `/kpi` page's components put the results into `<svg viewBox=…>` elements, which
//! scale to any screen and print sharply.

/// Maps a domain interval linearly onto a range (pixels; a range may run backwards, as
/// the y axis does: larger values higher up, i.e. smaller y).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Scale {
    /// `domain` onto `range`. An empty domain (`a == b`) maps everything to the range's start.
    pub fn linear(domain: (f64, f64), range: (f64, f64)) -> Scale {
        Scale { domain, range }
    }

    /// The range position of `v` (not clamped).
    pub fn at(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if (d1 - d0).abs() < f64::EPSILON {
            return r0;
        }
        r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// Evenly spaced slots for `n` buckets between `start` and `end` (pixels), each slot's
/// inner `padding` share left empty (0 ≤ padding < 1), for bars and their labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub start: f64,
    pub end: f64,
    pub n: usize,
    pub padding: f64,
}

impl Band {
    /// The width of one slot.
    pub fn step(&self) -> f64 {
        (self.end - self.start) / self.n.max(1) as f64
    }

    /// The centre of slot `i`.
    pub fn center(&self, i: usize) -> f64 {
        self.start + self.step() * (i as f64 + 0.5)
    }

    /// The width of a bar in a slot (the slot minus its padding).
    pub fn bar_width(&self) -> f64 {
        self.step() * (1.0 - self.padding.clamp(0.0, 0.95))
    }
}

/// The tick step for `span` split into about `count` intervals: 1, 2, 2.5 or 5 × 10ⁿ.
pub fn nice_step(span: f64, count: usize) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 2.5 {
        2.5
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Axis ticks covering `[min, max]` with about `count` intervals at a nice step: the first
/// tick at or below `min`, the last at or above `max`. Whole-number data (counts) pass
/// `integer = true` and never get a step below 1. An empty span gets ticks up to `min + 1`.
pub fn nice_ticks(min: f64, max: f64, count: usize, integer: bool) -> Vec<f64> {
    let (min, max) = if max > min { (min, max) } else { (min, min + 1.0) };
    let mut step = nice_step(max - min, count);
    if integer {
        step = step.max(1.0).round();
    }
    let first = (min / step).floor() as i64;
    let last = (max / step - 1e-9).ceil() as i64;
    (first..=last.max(first + 1)).map(|i| i as f64 * step).collect()
}

/// A coordinate for a path or attribute: at most one decimal, no trailing `.0`, no `-0`.
pub fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The path of a line through `points`; a `None` breaks the line (a bucket without data is
/// a gap, not a drop to zero). A lone point between gaps becomes a zero-length segment,
/// which round line caps draw as a dot.
pub fn line_path(points: &[Option<(f64, f64)>]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, p) in points.iter().enumerate() {
        match p {
            Some((x, y)) => {
                let command = if pen_down { 'L' } else { 'M' };
                push(&mut d, command, *x, *y);
                let alone = !pen_down && points.get(i + 1).is_none_or(Option::is_none);
                if alone {
                    push(&mut d, 'L', *x, *y);
                }
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// The closed path of the area between a line through `points` and the horizontal line at
/// `base_y` (empty for no points).
pub fn area_path(points: &[(f64, f64)], base_y: f64) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let mut d = String::new();
    push(&mut d, 'M', first.0, base_y);
    for (x, y) in points {
        push(&mut d, 'L', *x, *y);
    }
    push(&mut d, 'L', last.0, base_y);
    d.push('Z');
    d
}

fn push(d: &mut String, command: char, x: f64, y: f64) {
    if !d.is_empty() {
        d.push(' ');
    }
    d.push(command);
    d.push_str(&fmt(x));
    d.push(' ');
    d.push_str(&fmt(y));
}

/// A bar: its top-left corner and size (pixels).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// One bar per value in `band`'s slots, rising from `y(0)`; `offset` and `share` place it
/// inside its slot's bar width (`0.0, 1.0` fills it; `0.5, 0.5` is the right half, for two
/// series side by side). Negative values hang below the baseline.
pub fn bars(values: &[f64], band: &Band, y: &Scale, offset: f64, share: f64) -> Vec<Bar> {
    let base = y.at(0.0);
    let width = band.bar_width() * share;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let top = y.at(*v);
            Bar {
                x: band.center(i) - band.bar_width() / 2.0 + band.bar_width() * offset,
                y: top.min(base),
                width,
                height: (top - base).abs(),
            }
        })
        .collect()
}

/// Which of `n` evenly spaced labels to show so that at most `max` appear: every k-th,
/// always including the first (`max` 0 shows none).
pub fn label_every(n: usize, max: usize) -> usize {
    if max == 0 {
        return usize::MAX;
    }
    n.div_ceil(max).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scale maps its domain's ends onto its range's ends, also backwards (the y axis),
    /// and an empty domain does not divide by zero.
    #[test]
    fn linear_scale_maps_ends_and_middle() {
        let y = Scale::linear((0.0, 40.0), (200.0, 0.0));
        assert_eq!(y.at(0.0), 200.0);
        assert_eq!(y.at(40.0), 0.0);
        assert_eq!(y.at(10.0), 150.0);
        assert_eq!(Scale::linear((5.0, 5.0), (10.0, 20.0)).at(7.0), 10.0);
    }

    /// Steps are 1, 2, 2.5 or 5 times a power of ten.
    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(100.0, 4), 25.0);
        assert_eq!(nice_step(7.0, 5), 2.0);
        assert_eq!(nice_step(0.9, 3), 0.5);
        assert_eq!(nice_step(1234.0, 5), 250.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
    }

    /// Ticks cover the data at a nice step; counts never get fractional ticks; an empty span
    /// still gets an axis.
    #[test]
    fn nice_ticks_cover_the_data() {
        assert_eq!(nice_ticks(0.0, 37.0, 4, true), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(nice_ticks(0.0, 100.0, 4, false), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 3.0, 5, true), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(nice_ticks(0.0, 0.0, 4, true), vec![0.0, 1.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 4, false), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = nice_ticks(13.0, 987.0, 5, true);
        assert!(t[0] <= 13.0 && *t.last().unwrap() >= 987.0, "{t:?}");
        assert_eq!(t[1] - t[0], 200.0);
    }

    /// Coordinates are short: one decimal at most, whole numbers bare, no negative zero.
    #[test]
    fn coordinates_are_short() {
        assert_eq!(fmt(12.0), "12");
        assert_eq!(fmt(12.345), "12.3");
        assert_eq!(fmt(-0.01), "0");
        assert_eq!(fmt(-3.24), "-3.2");
    }

    /// A line moves to its first point and draws to the others; a gap lifts the pen; a lone
    /// point is a dot.
    #[test]
    fn line_paths_break_at_gaps() {
        let p = [
            Some((0.0, 10.0)),
            Some((5.0, 2.5)),
            None,
            Some((15.0, 4.0)),
            Some((20.0, 0.0)),
        ];
        assert_eq!(line_path(&p), "M0 10 L5 2.5 M15 4 L20 0");
        assert_eq!(line_path(&[None, Some((3.0, 4.0)), None]), "M3 4 L3 4");
        assert_eq!(line_path(&[]), "");
    }

    /// An area closes down to the baseline at both ends.
    #[test]
    fn area_paths_close_on_the_baseline() {
        assert_eq!(area_path(&[(0.0, 5.0), (10.0, 2.0)], 20.0), "M0 20 L0 5 L10 2 L10 20Z");
        assert_eq!(area_path(&[], 20.0), "");
    }

    /// Bars sit in their slots, rise from zero to their value, and two series share a slot.
    #[test]
    fn bars_fill_their_slots() {
        let band = Band {
            start: 0.0,
            end: 100.0,
            n: 4,
            padding: 0.2,
        };
        assert_eq!(band.step(), 25.0);
        assert_eq!(band.center(1), 37.5);
        let y = Scale::linear((0.0, 10.0), (50.0, 0.0));
        let b = bars(&[10.0, 0.0, 5.0, 2.0], &band, &y, 0.0, 1.0);
        assert_eq!(
            b[0],
            Bar {
                x: 2.5,
                y: 0.0,
                width: 20.0,
                height: 50.0
            }
        );
        assert_eq!(b[1].height, 0.0);
        assert_eq!((b[2].y, b[2].height), (25.0, 25.0));
        let right = bars(&[10.0], &band, &y, 0.5, 0.5);
        assert_eq!((right[0].x, right[0].width), (12.5, 10.0));
    }

    /// At most `max` labels: every k-th of `n`.
    #[test]
    fn labels_thin_out() {
        assert_eq!(label_every(24, 8), 3);
        assert_eq!(label_every(30, 10), 3);
        assert_eq!(label_every(7, 10), 1);
        assert_eq!(label_every(5, 0), usize::MAX);
    }
}
