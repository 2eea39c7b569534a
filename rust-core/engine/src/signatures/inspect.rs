//! Questions about a signature set rather than about traffic, for `telltale signatures`: which
//! rule a name or an address meets and why the others lost (`lookup`), what in the data looks
//! wrong (`check`), and how much there is (`list`, `stats`).

use std::net::IpAddr;

use serde::Serialize;

use super::model::{DomainRule, EndpointRule, NameMatch, NetMatch, RuleMatch, Service, Vendor};
use super::{Signatures, prefix_trie};

/// Multi-label public suffixes under which anyone can register a name (the ICANN section of the
/// Public Suffix List, publicsuffix.org, for the countries where Tencent's and ByteDance's
/// users are, and common others). A rule for one of them would match every company registered
/// below it. Single-label ones (`com`, `cn`) are refused by the loader already.
const PUBLIC_SUFFIXES: &[&str] = &[
    "ac.cn", "com.cn", "edu.cn", "gov.cn", "mil.cn", "net.cn", "org.cn", "bj.cn", "sh.cn", "gd.cn",
    "com.hk", "edu.hk", "gov.hk", "idv.hk", "net.hk", "org.hk", "com.mo", "net.mo", "org.mo",
    "com.tw", "edu.tw", "gov.tw", "idv.tw", "net.tw", "org.tw", "com.sg", "edu.sg", "gov.sg",
    "net.sg", "org.sg", "com.my", "net.my", "org.my", "co.id", "or.id", "web.id", "co.th", "in.th",
    "or.th", "com.vn", "net.vn", "com.ph", "co.jp", "ne.jp", "or.jp", "ac.jp", "co.kr", "or.kr",
    "ne.kr", "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.in",
    "net.in", "com.br", "com.tr", "com.ru", "co.za", "com.mx",
];

/// Network lists more than this many days older than the set's data version are flagged:
/// routes move, and a stale list names the wrong owner.
const STALE_LIST_DAYS: i64 = 3 * 365;

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The data is wrong and must be fixed: `check` fails.
    Error,
    /// Probably wrong, or worth a second look.
    Warning,
    /// For information: a user's layer replaced a built-in entry.
    Note,
}

/// Something `check` found in a set that loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// How serious it is.
    pub level: Level,
    /// `file:line` of the entry.
    pub place: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

/// What a lookup of a host name found.
#[derive(Debug)]
pub struct NameLookup<'a> {
    /// The rule that names the host: the longest suffix of it, by whole labels.
    pub winner: Option<NameMatch<'a>>,
    /// Shorter rules that also match, longest first; the winner is more specific.
    pub shorter: Vec<NameMatch<'a>>,
    /// More specific rules below the name, which it does not fall under (at most
    /// [`NameLookup::MAX_LISTED`]), and how many there are in all.
    pub longer: (Vec<NameMatch<'a>>, usize),
    /// Rules whose suffix appears in the name but not as its last whole labels
    /// (`notqq.com`, `qq.com.evil.example`), longest first: they do not match.
    pub near_misses: Vec<NameMatch<'a>>,
    /// The name has an empty label (`.qq.com`, `a..qq.com`), so nothing can match it.
    pub malformed: bool,
}

impl NameLookup<'_> {
    /// How many of the longer rules a lookup lists.
    pub const MAX_LISTED: usize = 8;
}

/// What a lookup of an address found.
#[derive(Debug)]
pub struct AddrLookup<'a> {
    /// Documented service addresses equal to it, for any port.
    pub endpoints: Vec<RuleMatch<'a, EndpointRule>>,
    /// Every network prefix holding it, longest first: the first wins.
    pub networks: Vec<NetMatch<'a>>,
}

/// How many rules of each kind name one service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceCounts<'a> {
    /// The service.
    pub service: &'a Service,
    /// Domain rules.
    pub domains: usize,
    /// Endpoint (address) rules.
    pub endpoints: usize,
    /// Protocol rules.
    pub protocols: usize,
    /// Payload rules.
    pub payloads: usize,
}

