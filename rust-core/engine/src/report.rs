//! The per-app exposure report: flow records folded into what each app contacted and exposed,
//! with an exposure level a non-engineer can read. The JSON form is documented in
//! `docs/report-schema.md`; its ids are stable for the same input.

use crate::app::{AppInfo, AppKey};
use crate::attribution::Basis;
use crate::finding::{Finding, FindingKind, Severity};
use crate::record::FlowRecord;
use crate::signatures::{Category, LayerInfo, Signatures};
use crate::tokens::TokenUse;
use core::net::IpAddr;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use telltale_wire::Timestamp;

/// Report schema id; bumped on incompatible changes.
pub const SCHEMA: &str = "telltale.report/1";
/// Apps reported separately; flows of further apps are reported under `uid:-1`.
const MAX_APPS: usize = 4096;
/// Distinct findings kept per app; further ones are counted in `findings_dropped`.
const MAX_FINDINGS: usize = 512;
/// Names, prefixes and flow ids listed per entry.
const MAX_LISTED: usize = 16;

/// Counters over the whole input.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// IP packets given to the engine (tunnelled packets count once).
    pub packets: u64,
    /// Their bytes as captured.
    pub bytes: u64,
    /// Flows seen.
    pub flows: u64,
    /// Flows evicted early to keep the flow table within its limit.
    pub flows_evicted: u64,
    /// Packets that were not IPv4/IPv6 or whose headers did not parse.
    pub undecodable_packets: u64,
    /// Packets captured shorter than their IP length (snap length).
    pub truncated_packets: u64,
    /// IP packets rebuilt from fragments.
    pub fragments_reassembled: u64,
    /// Fragments dropped (over limits or inconsistent).
    pub fragments_dropped: u64,
    /// Flows whose apps exceeded the app limit and were reported under `uid:-1`.
    pub flows_of_overflow_apps: u64,
}

/// Exposure level of an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Nothing exposed beyond context.
    None,
    /// Metadata exposed: names of services, lookups.
    Low,
    /// Content or weak protection exposed.
    Medium,
    /// Identifiers, location or code exposed, or protection broken.
    High,
}

impl Level {
    /// The level of an app whose most serious finding has `severity`.
    pub fn from_severity(severity: Option<Severity>) -> Level {
        match severity {
            Some(Severity::High) => Level::High,
            Some(Severity::Medium) => Level::Medium,
            Some(Severity::Low) => Level::Low,
            Some(Severity::Info) | None => Level::None,
        }
    }

    /// Plain name for terminals and UIs.
    pub fn label(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// Level and the one-sentence reason for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Level.
    pub level: Level,
    /// Why, in one sentence.
    pub reason: String,
}

/// One app's part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    /// Stable app id: `uid:<n>` or `addr:<address>`.
    pub id: String,
    /// Android uid, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<i32>,
    /// Package name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// App label, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Device address, for apps identified by address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<IpAddr>,
    /// Exposure level and reason.
    pub exposure: Exposure,
    /// Flows.
    pub flows: u64,
    /// Packets sent.
    pub packets_up: u64,
    /// Packets received.
    pub packets_down: u64,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
    /// Vendors (Tencent ...) contacted, with their services.
    pub vendors: Vec<VendorReport>,
    /// Findings, most serious first.
    pub findings: Vec<FindingReport>,
    /// Distinct findings beyond the per-app limit, not listed.
    pub findings_dropped: u64,
}

/// What an app exchanged with one vendor.
#[derive(Debug, Clone, Serialize)]
pub struct VendorReport {
    /// Vendor id.
    pub id: String,
    /// Vendor name.
    pub name: String,
    /// Services reached or looked up.
    pub services: Vec<ServiceReport>,
    /// Flows to the vendor's network with no service identified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_only: Option<NetworkReport>,
}

