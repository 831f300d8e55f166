//! Configuration loading shared by the binaries: a TOML file whose unknown
//! keys are refused by name, then command-line flags on top. Each binary
//! owns its typed config (defaults in one place, every field documented);
//! this module only reads and explains errors. Everything is validated
//! before any socket is bound.
//!
//! Not yet: `LIANDONG_*` environment variables and `--print-config`.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {detail}")]
    Parse { path: PathBuf, detail: String },
    #[error("setting `{key}`: {detail}")]
    Invalid { key: &'static str, detail: String },
}

/// Reads a TOML config file, or the defaults when there is none.
pub fn load_file<T: DeserializeOwned + Default>(path: Option<&Path>) -> Result<T, ConfigError> {
    let Some(path) = path else {
        return Ok(T::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        detail: e.to_string().trim().replace('\n', " "),
    })
}

/// Splits `https://host:port` (or `host:port`) into the address to dial and
/// the name the server's certificate must carry.
pub fn parse_endpoint(key: &'static str, url: &str) -> Result<(String, String), ConfigError> {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    let rest = rest.trim_end_matches('/');
    let invalid = |detail: &str| ConfigError::Invalid {
        key,
        detail: format!("`{url}` {detail}; write https://HOST:PORT"),
    };
    if rest.contains('/') || url.starts_with("http://") {
        return Err(invalid("is not an https host and port"));
    }
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| invalid("has no port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(invalid("has no host"));
    }
    port.parse::<u16>()
        .map_err(|_| invalid("has an invalid port"))?;
    let dial = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    Ok((dial, host.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Sample {
        #[allow(dead_code)]
        listen: String,
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let err = load_file::<Sample>(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("lisen"), "{err}");
    }

    #[test]
    fn endpoints_split_into_dial_address_and_server_name() {
        assert_eq!(
            parse_endpoint("county", "https://localhost:7443").unwrap(),
            ("localhost:7443".to_string(), "localhost".to_string())
        );
        assert!(parse_endpoint("county", "http://localhost:7443").is_err());
        assert!(parse_endpoint("county", "https://localhost").is_err());
    }
}
