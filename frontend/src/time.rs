//! Time and numbers for the wall: the tenant's local time from UTC milliseconds (Indonesia
//! has no DST, so a fixed offset is exact) and id-ID number formatting. Pure functions.

const MS_PER_DAY: i64 = 86_400_000;

/// The tenant's zone: its offset east of UTC and its Indonesian abbreviation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub offset_minutes: i32,
    /// `WIB`, `WITA` or `WIT`.
    pub label: String,
}

impl Zone {
    /// `HH:MM WIB` at `utc_ms`.
    pub fn time_of_day(&self, utc_ms: f64) -> String {
        format!("{} {}", clock_hm(utc_ms, self.offset_minutes), self.label)
    }
}

/// `HH:MM:SS` at `utc_ms` in a zone `offset_minutes` east of UTC.
pub fn clock_hms(utc_ms: f64, offset_minutes: i32) -> String {
    let (h, m, s) = local_hms(utc_ms, offset_minutes);
    format!("{h:02}:{m:02}:{s:02}")
}

/// `HH:MM` at `utc_ms` in a zone `offset_minutes` east of UTC.
pub fn clock_hm(utc_ms: f64, offset_minutes: i32) -> String {
    let (h, m, _) = local_hms(utc_ms, offset_minutes);
    format!("{h:02}:{m:02}")
}

fn local_hms(utc_ms: f64, offset_minutes: i32) -> (i64, i64, i64) {
    let local = utc_ms as i64 + i64::from(offset_minutes) * 60_000;
    let of_day = local.rem_euclid(MS_PER_DAY) / 1000;
    (of_day / 3600, (of_day / 60) % 60, of_day % 60)
}

/// A countdown `H:MM:SS` (or `MM:SS` under an hour); overdue times get a minus sign.
pub fn countdown(secs: i64) -> String {
    let sign = if secs < 0 { "−" } else { "" };
    let s = secs.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{sign}{h}:{m:02}:{sec:02}")
    } else {
        format!("{sign}{m:02}:{sec:02}")
    }
}

/// A share as an id-ID percentage with one decimal: `0.959` → `95,9%`; a whole hundred is
/// `100%` (`100,0%` does not fit a wall tile).
pub fn percent(share: f64) -> String {
    if share >= 0.9995 {
        return "100%".into();
    }
    format!("{:.1}%", share * 100.0).replace('.', ",")
}

/// An integer with id-ID thousands separators: `14012` → `14.012`.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// Milliseconds since the epoch of an RFC 3339 timestamp, parsed by the browser.
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// Smallest change of the measured clock offset that is applied, ms. Every server message
/// carries the server's time, and each measurement jitters by the message's transit time;
/// re-rendering every countdown and KPI for that jitter (ten times a second under load)
/// would cost more than the second-resolution countdowns can show.
pub const OFFSET_STEP_MS: f64 = 250.0;

/// The clock offset to use after measuring `measured`, given the one in use: `None` keeps
/// the current one (the measurement is within [`OFFSET_STEP_MS`] of it).
pub fn next_offset(current: f64, measured: f64) -> Option<f64> {
    ((measured - current).abs() >= OFFSET_STEP_MS).then_some(measured)
}

/// A number with its unit, drawn at different sizes (the unit smaller, so the pair fits a
/// narrow tile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub number: String,
    pub unit: &'static str,
}

/// A duration for a tile: whole minutes below two hours (`45` mnt), hours with one decimal
/// in id-ID style below ten (`2,5` jam), whole hours above (`15` jam) — at most four
/// characters, so it fits a tile from across the room.
pub fn duration_short(minutes: f64, min_label: &'static str, hour_label: &'static str) -> Reading {
    let hours = minutes / 60.0;
    let number = if minutes < 120.0 {
        (minutes.round() as i64).to_string()
    } else if hours < 9.95 {
        format!("{hours:.1}").replace('.', ",")
    } else {
        format_count(hours.round() as u64)
    };
    let unit = if minutes < 120.0 { min_label } else { hour_label };
    Reading { number, unit }
}

/// This browser's clock, ms since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 03:00 UTC is 10:00 WIB, 11:00 WITA and 12:00 WIT; midnight wraps.
    #[test]
    fn local_clock_per_zone() {
        let t = 1_795_402_800_000.0; // 2026-11-23T03:00:00Z
        assert_eq!(clock_hms(t, 7 * 60), "10:00:00");
        assert_eq!(clock_hm(t, 8 * 60), "11:00");
        assert_eq!(clock_hm(t, 9 * 60), "12:00");
        assert_eq!(clock_hms(t + 17.0 * 3_600_000.0 + 59_000.0, 7 * 60), "03:00:59");
    }

    /// Countdowns show hours only when needed and mark overdue time.
    #[test]
    fn countdowns_and_percentages() {
        assert_eq!(countdown(59), "00:59");
        assert_eq!(countdown(3 * 3600 + 62), "3:01:02");
        assert_eq!(countdown(-(25 * 60 + 3)), "−25:03");
        assert_eq!(countdown(0), "00:00");
        assert_eq!(percent(0.959), "95,9%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.9994), "99,9%");
    }

    /// Thousands are grouped with dots, as in Bahasa Indonesia.
    #[test]
    fn formats_counts_like_id_id() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(14_012), "14.012");
        assert_eq!(format_count(1_234_567), "1.234.567");
    }

    /// Jitter below the step is ignored; a real change (a skewed clock) is taken.
    #[test]
    fn offset_ignores_jitter() {
        assert_eq!(next_offset(0.0, 120.0), None);
        assert_eq!(next_offset(1_000.0, 880.0), None);
        assert_eq!(next_offset(0.0, -3_600_000.0), Some(-3_600_000.0));
        assert_eq!(next_offset(100.0, 400.0), Some(400.0));
    }

    /// Durations stay short: minutes, then hours with a decimal, then whole hours.
    #[test]
    fn durations_fit_a_tile() {
        let r = |m| {
            let Reading { number, unit } = duration_short(m, "mnt", "jam");
            format!("{number} {unit}")
        };
        assert_eq!(r(44.6), "45 mnt");
        assert_eq!(r(150.0), "2,5 jam");
        assert_eq!(r(900.0), "15 jam");
        assert_eq!(r(596.0), "9,9 jam");
        assert_eq!(r(598.0), "10 jam");
    }

    /// The zone writes times of day with its label.
    #[test]
    fn zone_clocks() {
        let wita = Zone {
            offset_minutes: 480,
            label: "WITA".into(),
        };
        assert_eq!(wita.time_of_day(1_795_402_800_000.0), "11:00 WITA");
    }
}
