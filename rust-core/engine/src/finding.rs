//! Findings: what a flow exposes, as a stable kind, a severity and evidence.

use serde::Serialize;
use std::collections::BTreeMap;
use telltale_wire::kv::percent_decode;

/// Vendor id whose contacts and networks get the `tencent-*` finding kinds.
const TENCENT: &str = "tencent";

/// The kinds of finding, with stable ids (DESIGN.md, "Findings"). Declared from most to least
/// important to the person using the phone: between findings of equal severity, the earlier
/// kind leads an app's list and gives its exposure reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Account or device identifiers in clear.
    IdentifierCleartext,
    /// Coordinates, cell or Wi-Fi ids in clear.
    LocationCleartext,
    /// Executable content fetched.
    CodeDownload,
    /// TLS below 1.2, or a broken cipher offered or chosen.
    LegacyTls,
    /// Home-grown encryption instead of TLS (MMTLS, OICQ's TEA, keyboard "EncryptWall").
    ProprietaryCrypto,
    /// The same cleartext token across connections.
    LinkableToken,
    /// A name looked up over plain HTTP (Tencent HTTPDNS, WeChat newgetdns).
    HttpdnsCleartext,
    /// An HTTP/1.x exchange in clear.
    CleartextHttp,
    /// A DNS query in clear.
    CleartextDns,
    /// The app bypasses system DNS with its own encrypted resolver.
    OwnEncryptedDns,
    /// TLS/QUIC SNI or HTTP Host names the service to on-path observers.
    ServerNameVisible,
    /// The flow reaches a Tencent service.
    TencentContact,
    /// The flow reaches a Tencent network with no evidence of a Tencent service.
    TencentNetwork,
    /// The flow reaches a service of another vendor in the signature set (ByteDance ...).
    VendorContact,
    /// The flow reaches another vendor's network with no evidence of one of its services.
    VendorNetwork,
}

impl FindingKind {
    /// The stable id, as in reports (`cleartext-http` ...).
    pub fn id(self) -> &'static str {
        match self {
            FindingKind::CleartextHttp => "cleartext-http",
            FindingKind::CleartextDns => "cleartext-dns",
            FindingKind::HttpdnsCleartext => "httpdns-cleartext",
            FindingKind::ServerNameVisible => "server-name-visible",
            FindingKind::LegacyTls => "legacy-tls",
            FindingKind::ProprietaryCrypto => "proprietary-crypto",
            FindingKind::LinkableToken => "linkable-token",
            FindingKind::IdentifierCleartext => "identifier-cleartext",
            FindingKind::LocationCleartext => "location-cleartext",
            FindingKind::CodeDownload => "code-download",
            FindingKind::OwnEncryptedDns => "own-encrypted-dns",
            FindingKind::TencentContact => "tencent-contact",
            FindingKind::TencentNetwork => "tencent-network",
            FindingKind::VendorContact => "vendor-contact",
            FindingKind::VendorNetwork => "vendor-network",
        }
    }

    /// What it means, in one or two sentences for someone who is not an engineer.
    pub fn explanation(self) -> &'static str {
        match self {
            FindingKind::CleartextHttp => {
                "The app sent a web request without encryption. Anyone on the network path (the \
                 Wi-Fi operator, the mobile carrier, a state observer) can read and change it."
            }
            FindingKind::CleartextDns => {
                "The app looked up a server name without encryption, so the network can see which \
                 services it talks to, and when."
            }
            FindingKind::HttpdnsCleartext => {
                "The app looked up server names with its own unencrypted web request, which can \
                 carry account or device details as well as the names."
            }
            FindingKind::ServerNameVisible => {
                "The connection is encrypted, but the name of the server it goes to is sent in \
                 clear at its start, so the network knows which service is used."
            }
            FindingKind::LegacyTls => {
                "The connection uses outdated encryption that is known to be weak, which can let \
                 others read or tamper with it."
            }
            FindingKind::ProprietaryCrypto => {
                "The app protects this traffic with its own home-made encryption instead of the \
                 standard (TLS); researchers have found such schemes weaker than TLS."
            }
            FindingKind::LinkableToken => {
                "The same token is sent in clear on separate connections, so an observer can tell \
                 they all come from the same phone or account."
            }
            FindingKind::IdentifierCleartext => {
                "Account or device identifiers travel unencrypted: anyone on the network path can \
                 tie this traffic to you or your phone."
            }
            FindingKind::LocationCleartext => {
                "Location data (coordinates, cell towers or Wi-Fi networks) travels unencrypted."
            }
            FindingKind::CodeDownload => {
                "The app downloaded program code, which can change what it does after you \
                 installed it."
            }
            FindingKind::OwnEncryptedDns => {
                "The app uses its own encrypted name lookup service instead of the phone's, which \
                 hides its lookups from the phone's settings and from this monitor's DNS view."
            }
            FindingKind::TencentContact => {
                "The app exchanged data with a Tencent service. Tencent is obliged to cooperate \
                 with authorities of the People's Republic of China."
            }
            FindingKind::TencentNetwork => {
                "The app connected to a server on Tencent's network. That network also hosts other \
                 companies, so this alone does not show a Tencent service."
            }
            FindingKind::VendorContact => {
                "The app exchanged data with a service of another company this monitor watches; \
                 the service's description says what it can learn."
            }
            FindingKind::VendorNetwork => {
                "The app connected to a server on the network of another company this monitor \
                 watches. Such networks also host other companies, so this alone does not show \
                 one of its services."
            }
        }
    }

    /// Why an app with this as its most serious finding gets its exposure level: completes the
    /// sentence "This app ...".
    pub fn reason(self) -> &'static str {
        match self {
            FindingKind::CleartextHttp => "sends web requests without encryption",
            FindingKind::CleartextDns => "looks up server names without encryption",
            FindingKind::HttpdnsCleartext => "looks up server names with unencrypted web requests",
            FindingKind::ServerNameVisible => {
                "uses encryption, but the names of the servers it contacts are visible"
            }
            FindingKind::LegacyTls => "uses outdated, weak encryption",
            FindingKind::ProprietaryCrypto => "relies on home-made encryption",
            FindingKind::LinkableToken => "sends a token that links its connections together",
            FindingKind::IdentifierCleartext => "sends account or device identifiers unencrypted",
            FindingKind::LocationCleartext => "sends location data unencrypted",
            FindingKind::CodeDownload => "downloads program code",
            FindingKind::OwnEncryptedDns => "bypasses the phone's name lookups",
            FindingKind::TencentContact => "exchanges data with Tencent services",
            FindingKind::TencentNetwork => "connects to servers on Tencent's network",
            FindingKind::VendorContact => "exchanges data with services of a watched company",
            FindingKind::VendorNetwork => "connects to servers on a watched company's network",
        }
    }

    /// The kind for reaching a service of `vendor`: Tencent's has its own id (DESIGN.md), any
    /// other vendor's the general one.
    pub fn contact(vendor: &str) -> FindingKind {
        if vendor == TENCENT {
            FindingKind::TencentContact
        } else {
            FindingKind::VendorContact
        }
    }

    /// The kind for reaching `vendor`'s network without one of its services.
    pub fn network(vendor: &str) -> FindingKind {
        if vendor == TENCENT {
            FindingKind::TencentNetwork
        } else {
            FindingKind::VendorNetwork
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Context, not an exposure by itself.
    Info,
    /// Metadata exposure (names, lookups).
    Low,
    /// Content or weak protection exposed.
    Medium,
    /// Identifiers, location or code exposed, or protection broken.
    High,
}

/// One finding on one flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Kind.
    pub kind: FindingKind,
    /// Severity.
    pub severity: Severity,
    /// Vendor of the service involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Service involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// One line saying what was seen (identifiers masked unless asked for).
    pub summary: String,
    /// The facts behind it, by name.
    pub evidence: BTreeMap<&'static str, String>,
}