impl ServiceCounts<'_> {
    fn total(&self) -> usize {
        self.domains + self.endpoints + self.protocols + self.payloads
    }
}

/// The size of one vendor's data.
#[derive(Debug, Clone, Serialize)]
pub struct VendorStats<'a> {
    /// The vendor.
    pub vendor: &'a Vendor,
    /// Its services, affiliates included.
    pub services: usize,
    /// How many of them are separate companies it holds a stake in.
    pub affiliates: usize,
    /// Domain rules.
    pub domains: usize,
    /// Endpoint rules.
    pub endpoints: usize,
    /// Protocol rules.
    pub protocols: usize,
    /// Payload rules.
    pub payloads: usize,
    /// Network lists.
    pub network_lists: usize,
    /// IPv4 prefixes in them.
    pub v4_prefixes: usize,
    /// IPv6 prefixes in them.
    pub v6_prefixes: usize,
}

impl Signatures {
    /// Every rule relevant to a host name: the one that wins, the shorter ones it beats, the
    /// more specific ones the name is not under, and look-alikes that do not match.
    pub fn lookup_name(&self, name: &str) -> NameLookup<'_> {
        let matched: Vec<usize> = self.names.matches(name).collect();
        let mut shorter: Vec<NameMatch<'_>> =
            matched.iter().filter_map(|&i| self.rule_match(i)).collect();
        let winner = shorter.pop();
        shorter.reverse();
        let bare = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        let malformed = bare.is_empty() || bare.split('.').any(str::is_empty);
        let below = format!(".{bare}");
        let mut longer: Vec<NameMatch<'_>> = (0..self.rules.len())
            .filter(|i| !matched.contains(i))
            .filter_map(|i| self.rule_match(i))
            .filter(|m| !malformed && m.rule.suffix.ends_with(&below))
            .collect();
        longer.sort_by_key(|m| m.rule.suffix.len());
        let longer_total = longer.len();
        longer.truncate(NameLookup::MAX_LISTED);
        let mut near_misses: Vec<NameMatch<'_>> = (0..self.rules.len())
            .filter(|i| !matched.contains(i))
            .filter_map(|i| self.rule_match(i))
            .filter(|m| bare.contains(m.rule.suffix.as_str()) && bare != m.rule.suffix)
            .filter(|m| !m.rule.suffix.ends_with(&below))
            .collect();
        // The closest look-alike, the longest, first.
        near_misses.sort_by_key(|m| std::cmp::Reverse(m.rule.suffix.len()));
        NameLookup {
            winner,
            shorter,
            longer: (longer, longer_total),
            near_misses,
            malformed,
        }
    }

    /// Every rule relevant to an address: documented service addresses equal to it and every
    /// network prefix holding it.
    pub fn lookup_addr(&self, addr: IpAddr) -> AddrLookup<'_> {
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            IpAddr::V4(_) => addr,
        };
        let endpoints = self
            .endpoints
            .get(&addr)
            .into_iter()
            .flatten()
            .filter_map(|(rule, service)| self.with_service(rule, *service))
            .collect();
        let key = prefix_trie::key(addr);
        let mut held: Vec<_> = self
            .prefixes
            .iter()
            .filter(|(_, p)| p.addr.is_ipv4() == addr.is_ipv4() && p.contains(key))
            .collect();
        held.sort_by_key(|(_, p)| std::cmp::Reverse(p.len));
        let networks = held
            .into_iter()
            .filter_map(|(list, prefix)| {
                Some(NetMatch {
                    list: self.lists.get(*list)?,
                    vendor: self.vendors.get(*self.list_vendor.get(*list)?)?,
                    prefix: prefix.to_string(),
                })
            })
            .collect();
        AddrLookup {
            endpoints,
            networks,
        }
    }

    /// Per service, in set order, how many rules of each kind name it.
    pub fn service_counts(&self) -> Vec<ServiceCounts<'_>> {
        // Per service: domains, endpoints, protocols, payloads.
        let mut n = vec![[0usize; 4]; self.services.len()];
        let endpoints = self.endpoints.values().flatten().map(|(_, s)| (*s, 1));
        let protocols = self.protocols.values().map(|(_, s)| (*s, 2));
        let kinds = self.rule_service.iter().map(|&s| (s, 0)).chain(endpoints);
        let kinds = kinds
            .chain(protocols)
            .chain(self.payload_service.iter().map(|&s| (s, 3)));
        for (service, kind) in kinds {
            if let Some(c) = n.get_mut(service).and_then(|c| c.get_mut(kind)) {
                *c += 1;
            }
        }
        self.services
            .iter()
            .zip(n)
            .map(
                |(service, [domains, endpoints, protocols, payloads])| ServiceCounts {
                    service,
                    domains,
                    endpoints,
                    protocols,
                    payloads,
                },
            )
            .collect()
    }

    /// Per vendor, in set order, the size of its data.
    pub fn vendor_stats(&self) -> Vec<VendorStats<'_>> {
        let counts = self.service_counts();
        self.vendors
            .iter()
            .map(|vendor| {
                let own: Vec<&ServiceCounts<'_>> = counts
                    .iter()
                    .filter(|c| c.service.vendor == vendor.id)
                    .collect();
                let sum = |f: fn(&ServiceCounts<'_>) -> usize| own.iter().map(|c| f(c)).sum();
                let lists: Vec<_> = self
                    .lists
                    .iter()
                    .filter(|l| l.vendor == vendor.id)
                    .collect();
                let family = |v4: bool| {
                    lists
                        .iter()
                        .flat_map(|l| &l.prefixes)
                        .filter(|p| p.contains(':') != v4)
                        .count()
                };
                VendorStats {
                    vendor,
                    services: own.len(),
                    affiliates: own.iter().filter(|c| c.service.affiliate).count(),
                    domains: sum(|c| c.domains),
                    endpoints: sum(|c| c.endpoints),
                    protocols: sum(|c| c.protocols),
                    payloads: sum(|c| c.payloads),
                    network_lists: lists.len(),
                    v4_prefixes: family(true),
                    v6_prefixes: family(false),
                }
            })
            .collect()
    }

    /// What looks wrong in the set beyond what the loader refuses: rules for public suffixes,
    /// rules that add nothing, rules and prefixes inside another vendor's, app packages two
    /// vendors claim, services nothing names, rules without examples, stale network lists; and,
    /// as notes, the entries a user's layer replaced. Errors first.
    pub fn check(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let at = |r: &DomainRule| format!("{}:{}", r.file, r.line);
        for (i, rule) in self.rules.iter().enumerate() {
            let problem = |level, message| Problem {
                level,
                place: at(rule),
                message,
            };
            if PUBLIC_SUFFIXES.contains(&rule.suffix.as_str()) {
                out.push(problem(
                    Level::Error,
                    format!(
                        "`{}` is a public suffix: the rule would match every company registered under it",
                        rule.suffix
                    ),
                ));
            }
            if rule.examples.is_empty() {
                out.push(problem(
                    Level::Warning,
                    format!("`{}` has no example name", rule.suffix),
                ));
            }
            let parent = self
                .names
                .matches(&rule.suffix)
                .filter(|&p| p != i)
                .last()
                .and_then(|p| Some((self.rules.get(p)?, *self.rule_service.get(p)?)));
            let Some((parent, parent_service)) = parent else {
                continue;
            };
            let service = self.rule_service.get(i).copied();
            let vendor_of = |s: usize| self.service_vendor.get(s).copied();
            // A rule of the same service documents its host through its note; only one that
            // repeats the shorter rule's note and tags says nothing new.
            if service == Some(parent_service)
                && rule.tags == parent.tags
                && rule.note == parent.note
            {
                out.push(problem(
                    Level::Warning,
                    format!(
                        "`{}` adds nothing: `{}` ({}) already names it for the same service",
                        rule.suffix,
                        parent.suffix,
                        at(parent)
                    ),
                ));
            } else if service.and_then(vendor_of) != vendor_of(parent_service) {
                out.push(problem(
                    Level::Warning,
                    format!(
                        "`{}` ({}) lies inside `{}` ({}) of vendor {}: names under it change owner",
                        rule.suffix,
                        rule.service,
                        parent.suffix,
                        parent.service,
                        self.vendor_id_of(parent_service)
                    ),
                ));
            }
        }
        self.check_networks(&mut out);
        self.check_vendors_and_services(&mut out);
        for o in &self.overrides {
            out.push(Problem {
                level: Level::Note,
                place: o.by.clone(),
                message: format!("replaces the {} at {}", o.entry, o.replaced),
            });
        }
        out.sort_by_key(|p| p.level);
        out
    }

    fn check_networks(&self, out: &mut Vec<Problem>) {
        let set_day = days(&self.data_version);
        for (list_index, list) in self.lists.iter().enumerate() {
            let place = format!("{}:{}", list.file, list.line);
            if let (Some(set_day), Some(day)) = (set_day, days(&list.date))
                && set_day - day > STALE_LIST_DAYS
            {
                out.push(Problem {
                        level: Level::Warning,
                        place: place.clone(),
                        message: format!(
                            "the network list of {} dates from {}, more than {} years before the data version",
                            list.vendor,
                            list.date,
                            STALE_LIST_DAYS / 365
                        ),
                    });
            }
            // A prefix inside another vendor's prefix: longest match decides, which may be
            // right (a customer's block) but deserves a look.
            for (l, p) in self.prefixes.iter().filter(|(l, _)| *l == list_index) {
                let outer = self.prefixes.iter().find(|(ol, op)| {
                    self.list_vendor.get(*ol) != self.list_vendor.get(*l)
                        && op.len < p.len
                        && op.addr.is_ipv4() == p.addr.is_ipv4()
                        && op.contains(p.key())
                });
                if let Some((ol, op)) = outer {
                    let other = self.lists.get(*ol).map_or("", |x| x.vendor.as_str());
                    out.push(Problem {
                        level: Level::Warning,
                        place: place.clone(),
                        message: format!(
                            "prefix {p} of {} lies inside {op} of {other}",
                            list.vendor
                        ),
                    });
                }
            }
        }
        for (rule, service) in self.endpoints.values().flatten() {
            let Some(net) = self.match_addr(rule.address) else {
                continue;
            };
            let vendor = self.vendor_id_of(*service);
            if net.vendor.id != vendor {
                out.push(Problem {
                    level: Level::Warning,
                    place: format!("{}:{}", rule.file, rule.line),
                    message: format!(
                        "endpoint {} of {vendor} lies in {} of {}'s network",
                        rule.address, net.prefix, net.vendor.id
                    ),
                });
            }
        }
    }

    fn check_vendors_and_services(&self, out: &mut Vec<Problem>) {
        for (i, a) in self.vendors.iter().enumerate() {
            for b in self.vendors.iter().skip(i + 1) {
                for pa in &a.app_packages {
                    for pb in &b.app_packages {
                        if pa.starts_with(pb.as_str()) || pb.starts_with(pa.as_str()) {
                            out.push(Problem {
                                level: Level::Error,
                                place: format!("vendor {}", b.id),
                                message: format!(
                                    "app package prefix `{pb}` overlaps `{pa}` of vendor {}",
                                    a.id
                                ),
                            });
                        }
                    }
                }
            }
        }
        for c in self.service_counts() {
            if c.total() == 0 {
                out.push(Problem {
                    level: Level::Warning,
                    place: format!("service {}", c.service.id),
                    message: format!("no rule names {}: it can never be reported", c.service.name),
                });
            }
        }
    }

    /// A domain rule by index with its service and vendor.
    fn rule_match(&self, i: usize) -> Option<NameMatch<'_>> {
        self.with_service(self.rules.get(i)?, *self.rule_service.get(i)?)
    }

    fn vendor_id_of(&self, service: usize) -> &str {
        self.service_vendor
            .get(service)
            .and_then(|v| self.vendors.get(*v))
            .map_or("", |v| v.id.as_str())
    }
}