/// What an app exchanged with one service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceReport {
    /// Service id.
    pub id: String,
    /// Service name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// What the service is, in plain words.
    pub description: String,
    /// A separate company the vendor holds a stake in.
    pub affiliate: bool,
    /// Connections to the service (DNS lookups not counted).
    pub connections: u64,
    /// DNS flows that looked up the service's names.
    pub lookups: u64,
    /// Bytes sent to it.
    pub bytes_up: u64,
    /// Bytes received from it.
    pub bytes_down: u64,
    /// Evidence kinds the attributions rest on.
    pub basis: BTreeSet<Basis>,
    /// Names seen (first few).
    pub names: BTreeSet<String>,
    /// True when the app is known not to be the vendor's own: the traffic comes from a kit
    /// (SDK) of the vendor's built into the app. Absent when the app's package is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kit_in_app: Option<bool>,
}

/// Flows that reached a vendor's network without an identified service.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NetworkReport {
    /// Flows.
    pub flows: u64,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
    /// Prefixes matched (first few).
    pub prefixes: BTreeSet<String>,
}

/// A finding of an app, folded over all flows where it was seen.
#[derive(Debug, Clone, Serialize)]
pub struct FindingReport {
    /// Stable id for this finding in this app.
    pub id: String,
    /// The first occurrence: kind, severity, vendor, service, summary and evidence.
    #[serde(flatten)]
    pub finding: Finding,
    /// Plain-language explanation of the kind.
    pub explanation: &'static str,
    /// Occurrences.
    pub count: u64,
    /// First occurrence, serialised in RFC 3339.
    #[serde(serialize_with = "as_text")]
    pub first_seen: Timestamp,
    /// Last occurrence, serialised in RFC 3339.
    #[serde(serialize_with = "as_text")]
    pub last_seen: Timestamp,
    /// Ids of the first flows where it was seen.
    pub flows: Vec<u64>,
}

/// Which signature set a report used.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureSetInfo {
    /// Schema version of the signature files.
    pub schema_version: u32,
    /// Data version (date) of the set.
    pub data_version: String,
    /// Id of exactly this data ([`Signatures::id`]).
    pub id: String,
    /// The layers the set was loaded from: built-in, then a user's directory.
    pub layers: Vec<LayerInfo>,
    /// How many entries a user's layer replaced.
    pub overrides: usize,
}

impl SignatureSetInfo {
    /// What a report records about `sigs`.
    pub fn of(sigs: &Signatures) -> SignatureSetInfo {
        SignatureSetInfo {
            schema_version: sigs.schema_version(),
            data_version: sigs.data_version().to_owned(),
            id: sigs.id().to_owned(),
            layers: sigs.layers().to_vec(),
            overrides: sigs.overrides().len(),
        }
    }
}

/// A problem with part of the input that did not stop the analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputWarning {
    /// Byte offset in the input where it was found.
    pub offset: u64,
    /// What is wrong.
    pub message: String,
}

/// What was analysed, as the caller that read the input describes it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputInfo {
    /// File name or device.
    pub source: String,
    /// Format (`pcap`, `pcapng`, `tun` ...).
    pub format: String,
    /// Records (packets) read.
    pub records: u64,
    /// Parts of the input that were damaged or cut short.
    pub warnings: Vec<InputWarning>,
}

/// The exposure report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema id.
    pub schema: &'static str,
    /// What was analysed; set by the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<InputInfo>,
    /// Signature set used.
    pub signatures: SignatureSetInfo,
    /// Whole-input counters.
    pub totals: Totals,
    /// Apps, most exposed first.
    pub apps: Vec<AppReport>,
}

#[derive(Debug, Clone)]
struct FindingAgg {
    first: Finding,
    count: u64,
    first_ts: Timestamp,
    last_ts: Timestamp,
    flows: Vec<u64>,
}

#[derive(Debug, Clone, Default)]
struct ServiceAgg {
    connections: u64,
    lookups: u64,
    bytes_up: u64,
    bytes_down: u64,
    basis: BTreeSet<Basis>,
    names: BTreeSet<String>,
}

/// Serialises a value as its `Display` text, without an intermediate string.
pub(crate) fn as_text<T: core::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// What makes two findings of an app the same one: kind, vendor, service and summary.
fn same_finding(a: &Finding, b: &Finding) -> bool {
    a.kind == b.kind && a.vendor == b.vendor && a.service == b.service && a.summary == b.summary
}

