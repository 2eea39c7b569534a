//! Attribution of a flow to the owner of its far end, with the evidence it rests on.
//!
//! The order follows DESIGN.md: a name the flow itself carries (TLS or QUIC SNI, HTTP Host, the
//! names a DNS flow asks about) decides; only a flow without any name of its own falls back to a
//! name learned for its server address from earlier DNS answers. An address inside a vendor's
//! network is reported separately and never makes a flow a service of that vendor: the same
//! networks host many other companies.

use crate::flow::Flow;
use crate::names::{Learned, NameSource};
use crate::observation::{Observations, TlsTransport};
use crate::signatures::{Category, Service, Signatures, Vendor};
use core::net::{IpAddr, SocketAddr};
use serde::Serialize;

/// The evidence a service attribution rests on, strongest first (DESIGN.md, "Attribution"):
/// the flow's own names, then its payload or protocol, then what is known about its server
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The TLS server name indication.
    TlsSni,
    /// The server name in a QUIC Initial's ClientHello.
    QuicSni,
    /// The HTTP Host header.
    HttpHost,
    /// The name a DNS query asked about (the flow goes to a resolver, not to the service).
    DnsQuery,
    /// The first bytes the client sent fit a service's payload rule.
    PayloadPattern,
    /// The flow speaks a protocol only this service speaks (WeChat's MMTLS, QQ's OICQ).
    Protocol,
    /// The server address is a documented address of the service (e.g. a public resolver).
    ServiceAddress,
    /// A DNS answer gave the server address for the name.
    DnsAnswer,
    /// Other connections to the server address carried the name (TLS SNI, HTTP Host).
    LearnedServerName,
    /// A lookup over HTTP (Tencent HTTPDNS, WeChat's newgetdns) answered with the address.
    HttpLookupAnswer,
}

impl From<NameSource> for Basis {
    fn from(source: NameSource) -> Self {
        match source {
            NameSource::DnsAnswer => Basis::DnsAnswer,
            NameSource::ServerName => Basis::LearnedServerName,
            NameSource::HttpLookup => Basis::HttpLookupAnswer,
        }
    }
}

/// The name known for a flow's server address from other traffic, whether or not it decided
/// the attribution: researchers compare it with what the flow itself showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearnedName {
    /// The name.
    pub name: String,
    /// How it was learned: `dns-answer`, `learned-server-name` or `http-lookup-answer`.
    pub basis: Basis,
}

impl From<&Learned> for LearnedName {
    fn from(l: &Learned) -> Self {
        LearnedName {
            name: l.name.to_string(),
            basis: l.source.into(),
        }
    }
}

impl Basis {
    /// The stable id, as serialised (`tls-sni` ...).
    pub fn id(self) -> &'static str {
        match self {
            Basis::TlsSni => "tls-sni",
            Basis::QuicSni => "quic-sni",
            Basis::HttpHost => "http-host",
            Basis::DnsQuery => "dns-query",
            Basis::PayloadPattern => "payload-pattern",
            Basis::DnsAnswer => "dns-answer",
            Basis::LearnedServerName => "learned-server-name",
            Basis::HttpLookupAnswer => "http-lookup-answer",
            Basis::Protocol => "protocol",
            Basis::ServiceAddress => "service-address",
        }
    }

    /// Plain words for the UI: "by its TLS server name" ...
    pub fn describe(self) -> &'static str {
        match self {
            Basis::TlsSni => "the server name in its TLS handshake",
            Basis::QuicSni => "the server name in its QUIC handshake",
            Basis::HttpHost => "the Host of its web request",
            Basis::DnsQuery => "the name it looked up",
            Basis::PayloadPattern => "the way its first bytes are laid out",
            Basis::DnsAnswer => "a DNS answer for its server address",
            Basis::LearnedServerName => "the server name other connections to its address carried",
            Basis::HttpLookupAnswer => {
                "a name lookup over HTTP that answered with its server address"
            }
            Basis::Protocol => "the protocol it speaks, which only this service uses",
            Basis::ServiceAddress => "its server address, a documented address of the service",
        }
    }
}

