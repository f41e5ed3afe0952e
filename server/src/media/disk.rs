//! The disk [`MediaStore`]: `<root>/<tenant>/<file>`. A file is written to a temporary name
//! beside it and renamed, so a reader never sees half a photo.

use super::{FileName, MediaError, MediaStore};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use std::path::PathBuf;

/// Photos in a folder per tenant under `root`.
#[derive(Clone, Debug)]
pub struct DiskStore {
    root: PathBuf,
}

impl DiskStore {
    /// A store under `root` (created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> DiskStore {
        DiskStore { root: root.into() }
    }

    fn path(&self, tenant: &str, name: &FileName) -> PathBuf {
        self.root.join(tenant).join(name.as_str())
    }
}

impl MediaStore for DiskStore {
    fn put<'a>(&'a self, tenant: &'a str, name: &'a FileName, bytes: Bytes) -> BoxFuture<'a, Result<(), MediaError>> {
        Box::pin(async move {
            let path = self.path(tenant, name);
            tokio::fs::create_dir_all(self.root.join(tenant)).await?;
            let partial = path.with_extension("partial");
            tokio::fs::write(&partial, &bytes).await?;
            if let Err(e) = tokio::fs::rename(&partial, &path).await {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e.into());
            }
            Ok(())
        })
    }

    fn get<'a>(&'a self, tenant: &'a str, name: &'a FileName) -> BoxFuture<'a, Result<Option<Bytes>, MediaError>> {
        Box::pin(async move {
            match tokio::fs::read(self.path(tenant, name)).await {
                Ok(bytes) => Ok(Some(bytes.into())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn delete<'a>(&'a self, tenant: &'a str, name: &'a FileName) -> BoxFuture<'a, Result<(), MediaError>> {
        Box::pin(async move {
            match tokio::fs::remove_file(self.path(tenant, name)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            }
        })
    }
}
