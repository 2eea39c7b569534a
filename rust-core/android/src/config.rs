//! The configuration Java passes to `start`, as JSON.

use crate::error::{BridgeError, Result};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// The monitor's configuration. Every field is optional; `{}` is a valid configuration.
///
/// ```json
/// {"show_identifiers": false, "mtu": 1500,
///  "dns": {"listen": "10.111.0.53", "upstream": "192.0.2.53:53"},
///  "capture_path": "/data/data/org.telltale/cache/live.pcapng"}
/// ```
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Show identifiers in full in reports (masked by default).
    pub show_identifiers: bool,
    /// The TUN's MTU, as given to `VpnService.Builder.setMtu` (default: the netstack's).
    pub mtu: Option<usize>,
    /// DNS forwarding: datagrams to `listen`:53 go to `upstream`.
    pub dns: Option<DnsConfig>,
    /// Where the live pcapng capture is written (a file only the app can read); no capture
    /// when absent.
    pub capture_path: Option<PathBuf>,
}

/// DNS forwarding, see [`telltale_runtime::DnsForward`].
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// The resolver address the VPN gives the apps (routed into the TUN).
    pub listen: IpAddr,
    /// The real resolver, with its port.
    pub upstream: SocketAddr,
}

impl Config {
    /// Parses the JSON Java passes; an empty string means the defaults.
    pub fn parse(json: &str) -> Result<Config> {
        if json.trim().is_empty() {
            return Ok(Config::default());
        }
        let c: Config =
            serde_json::from_str(json).map_err(|e| BridgeError::Config(e.to_string()))?;
        if let Some(mtu) = c.mtu
            && !(576..=65_535).contains(&mtu)
        {
            return Err(BridgeError::Config(format!("mtu {mtu} not in 576..=65535")));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_defaults_and_fields() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::parse("{}").unwrap(), Config::default());
        let c = Config::parse(
            r#"{"show_identifiers":true,"mtu":1400,"dns":{"listen":"10.0.0.53","upstream":"192.0.2.1:53"},"capture_path":"/tmp/x.pcapng"}"#,
        )
        .unwrap();
        assert!(c.show_identifiers);
        assert_eq!(c.mtu, Some(1400));
        assert_eq!(c.dns.unwrap().upstream, "192.0.2.1:53".parse().unwrap());
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(Config::parse("{"), Err(BridgeError::Config(_))));
        assert!(matches!(
            Config::parse(r#"{"nope":1}"#),
            Err(BridgeError::Config(_))
        ));
        assert!(matches!(
            Config::parse(r#"{"mtu":10}"#),
            Err(BridgeError::Config(_))
        ));
    }
}
