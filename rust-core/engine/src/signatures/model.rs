//! The entries of a signature set as the rest of the engine sees them, and the loader's error.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of service an endpoint belongs to; shown to the user next to the service's name.
///
/// In signature files and in serialised reports a category is a kebab-case string
/// (`"webview-code"`); `Display` writes the same string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Chat and calls: WeChat, QQ.
    Messaging,
    /// Usage analytics, tracing and device-ID registration.
    Analytics,
    /// Crash and performance reporting.
    Crash,
    /// Advertising.
    Ads,
    /// Push notifications.
    Push,
    /// Web engines and code that an app downloads and runs (TBS/X5).
    WebviewCode,
    /// Maps and location.
    Maps,
    /// Hosting, storage and cloud communication services.
    Cloud,
    /// Payments.
    Payments,
    /// Games, anti-cheat and game platforms.
    Games,
    /// Name resolution (DNS, DoH, DoT, HTTPDNS).
    Dns,
    /// Keyboards and input methods.
    InputMethod,
    /// Video, music and social feeds.
    Media,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 14] = [
        Category::Messaging,
        Category::Analytics,
        Category::Crash,
        Category::Ads,
        Category::Push,
        Category::WebviewCode,
        Category::Maps,
        Category::Cloud,
        Category::Payments,
        Category::Games,
        Category::Dns,
        Category::InputMethod,
        Category::Media,
        Category::Other,
    ];

    /// The kebab-case name used in signature files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Messaging => "messaging",
            Category::Analytics => "analytics",
            Category::Crash => "crash",
            Category::Ads => "ads",
            Category::Push => "push",
            Category::WebviewCode => "webview-code",
            Category::Maps => "maps",
            Category::Cloud => "cloud",
            Category::Payments => "payments",
            Category::Games => "games",
            Category::Dns => "dns",
            Category::InputMethod => "input-method",
            Category::Media => "media",
            Category::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A company that owns endpoints, e.g. Tencent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vendor {
    /// Short stable id, e.g. `tencent`.
    pub id: String,
    /// Display name, e.g. `Tencent`.
    pub name: String,
    /// One plain-language sentence for the user.
    pub description: String,
    /// Where the facts about this vendor come from.
    pub source: String,
    /// Package-name prefixes of the vendor's own apps (`com.tencent.`): traffic to one of its
    /// services from any other app comes from a kit built into that app.
    pub app_packages: Vec<String>,
}

impl Vendor {
    /// Whether an app package belongs to the vendor.
    pub fn owns_package(&self, package: &str) -> bool {
        self.app_packages
            .iter()
            .any(|p| package.starts_with(p.as_str()))
    }
}

/// What an endpoint does beyond belonging to a service, when that matters for a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tag {
    /// An encrypted DNS resolver (DoH, DoT) an app may use instead of the phone's.
    EncryptedDns,
    /// Serves program code (app packages, web engine cores, patches).
    CodeDownload,
    /// Answers name lookups over plain HTTP (`/d?dn=`).
    Httpdns,
}

/// One service of a vendor, e.g. WeChat or Bugly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Id unique across the whole set, e.g. `wechat`.
    pub id: String,
    /// Id of the owning [`Vendor`].
    pub vendor: String,
    /// Display name, e.g. `WeChat`.
    pub name: String,
    /// What kind of service this is.
    pub category: Category,
    /// One plain-language sentence: what it is and why it matters to the user.
    pub description: String,
    /// True for a separate company the vendor holds a stake in, shown apart from the vendor's
    /// own services.
    pub affiliate: bool,
    /// Where the facts about this service come from.
    pub source: String,
}

/// A domain-name rule: a suffix that belongs to a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainRule {
    /// Lowercase domain name without a trailing dot; matches itself and every subdomain.
    pub suffix: String,
    /// Id of the [`Service`] the suffix belongs to.
    pub service: String,
    /// What the endpoint is.
    pub note: String,
    /// Where the rule comes from.
    pub source: String,
    /// Host names this rule must match (checked when the set is loaded).
    pub examples: Vec<String>,
    /// What the endpoints do beyond belonging to the service.
    pub tags: Vec<Tag>,
    /// Name of the signature file that holds the rule.
    pub file: String,
    /// 1-based line of the rule's `suffix` in that file.
    pub line: usize,
}

