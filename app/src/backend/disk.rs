//! The data folder on disk: how much room its file system has left,
//! temporary files that are deleted unless they are kept, and where a
//! stored file's bytes are.

use crate::backend::AppState;
use std::path::{Path, PathBuf};

/// Bytes an unprivileged process may still write on `path`'s file system.
#[cfg(unix)]
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `statvfs` only writes into the zeroed struct we own.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

#[cfg(not(unix))]
pub fn free_bytes(_path: &Path) -> std::io::Result<u64> {
    Ok(u64::MAX)
}

/// A file being written that is removed when this guard is dropped — by an
/// error, or because the request carrying it was abandoned mid-way — unless
/// [`TempFile::keep_as`] moved it to its final place first.
pub struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    pub fn new(path: PathBuf) -> TempFile {
        TempFile { path, kept: false }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the file to `target`; from then on the guard leaves it alone.
    pub async fn keep_as(mut self, target: &Path) -> std::io::Result<()> {
        tokio::fs::rename(&self.path, target).await?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Where a stored file's bytes are.
pub fn stored_path(state: &AppState, key: &str) -> PathBuf {
    state.settings.data_dir.join("files").join(key)
}

/// Deletes stored bytes whose rows are gone; a failure is logged, not fatal.
pub async fn remove_stored(state: &AppState, keys: &[String]) {
    for key in keys {
        if let Err(e) = tokio::fs::remove_file(stored_path(state, key)).await {
            tracing::warn!(storage_key = %key, error = %e, "could not remove a deleted file's bytes");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_temp_file_is_removed_and_a_kept_one_stays() {
        let dir = std::env::temp_dir().join(format!("gh-disk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dropped = TempFile::new(dir.join("dropped"));
        std::fs::write(dropped.path(), b"x").unwrap();
        drop(dropped);
        assert!(!dir.join("dropped").exists());
        let kept = TempFile::new(dir.join("kept"));
        std::fs::write(kept.path(), b"x").unwrap();
        kept.keep_as(&dir.join("final")).await.unwrap();
        assert!(dir.join("final").exists());
        assert!(free_bytes(&dir).unwrap() > 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
