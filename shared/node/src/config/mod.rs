//! Configuration loading shared by the binaries: a TOML file whose unknown
//! keys are refused by name, then command-line flags on top. Each binary
//! owns its typed config (defaults in one place, every field documented);
//! this module only reads and explains errors. Everything is validated
//! before any socket is bound.
//!
//! Environment: every key can also be set as `<PREFIX><KEY>` in upper case,
//! e.g. `LIANDONG_COUNTY_LISTEN=0.0.0.0:7443` (an optional setting that is
//! unset by default, such as `LIANDONG_BRIDGE_WEBHOOK`, too); values are read as TOML
//! values when they parse as such (numbers, lists), else as strings. An
//! unknown variable under the prefix is refused by name, like an unknown
//! key in the file.

pub mod bridge;
pub mod county;
pub mod township;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

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
    #[error("environment variable {var}: {detail}")]
    Env { var: String, detail: String },
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
    parse_file(path, &text)
}

/// Parses the text of the config file at `path` (named in the error).
pub fn parse_file<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        detail: e.to_string().trim().replace('\n', " "),
    })
}

/// Reads the file (or defaults), then overlays `prefix`-named environment
/// variables from `env`. Flags are applied by the caller afterwards.
pub fn load<T: Serialize + DeserializeOwned + Default>(
    path: Option<&Path>,
    prefix: &str,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<T, ConfigError> {
    let base: T = load_file(path)?;
    let mut table = match toml::Value::try_from(&base) {
        Ok(toml::Value::Table(t)) => t,
        _ => return Ok(base),
    };
    let mut changed = false;
    for (name, value) in env {
        let Some(key) = name.strip_prefix(prefix) else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(toml::Value::String(value));
        let known = toml::Value::try_from(T::default())
            .ok()
            .and_then(|v| v.as_table().map(|t| t.contains_key(&key)))
            .unwrap_or(false)
            || table.contains_key(&key)
            || names_a_setting::<T>(&key, &parsed);
        if !known {
            return Err(ConfigError::Env {
                var: name.clone(),
                detail: "no such setting".into(),
            });
        }
        table.insert(key, parsed);
        changed = true;
    }
    if !changed {
        return Ok(base);
    }
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Env {
            var: format!("{prefix}*"),
            detail: e.to_string().trim().replace('\n', " "),
        })
}

/// Whether `key` is a setting of `T` even though the defaults leave it
/// out (an optional setting that is unset): a table holding only that key
/// is not refused for an unknown field.
fn names_a_setting<T: DeserializeOwned>(key: &str, value: &toml::Value) -> bool {
    let mut one = toml::Table::new();
    one.insert(key.to_string(), value.clone());
    match toml::Value::Table(one).try_into::<T>() {
        Ok(_) => true,
        Err(e) => !e.to_string().contains("unknown field"),
    }
}

/// The effective configuration as TOML, for `--print-config`.
pub fn to_toml<T: Serialize>(config: &T) -> String {
    let mut text =
        toml::to_string_pretty(config).unwrap_or_else(|e| format!("# cannot print config: {e}"));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Checks the settings every node has: the county code and the cache size.
pub fn validate_common(county_code: &str, cache_mb: u64) -> Result<(), ConfigError> {
    if county_code.is_empty() || !county_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(ConfigError::Invalid {
            key: "county_code",
            detail: format!("`{county_code}` must be digits, e.g. 411121"),
        });
    }
    if cache_mb == 0 {
        return Err(ConfigError::Invalid {
            key: "cache_mb",
            detail: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// Default of `max_clock_skew_secs` in both roles' configs (5 minutes).
pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = liandong_model::DEFAULT_MAX_CLOCK_SKEW_MS / 1000;

/// Checks `max_clock_skew_secs`: at least one second (0 would make every
/// stamp from a peer whose clock is a millisecond ahead a rejection).
pub fn validate_skew(max_clock_skew_secs: u64) -> Result<(), ConfigError> {
    if max_clock_skew_secs == 0 {
        return Err(ConfigError::Invalid {
            key: "max_clock_skew_secs",
            detail: "must be at least 1 (default 300)".into(),
        });
    }
    Ok(())
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

/// The node id a required setting `key` names, with `role`; `example` is
/// what to pass (`--id T01`).
pub(crate) fn node_id_setting(
    key: &'static str,
    role: liandong_model::Role,
    name: &str,
    example: &str,
) -> Result<liandong_model::NodeId, ConfigError> {
    if name.is_empty() {
        return Err(ConfigError::Invalid {
            key,
            detail: format!("is required: pass {example} (or set {key} in the config file)"),
        });
    }
    liandong_model::NodeId::new(role, name).map_err(|e| ConfigError::Invalid {
        key,
        detail: e.to_string(),
    })
}

/// The parent county's id, from the `county_name` setting.
pub(crate) fn county_id_setting(name: &str) -> Result<liandong_model::NodeId, ConfigError> {
    liandong_model::NodeId::county(name).map_err(|e| ConfigError::Invalid {
        key: "county_name",
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
    #[serde(deny_unknown_fields, default)]
    struct Sample {
        listen: String,
        cache_mb: u64,
    }

    #[test]
    fn environment_overrides_the_file_and_unknown_variables_are_refused_by_name() {
        let env = vec![
            ("LIANDONG_X_CACHE_MB".to_string(), "32".to_string()),
            ("LIANDONG_X_LISTEN".to_string(), "0.0.0.0:1".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
        ];
        let cfg: Sample = load(None, "LIANDONG_X_", env).unwrap();
        assert_eq!((cfg.listen.as_str(), cfg.cache_mb), ("0.0.0.0:1", 32));
        let bad = vec![("LIANDONG_X_LISEN".to_string(), "x".to_string())];
        let err = load::<Sample>(None, "LIANDONG_X_", bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("LIANDONG_X_LISEN"), "{err}");
        let wrong_type = vec![("LIANDONG_X_CACHE_MB".to_string(), "lots".to_string())];
        assert!(load::<Sample>(None, "LIANDONG_X_", wrong_type).is_err());
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