/// A documented service address: one IP address (and optionally ports) that a service answers
/// on, such as a public resolver. Unlike a network list, it names the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointRule {
    /// The address.
    pub address: std::net::IpAddr,
    /// Ports the rule is limited to; empty means any.
    pub ports: Vec<u16>,
    /// Id of the [`Service`].
    pub service: String,
    /// What the endpoints do beyond belonging to the service.
    pub tags: Vec<Tag>,
    /// What the endpoint is.
    pub note: String,
    /// Where the rule comes from.
    pub source: String,
    /// Name of the signature file that holds the rule.
    pub file: String,
    /// 1-based line of the rule's `address` in that file.
    pub line: usize,
}

/// A protocol that only one service speaks, so that recognising it names the service (WeChat's
/// MMTLS, QQ's OICQ). The dissectors recognise protocols by id; which service owns each is data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtocolRule {
    /// Protocol id as the dissectors report it: `mmtls`, `oicq`, `qq-msf`.
    pub id: String,
    /// Id of the [`Service`].
    pub service: String,
    /// Short name shown in reports (`MMTLS`).
    pub name: String,
    /// What the protocol is.
    pub note: String,
    /// Where the facts come from.
    pub source: String,
}

/// A service rule found for an address or a protocol, with its service and vendor.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleMatch<'a, R> {
    /// The rule.
    pub rule: &'a R,
    /// The rule's service.
    pub service: &'a Service,
    /// The service's vendor.
    pub vendor: &'a Vendor,
}

/// A dated list of a vendor's network prefixes.
///
/// An address match means "this vendor's network", never one of its services: clouds host other
/// companies too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkList {
    /// Id of the owning [`Vendor`].
    pub vendor: String,
    /// Date of the snapshot, `YYYY-MM-DD`.
    pub date: String,
    /// Where the prefixes come from.
    pub source: String,
    /// The prefixes in canonical text form (`43.130.0.0/16`, `2402:4e00::/32`), in file order.
    pub prefixes: Vec<String>,
    /// Addresses this list must match (checked when the set is loaded).
    pub examples: Vec<std::net::IpAddr>,
    /// Name of the signature file that holds the list.
    pub file: String,
    /// 1-based line of the list's `vendor` in that file.
    pub line: usize,
}

/// The transport a payload rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// The first bytes of the client's TCP stream.
    Tcp,
    /// The client's first UDP datagram.
    Udp,
}

/// Bytes a payload must hold at an offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BytesAt {
    /// Offset from the start of the payload.
    pub offset: usize,
    /// The bytes expected there.
    pub bytes: Vec<u8>,
}

/// A big-endian length field that must equal the payload length minus `adjust`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LengthField {
    /// Offset of the field.
    pub offset: usize,
    /// Width in bytes: 1, 2 or 4.
    pub size: usize,
    /// What the payload holds besides the counted bytes.
    pub adjust: usize,
}

/// A payload rule: how the first bytes a client sends identify a service that no name names
/// (a protocol fingerprint, the second kind of evidence in DESIGN.md's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayloadRule {
    /// Id of the [`Service`] the pattern belongs to.
    pub service: String,
    /// Which payload the rule looks at.
    pub transport: Transport,
    /// Shortest payload the rule accepts.
    pub min_len: usize,
    /// Bytes that must be present.
    pub bytes: Vec<BytesAt>,
    /// A length field that must agree with the payload length.
    pub length: Option<LengthField>,
    /// What the pattern is.
    pub note: String,
    /// Where the pattern comes from.
    pub source: String,
    /// Payloads the rule must match (checked at load, zero-padded up to `min_len`).
    pub examples: Vec<Vec<u8>>,
    /// Name of the signature file that holds the rule.
    pub file: String,
    /// 1-based line of the rule's `service` in that file.
    pub line: usize,
}

