//! Logging setup for the binaries: `tracing` in human format by default,
//! JSON with `--log-format json`; the filter comes from `RUST_LOG` (default
//! `info`, or the directives a command passes to [`init_with_default`]).
//! Safe to call more than once (later calls are no-ops).

use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("unknown log format `{other}`: use human or json")),
        }
    }
}

/// Logs at `info` unless `RUST_LOG` says otherwise.
pub fn init(format: LogFormat) {
    init_with_default(format, "info");
}

/// Logs with the filter `directives` (`EnvFilter` syntax, e.g.
/// `warn,liandong_net::rpc=error`) unless `RUST_LOG` is set: a command
/// that knows some messages are expected (`county-node demo` cuts links
/// on purpose) quiets them by default.
pub fn init_with_default(format: LogFormat, directives: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(directives));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
