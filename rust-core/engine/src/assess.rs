//! Assessing a flow: what it exposes, as findings with severity and evidence, from what the
//! dissectors observed and whom the flow was attributed to. The severities are the ones
//! docs/report-schema.md lists.

use crate::attribution::{self, Basis, NetworkAttribution, ServiceAttribution};
use crate::dissect::DNS_PORTS;
use crate::finding::{Finding, FindingKind, Severity};
use crate::flow::Flow;
use crate::identify::{self, IdKind};
use crate::observation::{
    AppProto, CodeKind, HttpObs, LookupKind, MmtlsLink, MmtlsObs, QqObs, TlsObs, TlsTransport,
};
use crate::signatures::{Signatures, Tag};
use telltale_wire::{Timestamp, mmtls, tls};

/// Wire value of TLS 1.2: anything below is legacy.
const TLS_1_2: u16 = 0x0303;
/// Bytes received over TLS from a code source before the flow counts as a download.
const ENCRYPTED_DOWNLOAD: u64 = 64 * 1024;

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

/// Everything a flow exposes. `http` are the flow's exchanges with their targets already
/// masked as the output wants; `show_ids` leaves identifiers unmasked in the evidence.
pub fn findings(
    flow: &Flow,
    http: &[HttpObs],
    service: Option<&ServiceAttribution>,
    network: Option<&NetworkAttribution>,
    sigs: &Signatures,
    show_ids: bool,
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
        out.extend(http_findings(h, flow, sigs, show_ids));
        if h.mmtls {
            // A short link's body is MMTLS: only its envelope is in clear.
            continue;
        }
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
    if let Some(m) = &flow.obs.mmtls {
        out.push(mmtls_finding(m, http, sigs));
    }
    if let Some(q) = &flow.obs.qq {
        out.extend(qq_findings(q, flow, sigs, show_ids));
    }
    out.extend(flow_level_findings(flow, service, sigs));
    let contact = service.filter(|s| s.basis != Basis::DnsQuery);
    if let Some(s) = contact {
        let name = sigs
            .service(&s.service)
            .map_or(s.service.as_str(), |sv| sv.name.as_str());
        let mut f = Finding::new(
            FindingKind::contact(&s.vendor),
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
    let same_vendor = |n: &&NetworkAttribution| contact.is_some_and(|s| s.vendor == n.vendor);
    if let Some(n) = network.filter(|n| !same_vendor(n)) {
        let owner = sigs
            .vendor(&n.vendor)
            .map_or(n.vendor.as_str(), |v| v.name.as_str());
        let mut f = Finding::new(
            FindingKind::network(&n.vendor),
            Severity::Info,
            format!("{} is in {owner}'s network ({})", n.address, n.prefix),
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

/// Findings of one HTTP exchange beyond its being in clear: identifiers, lookups, downloads and
/// WeChat requests made without MMTLS.
fn http_findings(h: &HttpObs, flow: &Flow, sigs: &Signatures, show_ids: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let host = h
        .host
        .clone()
        .unwrap_or_else(|| flow.server.addr.to_string());
    for id in &h.identifiers {
        let (kind, what) = if id.kind.is_location() {
            (FindingKind::LocationCleartext, "location")
        } else {
            (FindingKind::IdentifierCleartext, "identifier")
        };
        let value = if show_ids {
            id.value.clone()
        } else {
            identify::mask(id.kind, &id.value)
        };
        let f = Finding::new(
            kind,
            Severity::High,
            format!(
                "{} sent in clear to {host} ({} `{}`)",
                id.kind.label(),
                id.place,
                id.key
            ),
        )
        .with(what, id.kind.label())
        .with("key", &id.key)
        .with("where", id.place.to_string())
        .with("value", value)
        .with("host", &host);
        out.push(owned_by(f, h.host.as_deref(), sigs));
    }
    if let Some(l) = &h.lookup {
        let via = match l.kind {
            LookupKind::Httpdns => "Tencent HTTPDNS",
            LookupKind::Newgetdns => "WeChat's newgetdns",
            LookupKind::VolcengineResolve => "Volcengine HTTPDNS",
        };
        let names = if l.encrypted {
            "names sent encrypted, the lookup itself visible".to_owned()
        } else if l.names.is_empty() {
            "a list of WeChat's servers".to_owned()
        } else {
            l.names.join(", ")
        };
        let mut summary = format!("looked up {names} over plain HTTP ({via})");
        if let Some(d) = &l.device_type {
            summary.push_str(&format!(", stating the device type {d}"));
        }
        let mut f = Finding::new(FindingKind::HttpdnsCleartext, Severity::Medium, summary)
            .with("via", via)
            .with("host", &host)
            .with("answered", l.answered.to_string());
        if let Some(d) = &l.device_type {
            f = f.with("device_type", d);
        }
        let f = match sigs.match_endpoint(flow.server.addr, flow.server.port) {
            Some(m) => Finding {
                vendor: Some(m.vendor.id.clone()),
                service: Some(m.service.id.clone()),
                ..f
            },
            None => owned_by(f, h.host.as_deref(), sigs),
        };
        out.push(f);
    }
    if let Some(d) = &h.download {
        let path = h.target.split('?').next().unwrap_or("");
        let mut f = Finding::new(
            FindingKind::CodeDownload,
            Severity::High,
            format!(
                "downloaded {} over plain HTTP from {host}{path} ({} bytes{})",
                code_name(d.kind),
                d.bytes,
                if d.complete {
                    ""
                } else {
                    " seen, not to its end"
                }
            ),
        )
        .with("kind", code_name(d.kind))
        .with("host", &host)
        .with("path", path)
        .with("bytes", d.bytes.to_string())
        .with("complete", d.complete.to_string());
        if let Some(sha) = &d.sha256 {
            f = f.with("sha256", sha);
        }
        out.push(owned_by(f, h.host.as_deref(), sigs));
    }
    if let Some(api) = &h.wechat_api {
        let mut f = Finding::new(
            FindingKind::ProprietaryCrypto,
            Severity::High,
            format!(
                "WeChat request {api} sent with only WeChat's own business-layer encryption, without MMTLS: its header, with the account id, is readable"
            ),
        )
        .with("api", api)
        .with("host", &host);
        let p = sigs.protocol("wechat-business");
        f.vendor = p.map(|m| m.vendor.id.clone());
        f.service = p.map(|m| m.service.id.clone());
        out.push(f);
    }
    out
}

/// Plain name of a kind of code.
fn code_name(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Apk => "an Android app package (APK)",
        CodeKind::Dex => "Android program code (DEX)",
        CodeKind::Jar => "a Java archive (JAR)",
        CodeKind::Elf => "a native library or program (ELF)",
        CodeKind::Tbs => "a TBS/X5 web engine package",
        CodeKind::Archive => "an archive served as code",
    }
}

/// MMTLS: WeChat's own encryption, with what it shows in clear.
fn mmtls_finding(m: &MmtlsObs, http: &[HttpObs], sigs: &Signatures) -> Finding {
    let link = match m.link {
        MmtlsLink::Long => "long link",
        MmtlsLink::Short => "short link",
    };
    let mut summary = format!("WeChat's own encryption, MMTLS ({link}), instead of TLS");
    if let Some(h) = &m.hello {
        if h.early {
            summary.push_str(
                "; 0-RTT requests protected by a resumption key only, without forward secrecy",
            );
        }
        if h.ticket.is_some() {
            summary.push_str("; its client clock and resumption ticket travel in clear");
        }
    }
    let mut f = Finding::new(FindingKind::ProprietaryCrypto, Severity::Medium, summary)
        .with("link", link)
        .with("records_up", m.records[0].to_string())
        .with("records_down", m.records[1].to_string())
        .with("record_bytes_up", m.record_bytes[0].to_string())
        .with("record_bytes_down", m.record_bytes[1].to_string());
    if let Some(h) = &m.hello {
        let suites: Vec<&str> = h.suites.iter().map(|&s| mmtls::suite_name(s)).collect();
        f = f
            .with("suites", suites.join(", "))
            .with("early_data", h.early.to_string())
            .with(
                "client_clock",
                Timestamp::from_secs_nanos(i64::from(h.timestamp), 0).to_string(),
            )
            .with("key_shares", h.key_shares.to_string());
        if let Some(t) = &h.ticket {
            f = f.with("ticket", t);
        }
        if let Some(l) = h.ticket_lifetime {
            f = f.with(
                "ticket_lifetime_days",
                format!("{:.1}", f64::from(l) / 86_400.0),
            );
        }
    }
    if let Some(s) = m.server_suite {
        f = f.with("server_suite", mmtls::suite_name(s));
    }
    if m.alerts > 0 {
        f = f.with("alerts", m.alerts.to_string());
    }
    if let Some(host) = http
        .iter()
        .find(|h| h.mmtls)
        .and_then(|h| h.host.as_deref())
    {
        f = f.with("host", host);
    }
    let p = sigs.protocol("mmtls");
    f.vendor = p.map(|m| m.vendor.id.clone());
    f.service = p.map(|m| m.service.id.clone());
    f
}

/// QQ's OICQ or MSF framing: home-made encryption, and the QQ number in clear.
fn qq_findings(q: &QqObs, flow: &Flow, sigs: &Signatures, show_ids: bool) -> Vec<Finding> {
    let protocol = flow.obs.protocol.unwrap_or("oicq");
    let owner = sigs.protocol(protocol);
    let tag = |mut f: Finding| {
        f.vendor = owner.map(|m| m.vendor.id.clone());
        f.service = owner.map(|m| m.service.id.clone());
        f
    };
    let name = match protocol {
        "qq-msf" => "mobile QQ's MSF framing",
        _ => "QQ's OICQ protocol",
    };
    let mut out = vec![tag(Finding::new(
        FindingKind::ProprietaryCrypto,
        Severity::Medium,
        format!("{name}, with its own TEA-based encryption instead of TLS"),
    )
    .with("protocol", protocol))];
    if let Some(n) = &q.qq_number {
        let value = if show_ids {
            n.clone()
        } else {
            identify::mask(IdKind::QqNumber, n)
        };
        out.push(tag(Finding::new(
            FindingKind::IdentifierCleartext,
            Severity::High,
            format!("QQ number sent in clear in {name}"),
        )
        .with("identifier", IdKind::QqNumber.label())
        .with("value", value)));
    }
    out
}

/// Findings of the flow as a whole: its own encrypted DNS, and encrypted downloads from a
/// source of code.
fn flow_level_findings(
    flow: &Flow,
    service: Option<&ServiceAttribution>,
    sigs: &Signatures,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let sni = flow.obs.tls.as_ref().and_then(|t| t.sni.as_deref());
    let rule_tags = sni
        .and_then(|n| sigs.match_name(n))
        .map(|m| m.rule.tags.clone());
    let endpoint = sigs.match_endpoint(flow.server.addr, flow.server.port);
    let tagged = |tag: Tag| {
        rule_tags.as_ref().is_some_and(|t| t.contains(&tag))
            || endpoint.is_some_and(|e| e.rule.tags.contains(&tag))
    };
    let tag_owner = |mut f: Finding| {
        if let Some(s) = service {
            f.vendor = Some(s.vendor.clone());
            f.service = Some(s.service.clone());
        }
        f
    };
    let encrypted = flow.obs.proto == AppProto::Tls || flow.obs.proto == AppProto::Quic;
    if encrypted && tagged(Tag::EncryptedDns) {
        let via = sni.map_or_else(|| flow.server.addr.to_string(), str::to_owned);
        out.push(tag_owner(
            Finding::new(
                FindingKind::OwnEncryptedDns,
                Severity::Low,
                format!("used its own encrypted DNS resolver ({via}) instead of the phone's"),
            )
            .with("resolver", via),
        ));
    }
    if encrypted && tagged(Tag::CodeDownload) && flow.down.bytes >= ENCRYPTED_DOWNLOAD {
        let from = sni.map_or_else(|| flow.server.addr.to_string(), str::to_owned);
        out.push(tag_owner(
            Finding::new(
                FindingKind::CodeDownload,
                Severity::Medium,
                format!("received {} bytes over an encrypted connection from {from}, a source of program code", flow.down.bytes),
            )
            .with("host", from)
            .with("bytes", flow.down.bytes.to_string())
            .with("encrypted", "true"),
        ));
    }
    out
}