impl PayloadRule {
    /// Whether `payload`, seen on `transport`, fits this rule.
    pub fn matches(&self, transport: Transport, payload: &[u8]) -> bool {
        if transport != self.transport || payload.len() < self.min_len {
            return false;
        }
        let bytes_ok = self.bytes.iter().all(|b| {
            payload.get(b.offset..b.offset.saturating_add(b.bytes.len())) == Some(&b.bytes[..])
        });
        let length_ok = self.length.is_none_or(|l| {
            let Some(field) = payload.get(l.offset..l.offset.saturating_add(l.size)) else {
                return false;
            };
            let value = field.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
            value.checked_add(l.adjust as u64) == Some(payload.len() as u64)
        });
        bytes_ok && length_ok
    }
}

// Written out because a derive would demand `R: Copy`; only references are copied.
impl<R> Clone for RuleMatch<'_, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for RuleMatch<'_, R> {}

/// The result of [`Signatures::match_payload`](super::Signatures::match_payload).
pub type PayloadMatch<'a> = RuleMatch<'a, PayloadRule>;

/// The result of [`Signatures::match_name`](super::Signatures::match_name): the longest rule
/// whose suffix the name ends with.
pub type NameMatch<'a> = RuleMatch<'a, DomainRule>;

/// The result of [`Signatures::match_addr`](super::Signatures::match_addr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetMatch<'a> {
    /// The list that holds the longest matching prefix.
    pub list: &'a NetworkList,
    /// The list's vendor.
    pub vendor: &'a Vendor,
    /// The matching prefix in canonical form, e.g. `43.130.0.0/16`.
    pub prefix: String,
}

/// One layer a set was loaded from (the built-in files, a user's directory), as reports record
/// it so that a result can be reproduced with the same data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// `built-in`, or the directory the files came from.
    pub name: String,
    /// The `data_version` of the layer's `[set]` table, if it has one.
    pub data_version: Option<String>,
    /// How many files the layer has.
    pub files: usize,
    /// SHA-256 over the layer's file names and texts, in hex.
    pub sha256: String,
}

/// An entry of a later layer that replaced an earlier layer's entry with the same key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    /// What was redefined: "domain suffix `qq.com`", "service id `bugly`" ...
    pub entry: String,
    /// `file:line` of the new definition.
    pub by: String,
    /// `file:line` of the replaced one.
    pub replaced: String,
}

/// Why a signature file was rejected. Displays as `file:line: reason` (or `file: reason` when
/// no line applies).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {reason}", LineSuffix(*.line))]
pub struct SignatureError {
    /// The file name as given to the loader.
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// What is wrong, in one line.
    pub reason: String,
}

/// Writes `:line` when there is a line, nothing otherwise.
struct LineSuffix(Option<usize>);

impl fmt::Display for LineSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, ":{line}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_round_trip() {
        let expected = [
            "messaging",
            "analytics",
            "crash",
            "ads",
            "push",
            "webview-code",
            "maps",
            "cloud",
            "payments",
            "games",
            "dns",
            "input-method",
            "media",
            "other",
        ];
        for (category, name) in Category::ALL.into_iter().zip(expected) {
            assert_eq!(category.to_string(), name);
            assert_eq!(
                serde_json::to_string(&category).ok(),
                Some(format!("\"{name}\""))
            );
            let back: Category = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(back, category);
        }
        assert!(serde_json::from_str::<Category>("\"webview_code\"").is_err());
        assert!(serde_json::from_str::<Category>("\"Messaging\"").is_err());
    }

    #[test]
    fn error_display() {
        let with_line = SignatureError {
            file: "signatures/tencent/wechat.toml".into(),
            line: Some(12),
            reason: "unknown service `wechta`".into(),
        };
        assert_eq!(
            with_line.to_string(),
            "signatures/tencent/wechat.toml:12: unknown service `wechta`"
        );
        let without_line = SignatureError {
            file: "(signature set)".into(),
            line: None,
            reason: "no file has a [set] table".into(),
        };
        assert_eq!(
            without_line.to_string(),
            "(signature set): no file has a [set] table"
        );
    }
}
