//! The record of one flow as reports and the `--flows` export show it: its endpoints, counters,
//! what was observed, its attribution and its findings.

use crate::app::AppKey;
use crate::attribution::{self, Basis, NetworkAttribution, ServiceAttribution};
use crate::dissect::DNS_PORTS;
use crate::finding::{Finding, FindingKind, Severity, mask_query};
use crate::flow::{EndReason, Flow};
use crate::names::Learned;
use crate::observation::{AppProto, DnsObs, HttpObs, TlsObs, TlsTransport};
use crate::report::as_text;
use crate::signatures::Signatures;
use core::net::IpAddr;
use serde::{Serialize, Serializer};
use telltale_wire::ip::{PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP};
use telltale_wire::{Timestamp, tls};

/// Wire value of TLS 1.2: anything below is legacy.
const TLS_1_2: u16 = 0x0303;

/// Vendor id whose contacts and networks get the `tencent-*` finding kinds.
const TENCENT: &str = "tencent";

/// One flow, finished or still open.
#[derive(Debug, Clone, Serialize)]
pub struct FlowRecord {
    /// Stable flow id: its order of appearance in the input.
    pub id: u64,
    /// Transport: `tcp`, `udp`, `icmp`, `icmpv6` or the IP protocol number.
    #[serde(serialize_with = "proto_name")]
    pub proto: u8,
    /// Client (initiator) address.
    pub src: IpAddr,
    /// Client port.
    pub sport: u16,
    /// Server (responder) address.
    pub dst: IpAddr,
    /// Server port.
    pub dport: u16,
    /// App, serialised as its id (`uid:10123` or `addr:10.0.2.16`).
    #[serde(serialize_with = "as_text")]
    pub app: AppKey,
    /// First packet, serialised in RFC 3339.
    #[serde(serialize_with = "as_text")]
    pub first_seen: Timestamp,
    /// Last packet, serialised in RFC 3339.
    #[serde(serialize_with = "as_text")]
    pub last_seen: Timestamp,
    /// Packets client to server.
    pub packets_up: u64,
    /// Packets server to client.
    pub packets_down: u64,
    /// Bytes (IP length) client to server.
    pub bytes_up: u64,
    /// Bytes (IP length) server to client.
    pub bytes_down: u64,
    /// Recognised application protocol.
    pub app_proto: AppProto,
    /// Why the record was closed.
    pub end: EndReason,
    /// TLS or QUIC handshake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Box<TlsObs>>,
    /// HTTP exchanges (query values masked unless identifiers are shown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpObs>,
    /// DNS questions and answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<DnsObs>,
    /// The service the flow reaches.
    pub attribution: Option<ServiceAttribution>,
    /// The vendor network the flow's far end is in.
    pub network: Option<NetworkAttribution>,
    /// What the flow exposes.
    pub findings: Vec<Finding>,
}

fn proto_name<S: Serializer>(p: &u8, s: S) -> Result<S::Ok, S::Error> {
    match *p {
        PROTO_TCP => s.serialize_str("tcp"),
        PROTO_UDP => s.serialize_str("udp"),
        PROTO_ICMP => s.serialize_str("icmp"),
        PROTO_ICMPV6 => s.serialize_str("icmpv6"),
        other => s.collect_str(&other),
    }
}

/// Builds the record of a flow, moving its observations into the record; `learned` is the name
/// known for its server address (see [`attribution::attribute`]).
pub fn summarize(
    flow: &mut Flow,
    learned: Option<&Learned>,
    end: EndReason,
    sigs: &Signatures,
    show_ids: bool,
) -> FlowRecord {
    let (attribution, network) = attribution::attribute(flow, learned, sigs);
    let mut http = core::mem::take(&mut flow.obs.http);
    if !show_ids {
        for h in &mut http {
            h.target = mask_query(&h.target);
        }
    }
    let findings = findings(flow, &http, attribution.as_ref(), network.as_ref(), sigs);
    FlowRecord {
        id: flow.id,
        proto: flow.protocol,
        src: flow.client.addr,
        sport: flow.client.port,
        dst: flow.server.addr,
        dport: flow.server.port,
        app: flow.app,
        first_seen: flow.first_seen,
        last_seen: flow.last_seen,
        packets_up: flow.up.packets,
        packets_down: flow.down.packets,
        bytes_up: flow.up.bytes,
        bytes_down: flow.down.bytes,
        app_proto: flow.obs.proto,
        end,
        tls: flow.obs.tls.take(),
        http,
        dns: core::mem::take(&mut flow.obs.dns),
        attribution,
        network,
        findings,
    }
}

/// Tags a finding with the vendor and service its name belongs to, if any.
fn owned_by(f: Finding, name: Option<&str>, sigs: &Signatures) -> Finding {
    match name.and_then(|n| sigs.match_name(n)) {
        Some(m) => Finding {
            vendor: Some(m.vendor.id.clone()),
            service: Some(m.service.id.clone()),
            ..f
        },
        None => f,
    }
}

