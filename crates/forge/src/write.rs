//! Atomic file writes: temp file in the same directory, fsync, rename over the target.

use crate::ForgeError;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

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
        move |error| ForgeError::Io { path: p, error }
    };
    check_destination(path, overwrite)?;
    let dir = crate::dir_of(path);
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
            Err(e) => return Err(io(path)(e)),
        }
    }
    let Some((tmp_path, mut file)) = tmp else {
        return Err(ForgeError::Io {
            path: path.to_path_buf(),
            error: std::io::Error::other("no free temporary file name in its directory"),
        });
    };
    let result = (|| -> Result<(), ForgeError> {
        file.write_all(bytes).map_err(io(path))?;
        // The umask may have narrowed the mode; set it exactly.
        fs::set_permissions(
            &tmp_path,
            std::os::unix::fs::PermissionsExt::from_mode(mode),
        )
        .map_err(io(path))?;
        file.sync_all().map_err(io(path))?;
        if !overwrite {
            // Re-check just before the rename; hard_link refuses an existing target atomically.
            fs::hard_link(&tmp_path, path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    ForgeError::Exists(path.to_path_buf())
                } else {
                    io(path)(e)
                }
            })?;
            fs::remove_file(&tmp_path).map_err(io(path))?;
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

/// Checks, before anything is made, that `path` can be written: its directory exists
/// ([`ForgeError::NoDirectory`], naming the path as given) and it does not exist unless
/// `overwrite` ([`ForgeError::Exists`]). Returns whether it exists.
pub fn check_destination(path: &Path, overwrite: bool) -> Result<bool, ForgeError> {
    if !crate::dir_of(path).is_dir() {
        return Err(ForgeError::NoDirectory(path.to_path_buf()));
    }
    let exists = fs::symlink_metadata(path).is_ok();
    if exists && !overwrite {
        return Err(ForgeError::Exists(path.to_path_buf()));
    }
    Ok(exists)
}
