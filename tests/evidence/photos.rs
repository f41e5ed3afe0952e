//! Photos and forms for tests/evidence.rs: JPEGs encoded with `image`, with an APP1 Exif
//! segment written by `kamadak-exif`'s writer spliced in after the SOI marker, and
//! `multipart/form-data` bodies built by hand (so a test can send a broken one).

use chrono::{Duration, Utc};
use exif::{Field, In, Rational, Tag, Value};

/// The multipart boundary of [`form`].
pub const BOUNDARY: &str = "pantau-e2e-7d3f1a";
/// WIB, Tangerang's offset.
const WIB_HOURS: i64 = 7;

/// A plain 640×480 JPEG.
pub fn jpeg() -> Vec<u8> {
    let photo = image::RgbImage::from_pixel(640, 480, image::Rgb([90, 140, 200]));
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

fn dms(tag: Tag, degrees: f64) -> Field {
    let micro = (degrees.abs() * 1e6).round() as u32;
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(vec![
            Rational {
                num: micro,
                denom: 1_000_000,
            },
            Rational { num: 0, denom: 1 },
            Rational { num: 0, denom: 1 },
        ]),
    }
}

/// A JPEG whose EXIF says it was taken at `local` (camera clock, no offset) at `at`.
pub fn photo_taken(local: chrono::NaiveDateTime, at: (f64, f64)) -> Vec<u8> {
    let fields = [
        ascii(Tag::DateTimeOriginal, &local.format("%Y:%m:%d %H:%M:%S").to_string()),
        ascii(Tag::GPSLatitudeRef, if at.0 < 0.0 { "S" } else { "N" }),
        dms(Tag::GPSLatitude, at.0),
        ascii(Tag::GPSLongitudeRef, "E"),
        dms(Tag::GPSLongitude, at.1),
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let plain = jpeg();
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&plain[2..]);
    out
}

/// Now on a WIB camera's clock, shifted by `by`.
pub fn wib_now(by: Duration) -> chrono::NaiveDateTime {
    (Utc::now() + Duration::hours(WIB_HOURS) + by).naive_utc()
}

/// A multipart body of (name, file name for file parts, bytes).
pub fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}