/// A hash of what [`same_finding`] compares, to find a finding without building a key. It
/// runs for every finding of every flow, so it uses a fast hash; it never leaves the process.
fn finding_key(f: &Finding) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one((f.kind, &f.vendor, &f.service, &f.summary))
}

#[derive(Debug, Clone, Default)]
struct AppAgg {
    flows: u64,
    packets_up: u64,
    packets_down: u64,
    bytes_up: u64,
    bytes_down: u64,
    services: BTreeMap<String, ServiceAgg>,
    networks: BTreeMap<String, NetworkReport>,
    findings: BTreeMap<u64, FindingAgg>,
    findings_dropped: u64,
}

/// Flow records folded per app; cheap to clone for snapshots.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    apps: BTreeMap<AppKey, AppAgg>,
    overflow_flows: u64,
}

fn insert_bounded(set: &mut BTreeSet<String>, v: &str) {
    if set.len() < MAX_LISTED && !set.contains(v) {
        set.insert(v.to_owned());
    }
}

impl Aggregate {
    /// Folds one flow record in.
    pub fn add(&mut self, r: &FlowRecord) {
        self.fold(r, r.findings.iter().map(Cow::Borrowed));
    }

    /// Folds one flow record in that is not kept: its findings move into the report instead
    /// of being copied.
    pub fn add_owned(&mut self, mut r: FlowRecord) {
        let findings = std::mem::take(&mut r.findings);
        self.fold(&r, findings.into_iter().map(Cow::Owned));
    }

    fn fold<'f>(&mut self, r: &FlowRecord, findings: impl Iterator<Item = Cow<'f, Finding>>) {
        let key = if self.apps.len() >= MAX_APPS && !self.apps.contains_key(&r.app) {
            self.overflow_flows += 1;
            AppKey::Uid(-1)
        } else {
            r.app
        };
        let app = self.apps.entry(key).or_default();
        app.flows += 1;
        app.packets_up += r.packets_up;
        app.packets_down += r.packets_down;
        app.bytes_up += r.bytes_up;
        app.bytes_down += r.bytes_down;
        if let Some(a) = &r.attribution {
            let s = app.services.entry(a.service.clone()).or_default();
            if a.basis == Basis::DnsQuery {
                s.lookups += 1;
            } else {
                s.connections += 1;
                s.bytes_up += r.bytes_up;
                s.bytes_down += r.bytes_down;
            }
            s.basis.insert(a.basis);
            insert_bounded(&mut s.names, &a.name);
        }
        if let Some(n) = &r.network {
            let same_vendor = r.attribution.as_ref().is_some_and(|a| a.vendor == n.vendor);
            if !same_vendor {
                let net = app.networks.entry(n.vendor.clone()).or_default();
                net.flows += 1;
                net.bytes_up += r.bytes_up;
                net.bytes_down += r.bytes_down;
                insert_bounded(&mut net.prefixes, &n.prefix);
            }
        }
        for f in findings {
            let k = finding_key(&f);
            // A 64-bit collision between different findings is counted as dropped, not merged.
            if let Some(agg) = app
                .findings
                .get_mut(&k)
                .filter(|a| same_finding(&a.first, &f))
            {
                agg.count += 1;
                agg.first_ts = agg.first_ts.min(r.first_seen);
                agg.last_ts = agg.last_ts.max(r.last_seen);
                if agg.flows.len() < MAX_LISTED && !agg.flows.contains(&r.id) {
                    agg.flows.push(r.id);
                }
            } else if app.findings.len() < MAX_FINDINGS && !app.findings.contains_key(&k) {
                app.findings.insert(
                    k,
                    FindingAgg {
                        first: f.into_owned(),
                        count: 1,
                        first_ts: r.first_seen,
                        last_ts: r.last_seen,
                        flows: vec![r.id],
                    },
                );
            } else {
                app.findings_dropped += 1;
            }
        }
    }

    /// Adds a `linkable-token` finding for every token seen in clear on several connections.
    pub fn add_tokens(&mut self, tokens: &[&TokenUse], sigs: &Signatures) {
        for t in tokens {
            let mut f = Finding::new(
                FindingKind::LinkableToken,
                Severity::Medium,
                format!(
                    "the same {} ({}) was sent in clear on {} connections",
                    t.what, t.id, t.connections
                ),
            )
            .with("token", &t.id)
            .with("connections", t.connections.to_string());
            if let Some(p) = sigs.protocol(t.protocol) {
                f.vendor = Some(p.vendor.id.clone());
                f.service = Some(p.service.id.clone());
            }
            let key = if self.apps.len() >= MAX_APPS && !self.apps.contains_key(&t.app) {
                AppKey::Uid(-1)
            } else {
                t.app
            };
            let app = self.apps.entry(key).or_default();
            if app.findings.len() >= MAX_FINDINGS {
                app.findings_dropped += 1;
                continue;
            }
            app.findings.insert(
                finding_key(&f),
                FindingAgg {
                    first: f,
                    count: t.connections,
                    first_ts: t.first_seen,
                    last_ts: t.last_seen,
                    flows: t.flows.iter().copied().take(MAX_LISTED).collect(),
                },
            );
        }
    }

    /// Flows reported under `uid:-1` because of the app limit.
    pub fn overflow_flows(&self) -> u64 {
        self.overflow_flows
    }

    /// The report: apps most exposed first.
    pub fn report(
        self,
        sigs: &Signatures,
        app_info: &BTreeMap<i32, AppInfo>,
        totals: Totals,
    ) -> Report {
        let mut apps: Vec<AppReport> = self
            .apps
            .into_iter()
            .map(|(k, a)| app_report(k, a, sigs, app_info))
            .collect();
        apps.sort_by(|a, b| {
            b.exposure
                .level
                .cmp(&a.exposure.level)
                .then_with(|| b.vendors.len().cmp(&a.vendors.len()))
                .then_with(|| (b.bytes_up + b.bytes_down).cmp(&(a.bytes_up + a.bytes_down)))
                .then_with(|| a.id.cmp(&b.id))
        });
        Report {
            schema: SCHEMA,
            input: None,
            signatures: SignatureSetInfo::of(sigs),
            totals: Totals {
                flows_of_overflow_apps: self.overflow_flows,
                ..totals
            },
            apps,
        }
    }
}

