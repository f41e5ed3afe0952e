//! The pure parts of photo evidence on photos made here: JPEGs encoded with `image`, with an
//! APP1 Exif segment written by `kamadak-exif`'s writer spliced in after the SOI marker.

use super::check::{check, distance_m, Against, NO_EXIF_POSITION, NO_EXIF_TIME, TAKEN_BEFORE_REPORT, TOO_FAR};
use super::exif::{read, PhotoFacts};
use super::{thumb, FileName, ImageKind};
use chrono::{DateTime, NaiveDate, Utc};
use exif::{Field, In, Rational, Tag, Value};
use pantau_shared::event::MediaStage;

/// Kecamatan Tangerang (the fixtures' point).
const TICKET: (f64, f64) = (-6.1888, 106.6406);
/// WIB.
const WIB: i32 = 7 * 60;

/// A plain `width`×`height` JPEG.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let photo = image::RgbImage::from_pixel(width, height, image::Rgb([120, 160, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out)
        .encode_image(&photo)
        .unwrap();
    out
}

fn ascii(tag: Tag, text: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![text.as_bytes().to_vec()]),
    }
}

/// Degrees as EXIF degrees/minutes/seconds rationals.
fn dms(tag: Tag, degrees: f64) -> Field {
    let d = degrees.abs();
    let whole = d.trunc();
    let minutes = ((d - whole) * 60.0).trunc();
    let seconds = ((d - whole) * 60.0 - minutes) * 60.0;
    let r = |num: u32, denom: u32| Rational { num, denom };
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(vec![
            r(whole as u32, 1),
            r(minutes as u32, 1),
            r((seconds * 10_000.0).round() as u32, 10_000),
        ]),
    }
}

/// GPS fields for a point.
fn gps(lat: f64, lon: f64) -> Vec<Field> {
    vec![
        ascii(Tag::GPSLatitudeRef, if lat < 0.0 { "S" } else { "N" }),
        dms(Tag::GPSLatitude, lat),
        ascii(Tag::GPSLongitudeRef, if lon < 0.0 { "W" } else { "E" }),
        dms(Tag::GPSLongitude, lon),
    ]
}

/// A JPEG carrying these EXIF fields.
pub fn jpeg_with_exif(fields: &[Field]) -> Vec<u8> {
    let mut writer = exif::experimental::Writer::new();
    for field in fields {
        writer.push_field(field);
    }
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let plain = jpeg(64, 48);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&plain[2..]);
    out
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn against(stage: MediaStage) -> Against {
    Against {
        stage,
        reported_at: Some(utc("2026-12-01T03:00:00Z")),
        lat: TICKET.0,
        lon: TICKET.1,
        utc_offset_minutes: WIB,
        max_distance_m: 200.0,
    }
}

/// JPEG, PNG and WebP are known by their first bytes; a GIF or text is not a photo we keep.
#[test]
fn sniffs_only_jpeg_png_and_webp() {
    assert_eq!(ImageKind::sniff(&jpeg(4, 4)), Some(ImageKind::Jpeg));
    assert_eq!(ImageKind::sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageKind::Png));
    assert_eq!(ImageKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageKind::Webp));
    assert_eq!(ImageKind::sniff(b"GIF89a......"), None);
    assert_eq!(ImageKind::sniff(b"<svg xmlns="), None);
    assert_eq!(ImageKind::sniff(b""), None);
}

/// Only names Pantau generates parse: no traversal, no other extensions, no upper case.
#[test]
fn file_names_are_only_ours() {
    let (photo, thumb) = FileName::generate(ImageKind::Webp);
    assert_eq!(FileName::parse(photo.as_str()), Some(photo.clone()));
    assert_eq!(FileName::parse(thumb.as_str()), Some(thumb.clone()));
    assert!(thumb.as_str().ends_with("-thumb.jpg"));
    assert_eq!(photo.kind(), ImageKind::Webp);
    let id = "0193a5c0000070008000000000000001";
    for bad in [
        "../../etc/passwd",
        &format!("{id}.exe"),
        &format!("{id}.jpg/.."),
        &format!("{}.jpg", id.to_uppercase()),
        &format!("{id}-thumb.png"),
        &format!("..%2F{id}.jpg"),
        &format!("{id}.partial"),
        "",
    ] {
        assert_eq!(FileName::parse(bad), None, "{bad}");
    }
    assert_eq!(FileName::from_url(&super::url("tangerang", &photo)), Some(photo));
}

/// Time (with its offset) and a southern/eastern GPS position come out of the EXIF.
#[test]
fn reads_time_offset_and_position() {
    let mut fields = vec![
        ascii(Tag::DateTimeOriginal, "2026:12:01 14:30:05"),
        ascii(Tag::OffsetTimeOriginal, "+08:00"),
    ];
    fields.extend(gps(-3.3194, 114.5908));
    let facts = read(&jpeg_with_exif(&fields));
    let expected = NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(14, 30, 5)
        .unwrap();
    assert_eq!(facts.taken_local, Some(expected));
    assert_eq!(facts.offset_minutes, Some(480));
    let (lat, lon) = facts.position.expect("a position");
    assert!(
        (lat + 3.3194).abs() < 1e-5 && (lon - 114.5908).abs() < 1e-5,
        "{lat},{lon}"
    );
}

