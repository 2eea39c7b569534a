//! Signatures: who owns an endpoint, as data.
//!
//! A signature set names vendors (Tencent), their services (WeChat, Bugly, ...), domain rules
//! that map name suffixes to services, payload rules that recognise a service by the first
//! bytes a client sends, and dated network lists that map IP prefixes to vendors.
//! The data lives in TOML files under the repository's `signatures/` directory (format in
//! `signatures/README.md`); the files are compiled in by the build script and a user may supply
//! their own. This module only parses texts it is given: it does no file I/O.
//!
//! Matching runs for every flow: names go through a reversed-label suffix trie (no allocation
//! per lookup), addresses through a binary prefix trie per address family.

mod builtin;
mod inspect;
mod load;
mod model;
mod name_trie;
mod prefix_trie;

use std::net::IpAddr;

pub use model::{
    BytesAt, Category, DomainRule, EndpointRule, LayerInfo, LengthField, NameMatch, NetMatch,
    NetworkList, Override, PayloadMatch, PayloadRule, ProtocolRule, RuleMatch, Service,
    SignatureError, Tag, Transport, Vendor,
};

pub use inspect::{AddrLookup, Level, NameLookup, Problem, ServiceCounts, VendorStats};

use name_trie::NameTrie;
use prefix_trie::{Prefix, PrefixTrie};

/// The schema version this build reads; every signature file must declare it.
pub const SCHEMA_VERSION: u32 = 1;

/// The name of the built-in layer in [`LayerInfo`].
pub const BUILTIN: &str = "built-in";

/// Signature files given to the loader as one layer: a name (`built-in`, a directory) and
/// `(file name, text)` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// What the layer is, as reports show it.
    pub name: String,
    /// The files, in any order.
    pub files: Vec<(String, String)>,
}

/// A loaded, checked signature set with its lookup structures.
#[derive(Debug, Clone)]
pub struct Signatures {
    schema_version: u32,
    id: String,
    data_version: String,
    description: String,
    layers: Vec<LayerInfo>,
    overrides: Vec<Override>,
    vendors: Vec<Vendor>,
    vendor_index: foldhash::HashMap<String, usize>,
    services: Vec<Service>,
    service_index: foldhash::HashMap<String, usize>,
    /// Per service: index of its vendor.
    service_vendor: Vec<usize>,
    rules: Vec<DomainRule>,
    /// Per rule: index of its service.
    rule_service: Vec<usize>,
    /// Suffix → rule index.
    names: NameTrie,
    lists: Vec<NetworkList>,
    /// Per network list: index of its vendor.
    list_vendor: Vec<usize>,
    /// Every prefix with the index of its list; the tries hold indices into this.
    prefixes: Vec<(usize, Prefix)>,
    v4: PrefixTrie,
    v6: PrefixTrie,
    payloads: Vec<PayloadRule>,
    /// Per payload rule: index of its service.
    payload_service: Vec<usize>,
    /// Endpoint rules with the index of their service, by address.
    endpoints: foldhash::HashMap<IpAddr, Vec<(EndpointRule, usize)>>,
    /// Protocol rules with the index of their service, by protocol id.
    protocols: foldhash::HashMap<String, (ProtocolRule, usize)>,
}

impl Signatures {
    /// The set compiled into the binary from the repository's `signatures/` directory.
    ///
    /// This parses and checks the embedded texts on every call; keep the result.
    ///
    /// # Errors
    ///
    /// Only if the embedded files are bad, which the crate's tests rule out.
    pub fn builtin() -> Result<Signatures, SignatureError> {
        load::load(&[(BUILTIN, builtin::FILES.to_vec())])
    }

    /// The embedded signature files as `(file name, text)` pairs, e.g. to show them or to load
    /// them together with a user's additions through [`Signatures::from_texts`].
    pub fn builtin_texts() -> impl Iterator<Item = (&'static str, &'static str)> {
        builtin::FILES.iter().copied()
    }

    /// A set from (file name, text) pairs, e.g. the files of a user's --signatures directory.
    ///
    /// Together the files must hold exactly one `[set]` table. They are read in file-name
    /// order.
    ///
    /// # Errors
    ///
    /// The first problem found, with its file, line and reason (see `signatures/README.md`).
    pub fn from_texts<I: IntoIterator<Item = (String, String)>>(
        files: I,
    ) -> Result<Signatures, SignatureError> {
        Self::from_layers([Layer {
            name: "custom".into(),
            files: files.into_iter().collect(),
        }])
    }

    /// The built-in set with a user's layer over it (see [`Signatures::from_layers`]).
    ///
    /// # Errors
    ///
    /// As for [`Signatures::from_layers`].
    pub fn builtin_with(extra: Layer) -> Result<Signatures, SignatureError> {
        let builtin = Layer {
            name: BUILTIN.into(),
            files: Self::builtin_texts()
                .map(|(name, text)| (name.to_owned(), text.to_owned()))
                .collect(),
        };
        Self::from_layers([builtin, extra])
    }