/// FNV-1a, 64 bits: a stable, dependency-free hash for finding ids.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn app_report(
    key: AppKey,
    a: AppAgg,
    sigs: &Signatures,
    app_info: &BTreeMap<i32, AppInfo>,
) -> AppReport {
    let id = key.to_string();
    let mut vendors: BTreeMap<String, VendorReport> = BTreeMap::new();
    let vendor_entry = |vendors: &mut BTreeMap<String, VendorReport>, v: &str| {
        let name = sigs.vendor(v).map_or(v, |x| x.name.as_str()).to_owned();
        vendors.entry(v.to_owned()).or_insert_with(|| VendorReport {
            id: v.to_owned(),
            name,
            services: Vec::new(),
            network_only: None,
        });
    };
    let info = match key {
        AppKey::Uid(uid) => app_info.get(&uid).cloned().unwrap_or_default(),
        AppKey::Addr(_) => AppInfo::default(),
    };
    for (sid, s) in a.services {
        let Some(svc) = sigs.service(&sid) else {
            continue;
        };
        let kit_in_app = info
            .package
            .as_deref()
            .zip(sigs.vendor(&svc.vendor))
            .map(|(p, v)| !v.owns_package(p));
        vendor_entry(&mut vendors, &svc.vendor);
        if let Some(v) = vendors.get_mut(&svc.vendor) {
            v.services.push(ServiceReport {
                id: sid,
                name: svc.name.clone(),
                category: svc.category,
                description: svc.description.clone(),
                affiliate: svc.affiliate,
                connections: s.connections,
                lookups: s.lookups,
                bytes_up: s.bytes_up,
                bytes_down: s.bytes_down,
                basis: s.basis,
                names: s.names,
                kit_in_app,
            });
        }
    }
    for (vid, n) in a.networks {
        vendor_entry(&mut vendors, &vid);
        if let Some(v) = vendors.get_mut(&vid) {
            v.network_only = Some(n);
        }
    }
    for v in vendors.values_mut() {
        v.services.sort_by(|x, y| {
            (y.bytes_up + y.bytes_down, y.lookups)
                .cmp(&(x.bytes_up + x.bytes_down, x.lookups))
                .then_with(|| x.id.cmp(&y.id))
        });
    }
    let mut findings: Vec<FindingReport> = a
        .findings
        .into_values()
        .map(|f| FindingReport {
            id: format!(
                "{:016x}",
                fnv1a(&[
                    &id,
                    f.first.kind.id(),
                    f.first.vendor.as_deref().unwrap_or(""),
                    f.first.service.as_deref().unwrap_or(""),
                    &f.first.summary,
                ])
            ),
            explanation: f.first.kind.explanation(),
            finding: f.first,
            count: f.count,
            first_seen: f.first_ts,
            last_seen: f.last_ts,
            flows: f.flows,
        })
        .collect();
    findings.sort_by(|x, y| {
        let (a, b) = (&x.finding, &y.finding);
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| y.count.cmp(&x.count))
            .then_with(|| a.summary.cmp(&b.summary))
    });
    // The vendor the app exchanged most with comes first.
    let mut vendors: Vec<VendorReport> = vendors.into_values().collect();
    vendors.sort_by_cached_key(|v| {
        let service_bytes: u64 = v.services.iter().map(|s| s.bytes_up + s.bytes_down).sum();
        let network_bytes = v
            .network_only
            .as_ref()
            .map_or(0, |n| n.bytes_up + n.bytes_down);
        (
            std::cmp::Reverse(service_bytes + network_bytes),
            v.id.clone(),
        )
    });
    let contacted: Vec<VendorServices> = vendors
        .iter()
        .map(|v| {
            let services = v
                .services
                .iter()
                .filter(|s| s.connections > 0)
                .map(|s| (s.name.clone(), s.kit_in_app == Some(true)))
                .collect();
            (v.name.clone(), services)
        })
        .collect();
    let exposure = exposure(&findings, &contacted);
    AppReport {
        uid: match key {
            AppKey::Uid(u) => Some(u),
            AppKey::Addr(_) => None,
        },
        address: match key {
            AppKey::Addr(ip) => Some(ip),
            AppKey::Uid(_) => None,
        },
        id,
        package: info.package,
        name: info.name,
        exposure,
        flows: a.flows,
        packets_up: a.packets_up,
        packets_down: a.packets_down,
        bytes_up: a.bytes_up,
        bytes_down: a.bytes_down,
        vendors,
        findings,
        findings_dropped: a.findings_dropped,
    }
}

