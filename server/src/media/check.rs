//! The evidence check (pure, no I/O): when the photo was taken in UTC, and what about an
//! after photo does not fit its ticket — taken before the report, too far from the
//! reported place, or no EXIF time or position to tell. The photo is kept either way; the
//! flags travel in the `ticket.media_added` event for a supervisor to judge.

use super::exif::PhotoFacts;
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use pantau_shared::event::MediaStage;

/// The photo was taken before the ticket was reported.
pub const TAKEN_BEFORE_REPORT: &str = "taken_before_report";
/// The photo was taken farther from the ticket than the tenant allows.
pub const TOO_FAR: &str = "too_far";
/// No usable EXIF `DateTimeOriginal`.
pub const NO_EXIF_TIME: &str = "no_exif_time";
/// No usable EXIF GPS position.
pub const NO_EXIF_POSITION: &str = "no_exif_position";

/// Mean Earth radius, metres (for the haversine distance).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// What the check needs to know about the ticket and the tenant.
#[derive(Clone, Copy, Debug)]
pub struct Against {
    pub stage: MediaStage,
    /// When the ticket was reported.
    pub reported_at: Option<DateTime<Utc>>,
    /// Where it was reported.
    pub lat: f64,
    pub lon: f64,
    /// The tenant's offset, for a camera time without its own.
    pub utc_offset_minutes: i32,
    /// The tenant's `evidence.max_distance_m`.
    pub max_distance_m: f64,
}

/// The check's answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    /// When the photo was taken, in UTC.
    pub taken_at: Option<DateTime<Utc>>,
    /// Flags (only after photos are flagged).
    pub flags: Vec<String>,
}

/// Check `facts` of a photo against its ticket.
pub fn check(facts: &PhotoFacts, against: &Against) -> Verdict {
    let taken_at = facts.taken_local.and_then(|local| {
        let offset = facts.offset_minutes.unwrap_or(against.utc_offset_minutes);
        let zone = FixedOffset::east_opt(offset.checked_mul(60)?)?;
        zone.from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc))
    });
    let mut flags = Vec::new();
    if against.stage == MediaStage::After {
        match (taken_at, against.reported_at) {
            (None, _) => flags.push(NO_EXIF_TIME.to_owned()),
            (Some(taken), Some(reported)) if taken < reported => flags.push(TAKEN_BEFORE_REPORT.to_owned()),
            _ => {}
        }
        match facts.position {
            None => flags.push(NO_EXIF_POSITION.to_owned()),
            Some((lat, lon)) if distance_m((lat, lon), (against.lat, against.lon)) > against.max_distance_m => {
                flags.push(TOO_FAR.to_owned())
            }
            Some(_) => {}
        }
    }
    Verdict { taken_at, flags }
}

/// Great-circle distance between two (lat, lon) points in degrees, metres (haversine).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}