/// Days since 0000-03-01 of a `YYYY-MM-DD` date, for differences; `None` for anything else.
fn days(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if date.len() != 10 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Months from March, so that the leap day falls at the end of the year.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    Some(y * 365 + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = r#"schema_version = 1

[set]
data_version = "2026-11-26"
description = "Two test vendors."

[[vendor]]
id = "acme"
name = "Acme"
description = "A test vendor."
source = "test"
app_packages = ["com.acme."]

[[vendor]]
id = "globex"
name = "Globex"
description = "Another."
source = "test"
app_packages = ["com.acme.globex."]

[[service]]
id = "chat"
vendor = "acme"
name = "Acme Chat"
category = "messaging"
description = "Chat."
source = "test"

[[service]]
id = "ads"
vendor = "globex"
name = "Globex Ads"
category = "ads"
description = "Ads."
source = "test"

[[service]]
id = "idle"
vendor = "globex"
name = "Globex Idle"
category = "other"
description = "Nothing names it."
source = "test"

[[domain]]
suffix = "acme.example"
service = "chat"
note = "n"
source = "s"
examples = ["acme.example"]

[[domain]]
suffix = "img.acme.example"
service = "chat"
note = "n"
source = "s"
examples = ["img.acme.example"]

[[domain]]
suffix = "www.acme.example"
service = "chat"
note = "the web site"
source = "s"
examples = ["www.acme.example"]

[[domain]]
suffix = "ads.acme.example"
service = "ads"
note = "n"
source = "s"
examples = ["ads.acme.example"]

[[domain]]
suffix = "com.cn"
service = "ads"
note = "n"
source = "s"

[[endpoint]]
address = "198.51.100.53"
service = "ads"
note = "n"
source = "s"

[[network]]
vendor = "acme"
date = "2020-01-01"
source = "s"
prefixes = ["198.51.0.0/16"]

[[network]]
vendor = "globex"
date = "2026-01-01"
source = "s"
prefixes = ["198.51.100.0/24", "2001:db8::/32"]
"#;

    fn set() -> Signatures {
        Signatures::from_texts([("set.toml".to_string(), SET.to_string())]).unwrap()
    }

    fn suffixes(list: &[NameMatch<'_>]) -> Vec<String> {
        list.iter().map(|m| m.rule.suffix.clone()).collect()
    }

    #[test]
    fn a_name_lookup_explains_winner_and_losers() {
        let s = set();
        let l = s.lookup_name("x.ads.acme.example");
        assert_eq!(l.winner.unwrap().rule.suffix, "ads.acme.example");
        assert_eq!(suffixes(&l.shorter), ["acme.example"]);
        assert!(l.longer.0.is_empty() && l.near_misses.is_empty() && !l.malformed);

        let l = s.lookup_name("Acme.Example.");
        assert_eq!(l.winner.unwrap().rule.suffix, "acme.example");
        assert_eq!(
            suffixes(&l.longer.0),
            ["img.acme.example", "www.acme.example", "ads.acme.example"]
        );
        assert_eq!(l.longer.1, 3);

        let l = s.lookup_name("notacme.example");
        assert!(l.winner.is_none());
        assert_eq!(suffixes(&l.near_misses), ["acme.example"]);
        let l = s.lookup_name("acme.example.evil.test");
        assert!(l.winner.is_none());
        assert_eq!(suffixes(&l.near_misses), ["acme.example"]);

        let l = s.lookup_name("a..acme.example");
        assert!(l.winner.is_none() && l.malformed && l.longer.0.is_empty());
    }

    #[test]
    fn an_address_lookup_lists_endpoints_and_every_prefix() {
        let s = set();
        let l = s.lookup_addr("198.51.100.53".parse().unwrap());
        assert_eq!(l.endpoints.len(), 1);
        assert_eq!(l.endpoints[0].service.id, "ads");
        let prefixes: Vec<(&str, &str)> = l
            .networks
            .iter()
            .map(|n| (n.prefix.as_str(), n.vendor.id.as_str()))
            .collect();
        assert_eq!(
            prefixes,
            [("198.51.100.0/24", "globex"), ("198.51.0.0/16", "acme")]
        );
        let mapped = s.lookup_addr("::ffff:198.51.1.1".parse().unwrap());
        assert_eq!(mapped.networks.len(), 1);
        assert!(
            s.lookup_addr("203.0.113.1".parse().unwrap())
                .networks
                .is_empty()
        );
    }

    #[test]
    fn check_finds_what_the_loader_lets_through() {
        let found: Vec<(Level, String)> = set()
            .check()
            .into_iter()
            .map(|p| (p.level, format!("{}: {}", p.place, p.message)))
            .collect();
        let expected = [
            (
                Level::Error,
                "set.toml:74: `com.cn` is a public suffix: the rule would match every company registered under it",
            ),
            (
                Level::Error,
                "vendor globex: app package prefix `com.acme.globex.` overlaps `com.acme.` of vendor acme",
            ),
            (
                Level::Warning,
                "set.toml:53: `img.acme.example` adds nothing: `acme.example` (set.toml:46) already names it for the same service",
            ),
            (
                Level::Warning,
                "set.toml:67: `ads.acme.example` (ads) lies inside `acme.example` (chat) of vendor acme: names under it change owner",
            ),
            (Level::Warning, "set.toml:74: `com.cn` has no example name"),
            (
                Level::Warning,
                "set.toml:86: the network list of acme dates from 2020-01-01, more than 3 years before the data version",
            ),
            (
                Level::Warning,
                "set.toml:92: prefix 198.51.100.0/24 of globex lies inside 198.51.0.0/16 of acme",
            ),
            (
                Level::Warning,
                "service idle: no rule names Globex Idle: it can never be reported",
            ),
        ];
        let expected: Vec<(Level, String)> = expected
            .iter()
            .map(|(l, m)| (*l, (*m).to_string()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn counts_per_service_and_vendor() {
        let s = set();
        let counts: Vec<(&str, usize, usize)> = s
            .service_counts()
            .iter()
            .map(|c| (c.service.id.as_str(), c.domains, c.endpoints))
            .collect();
        assert_eq!(counts, [("chat", 3, 0), ("ads", 2, 1), ("idle", 0, 0)]);
        let stats: Vec<(&str, usize, usize, usize, usize)> = s
            .vendor_stats()
            .iter()
            .map(|v| {
                (
                    v.vendor.id.as_str(),
                    v.services,
                    v.domains,
                    v.v4_prefixes,
                    v.v6_prefixes,
                )
            })
            .collect();
        assert_eq!(stats, [("acme", 1, 3, 1, 0), ("globex", 2, 2, 1, 1)]);
    }

    #[test]
    fn day_numbers() {
        assert_eq!(
            days("2026-03-01")
                .zip(days("2026-02-28"))
                .map(|(a, b)| a - b),
            Some(1)
        );
        assert_eq!(
            days("2024-03-01")
                .zip(days("2024-02-28"))
                .map(|(a, b)| a - b),
            Some(2)
        );
        assert_eq!(
            days("2026-11-26")
                .zip(days("2025-11-26"))
                .map(|(a, b)| a - b),
            Some(365)
        );
        assert_eq!(days("2026-13-01"), None);
        assert_eq!(days("26-11-2026"), None);
        assert_eq!(days("test-1"), None);
    }
}