    /// A set from layers, each laid over the ones before it. The first layer must hold the
    /// set's `[set]` table; a later layer may have its own, whose version reports record too.
    /// Within a layer every id, suffix, prefix, endpoint and protocol is defined once; a later
    /// layer that defines one again replaces the earlier entry (see [`Signatures::overrides`]),
    /// and its payload rules are tried before earlier ones.
    ///
    /// # Errors
    ///
    /// The first problem found, with its file, line and reason.
    pub fn from_layers<I: IntoIterator<Item = Layer>>(
        layers: I,
    ) -> Result<Signatures, SignatureError> {
        let owned: Vec<Layer> = layers.into_iter().collect();
        let borrowed: Vec<load::LayerFiles<'_>> = owned
            .iter()
            .map(|layer| {
                let files = layer
                    .files
                    .iter()
                    .map(|(name, text)| (name.as_str(), text.as_str()))
                    .collect();
                (layer.name.as_str(), files)
            })
            .collect();
        load::load(&borrowed)
    }

    /// The layers the set was loaded from, first (usually the built-in files) to last.
    pub fn layers(&self) -> &[LayerInfo] {
        &self.layers
    }

    /// Entries a later layer replaced, in the order they were read.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// The schema version of the files (always [`SCHEMA_VERSION`] for a loaded set).
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// The data version of the set, e.g. `2026-11-26`.
    pub fn data_version(&self) -> &str {
        &self.data_version
    }