/// Names joined as English lists them: "A", "A and B", "A, B and C".
fn english_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The Tencent services an app exchanged data with, for its exposure reason: `(name, through a
/// kit built into the app)`. Kits are said as such, since the app's maker chose them, not the
/// user: "WeChat", "Bugly, through a kit built into the app", "Tencent Cloud; Bugly and
/// Tencent Map, through kits built into the app".
fn services_phrase(services: &[(String, bool)]) -> String {
    let names = |kit: bool| -> Vec<&str> {
        services
            .iter()
            .filter(|s| s.1 == kit)
            .map(|s| s.0.as_str())
            .collect()
    };
    let (own, kits) = (names(false), names(true));
    let kits = match kits.len() {
        0 => String::new(),
        1 => format!("{}, through a kit built into the app", kits[0]),
        _ => format!("{}, through kits built into the app", english_list(&kits)),
    };
    match (own.is_empty(), kits.is_empty()) {
        (_, true) => english_list(&own),
        (true, false) => kits,
        (false, false) => format!("{}; {kits}", english_list(&own)),
    }
}

/// The services of one vendor an app exchanged data with, for its exposure reason: the vendor's
/// name and `(service name, through a kit built into the app)`.
pub type VendorServices = (String, Vec<(String, bool)>);

/// Each vendor's services: "Tencent services (WeChat) and ByteDance services (Pangle, through
/// a kit built into the app)".
fn vendors_phrase(vendors: &[VendorServices]) -> String {
    let parts: Vec<String> = vendors
        .iter()
        .filter(|(_, services)| !services.is_empty())
        .map(|(name, services)| format!("{name} services ({})", services_phrase(services)))
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    english_list(&parts)
}