fn findings(
    flow: &Flow,
    http: &[HttpObs],
    service: Option<&ServiceAttribution>,
    network: Option<&NetworkAttribution>,
    sigs: &Signatures,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let is_dns = flow.obs.proto == AppProto::Dns;
    // mDNS and LLMNR stay on the local network; only unicast DNS is seen on path.
    if is_dns && flow.server.port == DNS_PORTS[0] {
        for q in &flow.obs.dns {
            let f = Finding::new(
                FindingKind::CleartextDns,
                Severity::Low,
                format!("looked up {} ({}) in clear", q.name, qtype_name(q.qtype)),
            )
            .with("name", &q.name)
            .with("type", qtype_name(q.qtype))
            .with("resolver", flow.server.addr.to_string());
            out.push(owned_by(f, Some(&q.name), sigs));
        }
    }
    for h in http {
        let host = h.host.as_deref().unwrap_or("(no host)");
        let mut f = Finding::new(
            FindingKind::CleartextHttp,
            Severity::Medium,
            format!("{} http://{}{} in clear", h.method, host, h.target),
        )
        .with("method", &h.method)
        .with("host", host)
        .with("target", &h.target);
        if let Some(ua) = &h.user_agent {
            f = f.with("user_agent", ua);
        }
        if let Some(ct) = &h.content_type {
            f = f.with("content_type", ct);
        }
        out.push(owned_by(f, h.host.as_deref(), sigs));
    }
    if let Some(t) = &flow.obs.tls {
        out.extend(tls_findings(t, sigs));
    }
    if let Some(s) = service.filter(|s| s.vendor == TENCENT && s.basis != Basis::DnsQuery) {
        let name = sigs
            .service(&s.service)
            .map_or(s.service.as_str(), |sv| sv.name.as_str());
        let mut f = Finding::new(
            FindingKind::TencentContact,
            Severity::Low,
            format!(
                "reached {name} ({}), known by {}",
                s.name,
                s.basis.describe()
            ),
        )
        .with("name", &s.name)
        .with("rule", &s.rule)
        .with("basis", s.basis.id());
        f.vendor = Some(s.vendor.clone());
        f.service = Some(s.service.clone());
        out.push(f);
    }
    let tencent_service =
        service.is_some_and(|s| s.vendor == TENCENT && s.basis != Basis::DnsQuery);
    if let Some(n) = network.filter(|n| n.vendor == TENCENT && !tencent_service) {
        let mut f = Finding::new(
            FindingKind::TencentNetwork,
            Severity::Info,
            format!("{} is in Tencent's network ({})", n.address, n.prefix),
        )
        .with("address", n.address.to_string())
        .with("prefix", &n.prefix)
        .with("list_date", &n.list_date);
        if let Some((_, name)) = attribution::own_names(&flow.obs).next() {
            f = f.with("name", name);
        }
        f.vendor = Some(n.vendor.clone());
        out.push(f);
    }
    out
}

fn tls_findings(t: &TlsObs, sigs: &Signatures) -> Vec<Finding> {
    let mut out = Vec::new();
    let transport = match t.transport {
        TlsTransport::Tcp => "TLS",
        TlsTransport::Quic => "QUIC",
    };
    if let Some(sni) = &t.sni {
        let (severity, summary) = if t.ech {
            (
                Severity::Info,
                format!(
                    "only the outer name {sni} is visible: Encrypted Client Hello hides the real one"
                ),
            )
        } else {
            (
                Severity::Low,
                format!("server name {sni} visible in the {transport} handshake"),
            )
        };
        let f = Finding::new(FindingKind::ServerNameVisible, severity, summary)
            .with("name", sni)
            .with("transport", transport)
            .with("ech", t.ech.to_string())
            .with("ja4", &t.ja4);
        out.push(owned_by(f, Some(sni), sigs));
    }
    let server = t.server.as_ref();
    let legacy = if let Some(s) = server.filter(|s| s.version < TLS_1_2) {
        Some((
            Severity::High,
            format!("server chose {}", tls::version_name(s.version)),
        ))
    } else if let Some((s, why)) = server.and_then(|s| tls::weak_cipher(s.cipher).map(|w| (s, w))) {
        Some((
            Severity::High,
            format!("server chose cipher suite 0x{:04x} ({why})", s.cipher),
        ))
    } else if t.client_version < TLS_1_2 {
        Some((
            Severity::Medium,
            format!(
                "client offered at most {}",
                tls::version_name(t.client_version)
            ),
        ))
    } else if let Some(&c) = t.weak_ciphers_offered.first() {
        Some((
            Severity::Low,
            format!(
                "client offered {} weak cipher suite(s), e.g. 0x{c:04x} ({})",
                t.weak_ciphers_offered.len(),
                tls::weak_cipher(c).unwrap_or("weak")
            ),
        ))
    } else {
        None
    };
    if let Some((severity, summary)) = legacy {
        let f = Finding::new(FindingKind::LegacyTls, severity, summary)
            .with("client_version", tls::version_name(t.client_version))
            .with("transport", transport);
        out.push(owned_by(f, t.sni.as_deref(), sigs));
    }
    out
}

/// Mnemonic of a DNS query type.
fn qtype_name(t: u16) -> String {
    match t {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        6 => "SOA".into(),
        12 => "PTR".into(),
        15 => "MX".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        64 => "SVCB".into(),
        65 => "HTTPS".into(),
        255 => "ANY".into(),
        other => format!("TYPE{other}"),
    }
}
