//! What a photo's EXIF says about when and where it was taken (pure: bytes in, facts out).
//! `kamadak-exif` reads JPEG, PNG and WebP containers; a photo without EXIF, or with fields
//! that do not parse, simply has fewer facts — the evidence check flags what is missing.

use chrono::NaiveDateTime;
use exif::{In, Tag, Value};

/// When and where, as far as the EXIF says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhotoFacts {
    /// `DateTimeOriginal`, the camera's local clock.
    pub taken_local: Option<NaiveDateTime>,
    /// `OffsetTimeOriginal` (minutes east of UTC), if the camera wrote it.
    pub offset_minutes: Option<i32>,
    /// GPS latitude and longitude, decimal degrees.
    pub position: Option<(f64, f64)>,
}

/// Read the facts from a photo's bytes (empty facts when there is no EXIF).
pub fn read(bytes: &[u8]) -> PhotoFacts {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) else {
        return PhotoFacts::default();
    };
    let ascii = |tag: Tag| match exif.get_field(tag, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(parts)) => parts.first().cloned(),
        _ => None,
    };
    let mut offset_minutes = None;
    let taken_local = ascii(Tag::DateTimeOriginal).and_then(|raw| {
        let mut dt = exif::DateTime::from_ascii(&raw).ok()?;
        if let Some(offset) = ascii(Tag::OffsetTimeOriginal) {
            if dt.parse_offset(&offset).is_ok() {
                offset_minutes = dt.offset.map(i32::from);
            }
        }
        let date = chrono::NaiveDate::from_ymd_opt(dt.year.into(), dt.month.into(), dt.day.into())?;
        date.and_hms_opt(dt.hour.into(), dt.minute.into(), dt.second.into())
    });
    let coordinate = |value: Tag, reference: Tag, negative: u8| {
        let Some(Value::Rational(dms)) = exif.get_field(value, In::PRIMARY).map(|f| &f.value) else {
            return None;
        };
        let [d, m, s] = dms.as_slice() else {
            return None;
        };
        let degrees = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        if !degrees.is_finite() {
            return None;
        }
        let sign = match ascii(reference).and_then(|r| r.first().copied()) {
            Some(r) if r.eq_ignore_ascii_case(&negative) => -1.0,
            _ => 1.0,
        };
        Some(sign * degrees)
    };
    let lat = coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    let lon = coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    let position = match (lat, lon) {
        (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => Some((lat, lon)),
        _ => None,
    };
    PhotoFacts {
        taken_local,
        offset_minutes,
        position,
    }
}
