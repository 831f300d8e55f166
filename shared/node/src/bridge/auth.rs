//! The API's bearer token: one random token per bridge, kept in a file
//! (default `<data>/api-token`, mode 0600) that the department system's
//! operator reads once. Created on first start when missing, with its path
//! logged; an existing file is used as it is (replace its content and
//! restart the bridge to rotate the token).
//!
//! [`Authorised`] is the extractor every protected handler takes first:
//! no `Authorization: Bearer <token>` header, or another token, is a 401
//! before any body is read. The comparison takes the same time wherever
//! the first differing byte is. The same token keys the webhook's HMAC.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use super::BridgeApi;

/// Bytes of randomness in a new token (hex-encoded: 64 characters).
const TOKEN_BYTES: usize = 32;

/// The bridge's API token.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// The token's bytes (the webhook's HMAC key).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether `offered` is this token, in time independent of where they
    /// first differ.
    pub fn matches(&self, offered: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), offered.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Why the token file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot {what} the API token file {path}: {source}", path = .path.display())]
    Io {
        what: &'static str,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the API token file {path} is empty; put a token in it or delete it to have one made", path = .path.display())]
    Empty { path: std::path::PathBuf },
}

/// Reads the token at `path`, or creates the file (0600) with a new
/// random token; `true` when it was created now.
pub fn ensure_token(path: &Path) -> Result<(Token, bool), TokenError> {
    let io = |what: &'static str| {
        move |source| TokenError::Io {
            what,
            path: path.to_path_buf(),
            source,
        }
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let token = text.trim();
            if token.is_empty() {
                return Err(TokenError::Empty {
                    path: path.to_path_buf(),
                });
            }
            return Ok((Token(Arc::from(token)), false));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("read")(e)),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io("create the folder of"))?;
    }
    let bytes: [u8; TOKEN_BYTES] = rand::random();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        file.mode(0o600);
    }
    let mut file = file.open(path).map_err(io("create"))?;
    file.write_all(format!("{token}\n").as_bytes())
        .map_err(io("write"))?;
    file.sync_all().map_err(io("sync"))?;
    Ok((Token(Arc::from(token.as_str())), true))
}

/// Proof that the request carried the bridge's token.
pub struct Authorised;

impl FromRequestParts<BridgeApi> for Authorised {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &BridgeApi) -> Result<Self, ApiError> {
        let offered = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            });
        match offered {
            Some(token) if api.token.matches(token) => Ok(Authorised),
            _ => Err(ApiError::unauthorised()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_token_file_is_created_private_and_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("api-token");
        let (made, created) = ensure_token(&path).unwrap();
        assert!(created);
        assert_eq!(made.as_bytes().len(), TOKEN_BYTES * 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (read, created) = ensure_token(&path).unwrap();
        assert!(!created);
        assert!(read.matches(std::str::from_utf8(made.as_bytes()).unwrap()));
        assert!(!read.matches("wrong"));
        std::fs::write(&path, "  \n").unwrap();
        assert!(matches!(ensure_token(&path), Err(TokenError::Empty { .. })));
    }
}