/// The exposure level is the severity of the app's most serious finding (info counts as none);
/// the reason names that finding's kind and, when the app exchanged data with a watched
/// vendor's services and that is not already the reason, which ones.
pub fn exposure(findings: &[FindingReport], vendors: &[VendorServices]) -> Exposure {
    let top = findings
        .iter()
        .map(|f| &f.finding)
        .filter(|f| f.severity > Severity::Info)
        .max_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then_with(|| b.kind.cmp(&a.kind))
        });
    let level = Level::from_severity(top.map(|f| f.severity));
    let services = vendors_phrase(vendors);
    let contact = |k| matches!(k, FindingKind::TencentContact | FindingKind::VendorContact);
    let reason = match (top, services.is_empty()) {
        (None, true) => "No exposure was found in the traffic seen.".to_owned(),
        (None, false) => format!("No exposure was found; it exchanged data with {services}."),
        (Some(f), false) if contact(f.kind) => {
            format!("This app exchanges data with {services}.")
        }
        (Some(f), true) => format!("This app {}.", f.kind.reason()),
        (Some(f), false) => format!(
            "This app {}, and it exchanges data with {services}.",
            f.kind.reason()
        ),
    };
    Exposure { level, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(list: &[(&str, bool)]) -> Vec<(String, bool)> {
        list.iter().map(|(n, k)| ((*n).to_owned(), *k)).collect()
    }

    fn tencent(list: &[(&str, bool)]) -> Vec<VendorServices> {
        vec![("Tencent".to_owned(), svc(list))]
    }

    #[test]
    fn services_are_listed_with_kits_said_as_such() {
        assert_eq!(services_phrase(&svc(&[])), "");
        assert_eq!(services_phrase(&svc(&[("WeChat", false)])), "WeChat");
        assert_eq!(
            services_phrase(&svc(&[
                ("WeChat", false),
                ("QQ", false),
                ("Weixin Pay", false)
            ])),
            "WeChat, QQ and Weixin Pay"
        );
        assert_eq!(
            services_phrase(&svc(&[("Bugly", true)])),
            "Bugly, through a kit built into the app"
        );
        assert_eq!(
            services_phrase(&svc(&[
                ("Tencent Cloud", false),
                ("Bugly", true),
                ("Tencent Map", true)
            ])),
            "Tencent Cloud; Bugly and Tencent Map, through kits built into the app"
        );
    }

    fn report_of(kind: FindingKind, severity: Severity) -> FindingReport {
        FindingReport {
            id: "f1".into(),
            finding: Finding::new(kind, severity, "s"),
            explanation: kind.explanation(),
            count: 1,
            first_seen: Timestamp::EPOCH,
            last_seen: Timestamp::EPOCH,
            flows: Vec::new(),
        }
    }

    #[test]
    fn the_most_important_finding_gives_the_reason() {
        let findings = [
            report_of(FindingKind::LegacyTls, Severity::High),
            report_of(FindingKind::LocationCleartext, Severity::High),
            report_of(FindingKind::CleartextDns, Severity::Low),
        ];
        let e = exposure(&findings, &tencent(&[("Tencent Map", true)]));
        assert_eq!(e.level, Level::High);
        assert_eq!(
            e.reason,
            "This app sends location data unencrypted, and it exchanges data with Tencent \
             services (Tencent Map, through a kit built into the app)."
        );
        let contact = [report_of(FindingKind::TencentContact, Severity::Low)];
        assert_eq!(
            exposure(&contact, &tencent(&[("WeChat", false)])).reason,
            "This app exchanges data with Tencent services (WeChat)."
        );
        let two = [
            tencent(&[("WeChat", false)]).remove(0),
            ("ByteDance".to_owned(), svc(&[("Pangle", true)])),
            ("Nobody".to_owned(), Vec::new()),
        ];
        let contact = [report_of(FindingKind::VendorContact, Severity::Low)];
        assert_eq!(
            exposure(&contact, &two).reason,
            "This app exchanges data with Tencent services (WeChat) and ByteDance services \
             (Pangle, through a kit built into the app)."
        );
        assert_eq!(
            exposure(&[], &[]).reason,
            "No exposure was found in the traffic seen."
        );
    }
}