/// A flow attributed to a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceAttribution {
    /// Vendor id, e.g. `tencent`.
    pub vendor: String,
    /// Service id, e.g. `wechat`.
    pub service: String,
    /// The service's category.
    pub category: Category,
    /// The evidence.
    pub basis: Basis,
    /// The name that matched (for a payload pattern, what the pattern is).
    pub name: String,
    /// The signature rule that matched: a domain suffix, or `file:line` of a payload rule.
    pub rule: String,
}

/// A flow whose server address lies in a vendor's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkAttribution {
    /// Vendor id.
    pub vendor: String,
    /// The address that matched.
    pub address: IpAddr,
    /// The prefix it matched.
    pub prefix: String,
    /// Date of the network list.
    pub list_date: String,
}

/// The names a flow carries itself, strongest first.
pub fn own_names(obs: &Observations) -> impl Iterator<Item = (Basis, &str)> {
    let tls = obs.tls.iter().filter_map(|t| {
        let basis = match t.transport {
            TlsTransport::Tcp => Basis::TlsSni,
            TlsTransport::Quic => Basis::QuicSni,
        };
        t.sni.as_deref().map(|n| (basis, n))
    });
    // A Host that is an address literal names nothing.
    let http = obs
        .http
        .iter()
        .filter_map(|h| h.host.as_deref())
        .filter(|n| n.parse::<IpAddr>().is_err())
        .map(|n| (Basis::HttpHost, n));
    let dns = obs.dns.iter().map(|q| (Basis::DnsQuery, q.name.as_str()));
    tls.chain(http).chain(dns)
}

/// Attributes a flow: the service it reaches (if any) and the vendor network its far end is in
/// (if any). `learned` is the name known for the server address: the one known when the flow
/// started, else one learned while it ran.
///
/// A name the flow carries decides. Without one: the payload rule its first bytes fit, then a
/// protocol only one service speaks, then a documented service address, then a learned name.
pub fn attribute(
    flow: &Flow,
    learned: Option<&Learned>,
    sigs: &Signatures,
) -> (Option<ServiceAttribution>, Option<NetworkAttribution>) {
    let attribution =
        |basis, service: &Service, vendor: &Vendor, name: &str, rule: String| ServiceAttribution {
            vendor: vendor.id.clone(),
            service: service.id.clone(),
            category: service.category,
            basis,
            name: name.to_owned(),
            rule,
        };
    let named = |basis: Basis, name: &str| {
        sigs.match_name(name)
            .map(|m| attribution(basis, m.service, m.vendor, name, m.rule.suffix.clone()))
    };
    let mut own = own_names(&flow.obs).peekable();
    let service = if own.peek().is_some() {
        own.find_map(|(basis, name)| named(basis, name))
    } else {
        let by_payload = || {
            let fp = flow.obs.fingerprint.as_ref()?;
            let svc = sigs.service(&fp.service)?;
            let vendor = sigs.vendor(&svc.vendor)?;
            Some(attribution(
                Basis::PayloadPattern,
                svc,
                vendor,
                &fp.note,
                fp.rule.clone(),
            ))
        };
        let by_protocol = || {
            let m = sigs.protocol(flow.obs.protocol?)?;
            Some(attribution(
                Basis::Protocol,
                m.service,
                m.vendor,
                &m.rule.name,
                m.rule.id.clone(),
            ))
        };
        let by_address = || {
            let m = sigs.match_endpoint(flow.server.addr, flow.server.port)?;
            let rule = format!("{}:{}", m.rule.file, m.rule.line);
            let address = SocketAddr::new(flow.server.addr, flow.server.port).to_string();
            Some(attribution(
                Basis::ServiceAddress,
                m.service,
                m.vendor,
                &address,
                rule,
            ))
        };
        let by_learned = || {
            let l = learned?;
            named(l.source.into(), &l.name)
        };
        by_payload()
            .or_else(by_protocol)
            .or_else(by_address)
            .or_else(by_learned)
    };
    let far_ends = [flow.server.addr, flow.client.addr];
    let network = far_ends.iter().find_map(|&addr| {
        sigs.match_addr(addr).map(|m| NetworkAttribution {
            vendor: m.vendor.id.clone(),
            address: addr,
            prefix: m.prefix.clone(),
            list_date: m.list.date.clone(),
        })
    });
    (service, network)
}
