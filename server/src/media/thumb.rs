//! Thumbnails: a 320 px wide JPEG of a photo (never wider than the photo itself), for the
//! console's drawer. CPU work: callers run it on a blocking thread. A photo too large to
//! decode within the limits (a 200 MP camera, or a decompression bomb) gets no thumbnail but
//! is kept; bytes that do not decode at all are refused.

use super::ImageKind;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;

/// Width of every thumbnail, pixels.
pub const THUMB_WIDTH: u32 = 320;
/// JPEG quality of thumbnails.
const THUMB_QUALITY: u8 = 80;
/// Largest photo decoded, pixels per side.
const MAX_SIDE: u32 = 10_000;
/// Most memory one decode may take, bytes (a 50 MP photo is ~150 MB as RGB).
const MAX_DECODE_BYTES: u64 = 320 * 1024 * 1024;

/// The photo cannot be decoded as the type its magic bytes claim.
#[derive(Debug, thiserror::Error)]
#[error("the photo cannot be decoded: {0}")]
pub struct ThumbError(#[from] image::ImageError);

/// The thumbnail of `bytes`, a photo of `kind`, as JPEG; `None` when the photo is too large
/// to decode here.
pub fn thumbnail(bytes: &[u8], kind: ImageKind) -> Result<Option<Vec<u8>>, ThumbError> {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), kind.format());
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let photo = match reader.decode() {
        Ok(photo) => photo,
        Err(image::ImageError::Limits(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let width = photo.width().clamp(1, THUMB_WIDTH);
    let height = (u64::from(photo.height()) * u64::from(width) / u64::from(photo.width().max(1))).max(1);
    let height = u32::try_from(height).unwrap_or(u32::MAX);
    let small = photo.resize_exact(width, height, FilterType::Triangle).to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, THUMB_QUALITY).encode_image(&small)?;
    Ok(Some(out))
}
