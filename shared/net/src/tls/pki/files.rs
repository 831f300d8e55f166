//! File primitives of the PKI: reading with errors that name the file,
//! and atomic writes with the right mode.
//!
//! Invariant: a file is written to a temporary sibling created with its final
//! mode (0600 for keys), synced, then renamed, so readers never see half a
//! key and a key is never world-readable, even briefly.

use std::fs;
use std::io::Write;
use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::tls::PkiError;

pub(super) fn pem_cert(path: &Path, pem: &[u8]) -> Result<CertificateDer<'static>, PkiError> {
    CertificateDer::from_pem_slice(pem).map_err(|e| bad_cert(path, e.to_string()))
}

pub(super) fn bad_cert(path: &Path, reason: String) -> PkiError {
    PkiError::BadCert {
        path: path.to_path_buf(),
        reason,
    }
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(super) fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub(super) fn create_dir(dir: &Path) -> Result<(), PkiError> {
    fs::create_dir_all(dir).map_err(|source| PkiError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

pub(super) fn read_string(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(|source| PkiError::Read {
        path: path.to_path_buf(),
        source,
    })
}

#[derive(Clone, Copy)]
pub(super) enum FileMode {
    /// Readable by everyone (0644): certificates.
    Public,
    /// Readable by the owner only (0600): private keys.
    Private,
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, created with the final mode, synced, then renamed over `path`.
pub(super) fn write_file(path: &Path, contents: &str, mode: FileMode) -> Result<(), PkiError> {
    let write_error = |source| PkiError::Write {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_file_name(format!(".{}.tmp", file_name(path)));
    // A stale temporary file may have another mode: start afresh.
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(write_error(e)),
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match mode {
            FileMode::Public => 0o644,
            FileMode::Private => 0o600,
        });
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(write_error)?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_error)?;
    fs::rename(&tmp, path).map_err(write_error)
}