impl Finding {
    /// A finding of `kind` with its summary and no evidence yet.
    pub fn new(kind: FindingKind, severity: Severity, summary: impl Into<String>) -> Self {
        Finding {
            kind,
            severity,
            vendor: None,
            service: None,
            summary: summary.into(),
            evidence: BTreeMap::new(),
        }
    }

    /// Adds a piece of evidence.
    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.evidence.insert(key, value.into());
        self
    }
}

/// Masks a request target for display: every query value (`a=1&b=2` becomes `a=…&b=…`), since
/// queries carry identifiers, and every path segment that holds one of `path_values` (the
/// identifiers found in the path). Names stay readable so a reader sees what kind of data was
/// sent.
pub fn mask_target(target: &str, path_values: &[&str]) -> String {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let holds_identifier = |segment: &str| {
        let decoded = percent_decode(segment.as_bytes(), false);
        path_values
            .iter()
            .any(|v| !v.is_empty() && decoded.contains(v))
    };
    let mut out: String = if path_values.is_empty() {
        path.to_owned()
    } else {
        path.split('/')
            .map(|seg| if holds_identifier(seg) { "…" } else { seg })
            .collect::<Vec<_>>()
            .join("/")
    };
    if let Some(query) = query {
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if !v.is_empty() => format!("{k}=…"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&masked.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_query_values_and_identifiers_in_the_path() {
        assert_eq!(
            mask_target("/cgi-bin/micromsg-bin/newgetdns?uin=123&lan=en&x&y=", &[]),
            "/cgi-bin/micromsg-bin/newgetdns?uin=…&lan=…&x&y="
        );
        assert_eq!(mask_target("/plain/path", &[]), "/plain/path");
        assert_eq!(
            mask_target("/u/bob%40example.org/inbox?t=1", &["bob@example.org"]),
            "/u/…/inbox?t=…"
        );
        assert_eq!(
            mask_target("/phone/13812345678", &["13812345678"]),
            "/phone/…"
        );
    }

    #[test]
    fn ids_match_serde() {
        for k in [
            FindingKind::CleartextHttp,
            FindingKind::TencentNetwork,
            FindingKind::LegacyTls,
            FindingKind::VendorContact,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.id());
        }
        assert!(Severity::High > Severity::Medium && Severity::Low > Severity::Info);
        assert_eq!(FindingKind::contact("tencent"), FindingKind::TencentContact);
        assert_eq!(
            FindingKind::contact("bytedance"),
            FindingKind::VendorContact
        );
        assert_eq!(FindingKind::network("tencent"), FindingKind::TencentNetwork);
        assert_eq!(
            FindingKind::network("bytedance"),
            FindingKind::VendorNetwork
        );
    }
}
