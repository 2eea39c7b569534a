//! What the dissectors learned about a flow: the facts findings and attribution are built from.

use core::net::IpAddr;
use serde::Serialize;

/// Most HTTP exchanges and DNS questions kept per flow; later ones are counted, not stored.
pub const MAX_ITEMS: usize = 16;

/// The application protocol a flow was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppProto {
    /// Not recognised (yet).
    #[default]
    Unknown,
    /// DNS over UDP or TCP.
    Dns,
    /// TLS over TCP.
    Tls,
    /// QUIC.
    Quic,
    /// HTTP/1.x in clear.
    Http,
}

/// Everything observed on a flow.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// Recognised protocol.
    pub proto: AppProto,
    /// TLS or QUIC handshake facts (boxed: most flows have none, and flows are many).
    pub tls: Option<Box<TlsObs>>,
    /// HTTP exchanges, in order.
    pub http: Vec<HttpObs>,
    /// DNS questions and their answers.
    pub dns: Vec<DnsObs>,
    /// A payload rule the client's first bytes fit.
    pub fingerprint: Option<Box<FingerprintObs>>,
    /// Items beyond [`MAX_ITEMS`] not stored.
    pub dropped_items: u32,
}

/// A payload rule that recognised the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FingerprintObs {
    /// Vendor id.
    pub vendor: String,
    /// Service id.
    pub service: String,
    /// What the pattern is.
    pub note: String,
    /// Where the rule is: `file:line`.
    pub rule: String,
}

/// Which transport a TLS handshake ran over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsTransport {
    /// TLS over TCP.
    Tcp,
    /// QUIC (the handshake travels in CRYPTO frames).
    Quic,
}

/// A TLS (or QUIC) handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsObs {
    /// TCP or QUIC.
    pub transport: TlsTransport,
    /// QUIC version, for QUIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quic_version: Option<u32>,
    /// Server name indication, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// Encrypted Client Hello offered: the SNI above is only the outer, client-facing name.
    pub ech: bool,
    /// Highest version the client offered.
    pub client_version: u16,
    /// Application protocols the client offered.
    pub alpn: Vec<String>,
    /// Broken or weak cipher suites the client offered (ids).
    pub weak_ciphers_offered: Vec<u16>,
    /// JA3 string's MD5 (TLS over TCP only; JA3 is not defined for QUIC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ja3: Option<String>,
    /// JA4 fingerprint.
    pub ja4: String,
    /// The server's choice, when its ServerHello was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerHelloObs>,
}

/// What the server chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerHelloObs {
    /// Negotiated version.
    pub version: u16,
    /// Chosen cipher suite.
    pub cipher: u16,
    /// Chosen application protocol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
}

/// One HTTP request and, when seen, its response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpObs {
    /// Method.
    pub method: String,
    /// Host (header, or absolute target), lower-cased without port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Request target: path and query.
    pub target: String,
    /// User-Agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Request Content-Type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Request Content-Length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_length: Option<u64>,
    /// Response status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response Content-Type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_content_type: Option<String>,
    /// Response Content-Length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_content_length: Option<u64>,
}

/// One DNS question and what was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsObs {
    /// Name asked about.
    pub name: String,
    /// Record type asked for.
    pub qtype: u16,
    /// Addresses answered (A, AAAA, SVCB/HTTPS hints), at most [`MAX_ITEMS`].
    pub addresses: Vec<IpAddr>,
    /// Aliases on the way (CNAME targets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cnames: Vec<String>,
    /// Response code, when the answer was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<u8>,
}
