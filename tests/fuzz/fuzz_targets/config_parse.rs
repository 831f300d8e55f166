#![no_main]
//! Config parsing of the three node configs (`liandong_node::config`:
//! county, township, bridge): the TOML file, the environment overlay, and
//! the endpoint and webhook settings they carry.
//!
//! The first byte picks the config and the source (file text, or
//! `NAME=VALUE` lines read as environment variables); the rest is the
//! text. Properties: nothing panics, unknown keys and variables are
//! refused rather than dropped, and a config that loads prints
//! (`--print-config`) as TOML that loads again to the same config.

use std::path::Path;

use liandong_net::webhook::WebhookUrl;
use liandong_node::config::bridge::BridgeConfig;
use liandong_node::config::county::CountyConfig;
use liandong_node::config::township::TownshipConfig;
use liandong_node::config::{load, parse_endpoint, parse_file, to_toml, ConfigError};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the fuzz target calls on each config.
trait Checked: Serialize + DeserializeOwned + Default {
    const PREFIX: &'static str;
    /// Every derived setting, as the binary reads them at start.
    fn derive_all(&self);
}

impl Checked for CountyConfig {
    const PREFIX: &'static str = "LIANDONG_COUNTY_";
    fn derive_all(&self) {
        let _ = self.validate();
        let _ = self.node_id();
        let _ = self.max_clock_skew_ms();
    }
}

impl Checked for TownshipConfig {
    const PREFIX: &'static str = "LIANDONG_TOWNSHIP_";
    fn derive_all(&self) {
        let _ = self.validate();
        let _ = (self.node_id(), self.county_id(), self.county_endpoint());
        let _ = (self.data_dir(), self.max_clock_skew_ms());
    }
}

impl Checked for BridgeConfig {
    const PREFIX: &'static str = "LIANDONG_BRIDGE_";
    fn derive_all(&self) {
        let _ = self.validate();
        let _ = (self.node_id(), self.county_id(), self.county_endpoint());
        let _ = (self.data_dir(), self.token_path(), self.webhook_url());
        let _ = self.max_clock_skew_ms();
    }
}

/// A loaded config prints as TOML that loads to the same config.
fn reloads<T: Checked>(config: &T) {
    config.derive_all();
    let printed = to_toml(config);
    let again: T = match parse_file(Path::new("printed.toml"), &printed) {
        Ok(c) => c,
        Err(e) => panic!("the printed config does not load: {e}\n{printed}"),
    };
    assert_eq!(
        to_toml(&again),
        printed,
        "the printed config loads differently"
    );
}

fn from_file<T: Checked>(text: &str) {
    if let Ok(config) = parse_file::<T>(Path::new("fuzz.toml"), text) {
        reloads(&config);
    }
}

fn from_env<T: Checked>(text: &str) {
    let env: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| {
            (
                format!("{}{}", T::PREFIX, k.to_ascii_uppercase()),
                v.to_string(),
            )
        })
        .collect();
    match load::<T>(None, T::PREFIX, env) {
        Ok(config) => reloads(&config),
        Err(ConfigError::Env { .. }) => {}
        Err(e) => panic!("the environment gave a non-environment error: {e}"),
    }
}

fn addresses(text: &str) {
    if let Ok((dial, host)) = parse_endpoint("county", text) {
        assert!(
            !host.is_empty() && dial.contains(host.as_str()),
            "{dial} {host}"
        );
    }
    if let Ok(url) = WebhookUrl::parse(text) {
        assert_eq!(WebhookUrl::parse(url.as_str()), Ok(url.clone()));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 7 {
        0 => from_file::<CountyConfig>(&text),
        1 => from_file::<TownshipConfig>(&text),
        2 => from_file::<BridgeConfig>(&text),
        3 => from_env::<CountyConfig>(&text),
        4 => from_env::<TownshipConfig>(&text),
        5 => from_env::<BridgeConfig>(&text),
        _ => addresses(&text),
    }
});
