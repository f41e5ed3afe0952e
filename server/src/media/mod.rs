//! Photo evidence: where photos are kept and what is learnt from them.
//!
//! Storage sits behind [`MediaStore`] (put / get / delete of one tenant's file); the only
//! implementation is [`disk::DiskStore`], a folder per tenant under `--media-dir`. An
//! S3-compatible object store can implement the same trait later (a bucket, a key
//! `<tenant>/<file>`), nothing else would change. Files are only ever named by Pantau
//! ([`FileName::generate`]: a UUIDv7 and the extension of the sniffed type) and a name from a
//! URL is accepted only if it has exactly that shape ([`FileName::parse`]), so no user input
//! ever becomes a path.
//!
//! # Layout
//! - [`kind`]: the photo's type from its magic bytes (JPEG, PNG, WebP; nothing else).
//! - [`exif`]: EXIF `DateTimeOriginal` (+ offset) and GPS position from the bytes (pure).
//! - [`check`]: the evidence check of an after photo against its ticket (pure).
//! - [`thumb`]: the 320 px wide JPEG thumbnail.
//! - [`disk`]: the disk store.

pub mod check;
pub mod disk;
pub mod exif;
pub mod kind;
#[cfg(test)]
mod tests;
pub mod thumb;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use std::fmt;

pub use kind::ImageKind;

/// A store failed (the disk, later a bucket); the caller answers 503 and writes no event.
#[derive(Debug, thiserror::Error)]
#[error("media store: {0}")]
pub struct MediaError(#[from] pub std::io::Error);

/// Where one deployment keeps its photos, per tenant. `tenant` is always a configured
/// tenant id (a slug) and `name` a [`FileName`], so neither can escape the store.
pub trait MediaStore: Send + Sync {
    /// Keep `bytes` as `name` of `tenant` (whole or not at all).
    fn put<'a>(&'a self, tenant: &'a str, name: &'a FileName, bytes: Bytes) -> BoxFuture<'a, Result<(), MediaError>>;
    /// The bytes of `name`, `None` if there is no such file. Public so that other routes
    /// (the public status page's after photo) can serve a file they found on a ticket.
    fn get<'a>(&'a self, tenant: &'a str, name: &'a FileName) -> BoxFuture<'a, Result<Option<Bytes>, MediaError>>;
    /// Remove `name` (no error if it is gone already).
    fn delete<'a>(&'a self, tenant: &'a str, name: &'a FileName) -> BoxFuture<'a, Result<(), MediaError>>;
}

/// A file name Pantau generated: 32 lower-case hex digits, `-thumb` for a thumbnail, and
/// `.jpg`, `.png` or `.webp`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileName(String);

impl FileName {
    /// A fresh name for a photo of `kind`, and the name of its thumbnail.
    pub fn generate(kind: ImageKind) -> (FileName, FileName) {
        let id = uuid::Uuid::now_v7().simple().to_string();
        (
            FileName(format!("{id}.{}", kind.extension())),
            FileName(format!("{id}-thumb.jpg")),
        )
    }

    /// `name` if it is one Pantau could have generated; anything else (`..`, `/`, other
    /// extensions, upper case) is `None`.
    pub fn parse(name: &str) -> Option<FileName> {
        let (stem, ext) = name.split_once('.')?;
        let id = stem.strip_suffix("-thumb").unwrap_or(stem);
        let hex = id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let ext_ok = if id.len() == stem.len() {
            ImageKind::from_extension(ext).is_some()
        } else {
            ext == "jpg"
        };
        (hex && ext_ok).then(|| FileName(name.to_owned()))
    }

    /// The name in the URL of a served file (`…/media/<name>`), if it is one of ours.
    pub fn from_url(url: &str) -> Option<FileName> {
        FileName::parse(url.rsplit('/').next()?)
    }

    /// The photo type its extension says.
    pub fn kind(&self) -> ImageKind {
        let ext = self.0.rsplit('.').next().unwrap_or_default();
        ImageKind::from_extension(ext).expect("a FileName has a known extension")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where `tenant`'s file `name` is served (`GET /api/v1/{tenant}/media/{file}`).
pub fn url(tenant: &str, name: &FileName) -> String {
    format!("/api/v1/{tenant}/media/{name}")
}