    /// An id for exactly this data: `<data version>#<12 hex digits>`, the digits from a SHA-256
    /// over every file of every layer. Reports carry it so a result can be tied to its data.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The set's one-line description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Longest-suffix rule for a host name (case-insensitive, a trailing dot ignored, whole
    /// labels only: `notqq.com` does not match `qq.com`, nor does `qq.com.evil.example`).
    ///
    /// A name with an empty label (`.qq.com`, `a..qq.com`) matches nothing.
    pub fn match_name(&self, name: &str) -> Option<NameMatch<'_>> {
        let rule_index = self.rule_index(name)?;
        self.with_service(
            self.rules.get(rule_index)?,
            *self.rule_service.get(rule_index)?,
        )
    }

    /// The endpoint rule for this address and port, if the address is a documented endpoint of
    /// a service (a rule without ports matches any port).
    pub fn match_endpoint(&self, addr: IpAddr, port: u16) -> Option<RuleMatch<'_, EndpointRule>> {
        let (rule, service) = self
            .endpoints
            .get(&addr)?
            .iter()
            .find(|(r, _)| r.ports.is_empty() || r.ports.contains(&port))?;
        self.with_service(rule, *service)
    }

    /// The service that speaks a protocol, by the dissectors' protocol id (`mmtls` ...).
    pub fn protocol(&self, id: &str) -> Option<RuleMatch<'_, ProtocolRule>> {
        let (rule, service) = self.protocols.get(id)?;
        self.with_service(rule, *service)
    }

    /// A rule together with its service and that service's vendor.
    fn with_service<'a, R>(&'a self, rule: &'a R, service: usize) -> Option<RuleMatch<'a, R>> {
        Some(RuleMatch {
            rule,
            service: self.services.get(service)?,
            vendor: self.vendors.get(*self.service_vendor.get(service)?)?,
        })
    }

    /// Longest-prefix network for an address.
    ///
    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is looked up as the IPv4 address.
    pub fn match_addr(&self, addr: IpAddr) -> Option<NetMatch<'_>> {
        let (list_index, prefix) = self.prefixes.get(self.prefix_index(addr)?)?;
        let list = self.lists.get(*list_index)?;
        let vendor = self.vendors.get(*self.list_vendor.get(*list_index)?)?;
        Some(NetMatch {
            list,
            vendor,
            prefix: prefix.to_string(),
        })
    }

    /// The first payload rule (in file order) that the first bytes a client sent fit.
    pub fn match_payload(&self, transport: Transport, payload: &[u8]) -> Option<PayloadMatch<'_>> {
        let i = self
            .payloads
            .iter()
            .position(|r| r.matches(transport, payload))?;
        self.with_service(self.payloads.get(i)?, *self.payload_service.get(i)?)
    }

    /// Every payload rule, in file-name order and then file order.
    pub fn payload_rules(&self) -> impl Iterator<Item = &PayloadRule> {
        self.payloads.iter()
    }

    /// Every endpoint rule.
    pub fn endpoint_rules(&self) -> impl Iterator<Item = &EndpointRule> {
        self.endpoints.values().flatten().map(|(r, _)| r)
    }

    /// The vendor whose apps an Android package belongs to, if any.
    pub fn vendor_of_package(&self, package: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.owns_package(package))
    }

    /// The service with this id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.get(*self.service_index.get(id)?)
    }

    /// The vendor with this id.
    pub fn vendor(&self, id: &str) -> Option<&Vendor> {
        self.vendors.get(*self.vendor_index.get(id)?)
    }

    /// Every service, in file-name order and then file order.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter()
    }

    /// Every vendor, in file-name order and then file order.
    pub fn vendors(&self) -> impl Iterator<Item = &Vendor> {
        self.vendors.iter()
    }

    /// Every domain rule, in file-name order and then file order.
    pub fn rules(&self) -> impl Iterator<Item = &DomainRule> {
        self.rules.iter()
    }

    /// Every network list, in file-name order and then file order.
    pub fn network_lists(&self) -> impl Iterator<Item = &NetworkList> {
        self.lists.iter()
    }

    /// Index of the longest-suffix rule for `name`.
    fn rule_index(&self, name: &str) -> Option<usize> {
        self.names.longest_match(name)
    }

    /// Index into `prefixes` of the longest prefix holding `addr`.
    fn prefix_index(&self, addr: IpAddr) -> Option<usize> {
        match addr {
            IpAddr::V4(_) => self.v4.longest_match(prefix_trie::key(addr)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.v4.longest_match(prefix_trie::key(IpAddr::V4(v4))),
                None => self.v6.longest_match(prefix_trie::key(addr)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two vendors with nested and IPv6 prefixes and overlapping suffixes.
    const SET: &str = r#"schema_version = 1

[set]
data_version = "test-1"
description = "Two test vendors."

[[vendor]]
id = "acme"
name = "Acme"
description = "A test vendor."
source = "test"

[[vendor]]
id = "host"
name = "Host"
description = "A hosting company."
source = "test"

[[service]]
id = "chat"
vendor = "acme"
name = "Acme Chat"
category = "messaging"
description = "Chat."
source = "test"

[[service]]
id = "stats"
vendor = "acme"
name = "Acme Stats"
category = "analytics"
description = "Stats."
affiliate = true
source = "test"

[[domain]]
suffix = "acme.example"
service = "chat"
note = "everything Acme"
source = "test"

[[domain]]
suffix = "stats.acme.example"
service = "stats"
note = "Acme stats"
source = "test"

[[network]]
vendor = "host"
date = "2026-01-01"
source = "test"
prefixes = ["198.51.0.0/16", "2001:db8::/32"]

[[network]]
vendor = "acme"
date = "2026-01-02"
source = "test"
prefixes = ["198.51.100.0/24", "2001:db8:1::/48"]
"#;

    fn set() -> Signatures {
        Signatures::from_texts([("set.toml".to_string(), SET.to_string())]).unwrap()
    }

    fn net(s: &Signatures, addr: &str) -> Option<(String, String, String)> {
        s.match_addr(addr.parse().unwrap())
            .map(|m| (m.vendor.id.clone(), m.list.date.clone(), m.prefix))
    }

    fn owned(vendor: &str, date: &str, prefix: &str) -> Option<(String, String, String)> {
        Some((vendor.into(), date.into(), prefix.into()))
    }

    #[test]
    fn names_resolve_to_rule_service_and_vendor() {
        let s = set();
        let m = s.match_name("Live.Stats.Acme.Example.").unwrap();
        assert_eq!(m.rule.suffix, "stats.acme.example");
        assert_eq!(m.service.id, "stats");
        assert!(m.service.affiliate);
        assert_eq!(m.vendor.id, "acme");
        assert_eq!(s.match_name("www.acme.example").unwrap().service.id, "chat");
        assert!(s.match_name("acme.example.org").is_none());
        assert!(s.match_name("notacme.example").is_none());
    }

    #[test]
    fn longest_prefix_wins_across_lists() {
        let s = set();
        assert_eq!(
            net(&s, "198.51.100.1"),
            owned("acme", "2026-01-02", "198.51.100.0/24")
        );
        assert_eq!(
            net(&s, "198.51.101.0"),
            owned("host", "2026-01-01", "198.51.0.0/16")
        );
        assert_eq!(
            net(&s, "198.51.99.255"),
            owned("host", "2026-01-01", "198.51.0.0/16")
        );
        assert_eq!(net(&s, "198.52.0.0"), None);
        assert_eq!(net(&s, "198.50.255.255"), None);
        assert_eq!(
            net(&s, "2001:db8:1::5"),
            owned("acme", "2026-01-02", "2001:db8:1::/48")
        );
        assert_eq!(
            net(&s, "2001:db8:2::"),
            owned("host", "2026-01-01", "2001:db8::/32")
        );
        assert_eq!(net(&s, "2001:db9::"), None);
        assert_eq!(
            net(&s, "::ffff:198.51.100.9"),
            owned("acme", "2026-01-02", "198.51.100.0/24")
        );
    }

    #[test]
    fn lookups_by_id() {
        let s = set();
        assert_eq!(s.schema_version(), SCHEMA_VERSION);
        assert_eq!(s.data_version(), "test-1");
        assert_eq!(
            s.service("stats").map(|x| x.category),
            Some(Category::Analytics)
        );
        assert_eq!(s.vendor("host").map(|v| v.name.as_str()), Some("Host"));
        assert!(s.service("nope").is_none());
        assert!(s.vendor("chat").is_none());
        let ids: Vec<&str> = s.services().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["chat", "stats"]);
        let vendors: Vec<&str> = s.vendors().map(|v| v.id.as_str()).collect();
        assert_eq!(vendors, ["acme", "host"]);
        assert_eq!(s.network_lists().count(), 2);
    }
}