/// A photo without EXIF has no facts (and is not an error).
#[test]
fn no_exif_no_facts() {
    assert_eq!(read(&jpeg(8, 8)), PhotoFacts::default());
    assert_eq!(read(b"not even an image"), PhotoFacts::default());
}

/// An after photo taken (tenant zone) before the report is flagged; the camera time is
/// read in the tenant's zone when it has no offset of its own.
#[test]
fn flags_an_after_photo_taken_before_the_report() {
    let mut fields = vec![ascii(Tag::DateTimeOriginal, "2026:12:01 09:59:00")];
    fields.extend(gps(TICKET.0, TICKET.1));
    let verdict = check(&read(&jpeg_with_exif(&fields)), &against(MediaStage::After));
    assert_eq!(verdict.taken_at, Some(utc("2026-12-01T02:59:00Z")));
    assert_eq!(verdict.flags, vec![TAKEN_BEFORE_REPORT]);

    // One minute after the report (10:00 WIB = 03:00 UTC) + a bit: clean.
    let mut fields = vec![ascii(Tag::DateTimeOriginal, "2026:12:01 10:01:00")];
    fields.extend(gps(TICKET.0 + 0.001, TICKET.1));
    let verdict = check(&read(&jpeg_with_exif(&fields)), &against(MediaStage::After));
    assert!(verdict.flags.is_empty(), "{:?}", verdict.flags);

    // The camera's own offset wins: 09:59 at +06:00 is 03:59 UTC, after the report.
    let mut fields = vec![
        ascii(Tag::DateTimeOriginal, "2026:12:01 09:59:00"),
        ascii(Tag::OffsetTimeOriginal, "+06:00"),
    ];
    fields.extend(gps(TICKET.0, TICKET.1));
    let verdict = check(&read(&jpeg_with_exif(&fields)), &against(MediaStage::After));
    assert_eq!(verdict.taken_at, Some(utc("2026-12-01T03:59:00Z")));
    assert!(verdict.flags.is_empty(), "{:?}", verdict.flags);
}

/// An after photo farther than the tenant's distance is flagged; one just inside is not.
#[test]
fn flags_an_after_photo_taken_too_far() {
    let time = ascii(Tag::DateTimeOriginal, "2026:12:01 12:00:00");
    // ~0.0027° of latitude ≈ 300 m.
    let mut far = vec![time.clone()];
    far.extend(gps(TICKET.0 + 0.0027, TICKET.1));
    let verdict = check(&read(&jpeg_with_exif(&far)), &against(MediaStage::After));
    assert_eq!(verdict.flags, vec![TOO_FAR]);
    // ~0.0015° ≈ 167 m.
    let mut near = vec![time];
    near.extend(gps(TICKET.0 - 0.0015, TICKET.1));
    let verdict = check(&read(&jpeg_with_exif(&near)), &against(MediaStage::After));
    assert!(verdict.flags.is_empty(), "{:?}", verdict.flags);
}

/// Missing EXIF is flagged on after photos only; report and progress photos are never
/// flagged (their time is still read).
#[test]
fn missing_exif_is_flagged_on_after_photos_only() {
    let bare = read(&jpeg(8, 8));
    assert_eq!(
        check(&bare, &against(MediaStage::After)).flags,
        vec![NO_EXIF_TIME, NO_EXIF_POSITION]
    );
    for stage in [MediaStage::Report, MediaStage::Progress] {
        assert!(check(&bare, &against(stage)).flags.is_empty());
    }
    let early = read(&jpeg_with_exif(&[ascii(Tag::DateTimeOriginal, "2020:01:01 00:00:00")]));
    let verdict = check(&early, &against(MediaStage::Progress));
    assert!(verdict.flags.is_empty());
    assert_eq!(verdict.taken_at, Some(utc("2019-12-31T17:00:00Z")));
}

/// Haversine: one degree of latitude is ~111.2 km; Tangerang to Monas (Jakarta) ~ 22 km.
#[test]
fn distance_is_haversine() {
    assert!((distance_m((0.0, 0.0), (1.0, 0.0)) - 111_195.0).abs() < 50.0);
    let monas = (-6.1754, 106.8272);
    let d = distance_m(TICKET, monas);
    assert!((20_000.0..23_000.0).contains(&d), "{d}");
    assert_eq!(distance_m(TICKET, TICKET), 0.0);
}

/// Thumbnails are 320 px wide JPEGs keeping the aspect; a small photo is not enlarged;
/// bytes that only look like a JPEG are refused; one too large to decode gets none.
#[test]
fn thumbnails_are_320_wide_jpegs() {
    let small = thumb::thumbnail(&jpeg(640, 480), ImageKind::Jpeg).unwrap().unwrap();
    assert_eq!(ImageKind::sniff(&small), Some(ImageKind::Jpeg));
    let decoded = image::load_from_memory(&small).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (320, 240));
    let tiny = thumb::thumbnail(&jpeg(100, 50), ImageKind::Jpeg).unwrap().unwrap();
    let decoded = image::load_from_memory(&tiny).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (100, 50));
    assert!(thumb::thumbnail(b"\xFF\xD8\xFFgarbage", ImageKind::Jpeg).is_err());
    // Wider than the decoder's limit: kept without a thumbnail, not refused.
    assert!(thumb::thumbnail(&jpeg(10_001, 2), ImageKind::Jpeg).unwrap().is_none());
}
