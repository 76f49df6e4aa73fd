//! Atomic file writes: temp file in the same directory, fsync, rename over the target.

use crate::ForgeError;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Mode for private keys and PFX files.
pub const MODE_SECRET: u32 = 0o600;
/// Mode for public artefacts (CSR, certificates).
pub const MODE_PUBLIC: u32 = 0o644;

/// Writes `bytes` to `path` atomically with permission `mode` (e.g. [`MODE_SECRET`]).
/// Refuses an existing target unless `overwrite`; never leaves a partial file or a temp file.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    overwrite: bool,
) -> Result<(), ForgeError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| ForgeError::Io { path: p, source }
    };
    if !overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(ForgeError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = None;
    for n in 0..100u32 {
        let candidate = dir.join(format!(".{file_name}.tmp{}-{n}", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&candidate)
        {
            Ok(f) => {
                tmp = Some((candidate, f));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&candidate)(e)),
        }
    }
    let Some((tmp_path, mut file)) = tmp else {
        return Err(ForgeError::Io {
            path: dir,
            source: std::io::Error::other("no free temporary file name"),
        });
    };
    let result = (|| -> Result<(), ForgeError> {
        file.write_all(bytes).map_err(io(&tmp_path))?;
        // The umask may have narrowed the mode; set it exactly.
        fs::set_permissions(
            &tmp_path,
            std::os::unix::fs::PermissionsExt::from_mode(mode),
        )
        .map_err(io(&tmp_path))?;
        file.sync_all().map_err(io(&tmp_path))?;
        if !overwrite {
            // Re-check just before the rename; hard_link refuses an existing target atomically.
            fs::hard_link(&tmp_path, path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    ForgeError::Exists(path.to_path_buf())
                } else {
                    io(path)(e)
                }
            })?;
            fs::remove_file(&tmp_path).map_err(io(&tmp_path))?;
        } else {
            fs::rename(&tmp_path, path).map_err(io(path))?;
        }
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}
