//! What the dissectors learned about a flow: the facts findings and attribution are built from.

use crate::identify::Detected;
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
    /// WeChat's MMTLS over raw TCP (the long link).
    Mmtls,
    /// QQ's OICQ or mobile QQ's MSF framing.
    Qq,
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
    /// A protocol only one service speaks, by the id the signatures map to it (`mmtls`,
    /// `wechat-business`, `oicq`, `qq-msf`).
    pub protocol: Option<&'static str>,
    /// WeChat MMTLS records, over raw TCP or in short-link HTTP bodies.
    pub mmtls: Option<Box<MmtlsObs>>,
    /// QQ's OICQ or MSF header fields.
    pub qq: Option<Box<QqObs>>,
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
    /// Identifiers and location data found in the request (values in full; reports mask them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Detected>,
    /// A name lookup carried over HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<LookupObs>,
    /// Program code in the response body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<DownloadObs>,
    /// The WeChat API called, for a business-layer request sent without MMTLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat_api: Option<String>,
    /// A WeChat short link: the body is MMTLS records.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub mmtls: bool,
}

/// Which kind of lookup over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LookupKind {
    /// Tencent HTTPDNS, `/d?dn=`.
    Httpdns,
    /// WeChat's own `newgetdns`.
    Newgetdns,
    /// Volcengine (ByteDance) HTTPDNS, `/resolve?domain=` with one or more names
    /// (volcengine.com/docs/6758/113991). Its answers are not read: our sources do not give
    /// their format.
    VolcengineResolve,
}

/// A name lookup made over HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LookupObs {
    /// Which service.
    pub kind: LookupKind,
    /// Names asked for, when readable (HTTPDNS can send them encrypted).
    pub names: Vec<String>,
    /// Names asked for in encrypted form only.
    pub encrypted: bool,
    /// Names the answer gave addresses for.
    pub answered: usize,
    /// The device type a newgetdns request states (`android-34`: platform and OS API level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
}

/// What kind of program code was downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeKind {
    /// An Android app package (a zip holding `classes.dex` or `AndroidManifest.xml`).
    Apk,
    /// A Dalvik executable.
    Dex,
    /// A Java archive.
    Jar,
    /// An ELF executable or shared library (`.so`).
    Elf,
    /// A Tencent TBS/X5 web-engine core or plugin package (`.tbs`).
    Tbs,
    /// Another archive served as code (by its type or name).
    Archive,
}

/// Program code seen in a response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownloadObs {
    /// What it is.
    pub kind: CodeKind,
    /// Body bytes seen.
    pub bytes: u64,
    /// The whole body was seen.
    pub complete: bool,
    /// SHA-256 of the bytes seen, lowercase hex; set once the body ended or the flow closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Whether MMTLS ran over its own TCP connection or inside HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MmtlsLink {
    /// Raw MMTLS over TCP.
    Long,
    /// `POST /mmtls/<8 hex>` requests whose bodies are MMTLS records.
    Short,
}

/// WeChat MMTLS as seen on one flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MmtlsObs {
    /// Long or short link.
    pub link: MmtlsLink,
    /// The client's hello, when seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hello: Option<MmtlsHelloObs>,
    /// The suite the server chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_suite: Option<u16>,
    /// Records client to server and server to client.
    pub records: [u32; 2],
    /// Record bytes client to server and server to client.
    pub record_bytes: [u64; 2],
    /// Alert records.
    pub alerts: u32,
}

/// What an MMTLS ClientHello shows in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MmtlsHelloObs {
    /// Sent as 0-RTT early data (protected by the resumption key only: no forward secrecy).
    pub early: bool,
    /// Protocol version field.
    pub version: u16,
    /// Cipher suites offered.
    pub suites: Vec<u16>,
    /// The client's clock, UNIX seconds, in clear.
    pub timestamp: u32,
    /// Lifetime hint of the resumption ticket, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_lifetime: Option<u32>,
    /// Short hash of the resumption ticket (never the ticket itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// ECDH key shares offered.
    pub key_shares: usize,
}

/// QQ header fields seen in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QqObs {
    /// The QQ number (account), in full; reports mask it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qq_number: Option<String>,
    /// OICQ command, or MSF packet type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<u32>,
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
