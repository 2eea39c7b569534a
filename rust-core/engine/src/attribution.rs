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
use crate::signatures::{Category, Signatures};
use core::net::IpAddr;
use serde::Serialize;

/// The evidence a service attribution rests on, strongest first.
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
    /// A DNS answer gave the server address for the name.
    DnsAnswer,
    /// Other connections to the server address carried the name (TLS SNI, HTTP Host).
    LearnedServerName,
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
    let http = obs
        .http
        .iter()
        .filter_map(|h| h.host.as_deref().map(|n| (Basis::HttpHost, n)));
    let dns = obs.dns.iter().map(|q| (Basis::DnsQuery, q.name.as_str()));
    tls.chain(http).chain(dns)
}

/// Attributes a flow: the service it reaches (if any) and the vendor network its far end is in
/// (if any). `learned` is the name known for the server address: the one known when the flow
/// started, else one learned while it ran.
pub fn attribute(
    flow: &Flow,
    learned: Option<&Learned>,
    sigs: &Signatures,
) -> (Option<ServiceAttribution>, Option<NetworkAttribution>) {
    let matched = |basis: Basis, name: &str| {
        sigs.match_name(name).map(|m| ServiceAttribution {
            vendor: m.vendor.id.clone(),
            service: m.service.id.clone(),
            category: m.service.category,
            basis,
            name: name.to_owned(),
            rule: m.rule.suffix.clone(),
        })
    };
    let mut own = own_names(&flow.obs).peekable();
    let service = if own.peek().is_some() {
        own.find_map(|(basis, name)| matched(basis, name))
    } else if let Some(fp) = &flow.obs.fingerprint {
        sigs.service(&fp.service).map(|svc| ServiceAttribution {
            vendor: fp.vendor.clone(),
            service: fp.service.clone(),
            category: svc.category,
            basis: Basis::PayloadPattern,
            name: fp.note.clone(),
            rule: fp.rule.clone(),
        })
    } else {
        learned.and_then(|l| {
            let basis = match l.source {
                NameSource::DnsAnswer => Basis::DnsAnswer,
                NameSource::ServerName => Basis::LearnedServerName,
            };
            matched(basis, &l.name)
        })
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
