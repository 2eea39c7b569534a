//! The record of one flow as reports and the `--flows` export show it: its endpoints, counters,
//! what was observed, its attribution and its findings.

use crate::app::AppKey;
use crate::assess;
use crate::attribution::{self, LearnedName, NetworkAttribution, ServiceAttribution};
use crate::finding::{Finding, mask_target};
use crate::flow::{EndReason, Flow};
use crate::identify::{self, IdKind, Place};
use crate::names::Learned;
use crate::observation::{AppProto, DnsObs, HttpObs, MmtlsObs, QqObs, TlsObs};
use crate::report::as_text;
use crate::signatures::Signatures;
use core::net::IpAddr;
use serde::{Serialize, Serializer};
use telltale_wire::Timestamp;
use telltale_wire::ip::{PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP};

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
    /// Transport payload bytes client to server.
    pub payload_up: u64,
    /// Transport payload bytes server to client.
    pub payload_down: u64,
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
    /// WeChat MMTLS records and hello.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmtls: Option<Box<MmtlsObs>>,
    /// QQ header fields (the QQ number masked unless identifiers are shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qq: Option<Box<QqObs>>,
    /// The service the flow reaches.
    pub attribution: Option<ServiceAttribution>,
    /// The name other traffic gave the server address, when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned_name: Option<LearnedName>,
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
            let in_path: Vec<&str> = h
                .identifiers
                .iter()
                .filter(|d| d.place == Place::Path)
                .map(|d| d.value.as_str())
                .collect();
            h.target = mask_target(&h.target, &in_path);
            // Some SDKs put device ids in the User-Agent, which the evidence shows.
            if let Some(ua) = h.user_agent.as_mut() {
                for d in h.identifiers.iter().filter(|d| d.place == Place::Header) {
                    if ua.contains(d.value.as_str()) {
                        *ua = ua.replace(d.value.as_str(), &d.masked());
                    }
                }
            }
        }
    }
    let findings = assess::findings(
        flow,
        &http,
        attribution.as_ref(),
        network.as_ref(),
        sigs,
        show_ids,
    );
    if !show_ids {
        for h in &mut http {
            for id in &mut h.identifiers {
                id.value = identify::mask(id.kind, &id.value);
            }
        }
    }
    let mut qq = flow.obs.qq.take();
    if let (Some(q), false) = (qq.as_mut(), show_ids) {
        q.qq_number = q
            .qq_number
            .as_deref()
            .map(|n| identify::mask(IdKind::QqNumber, n));
    }
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
        payload_up: flow.up.payload,
        payload_down: flow.down.payload,
        app_proto: flow.obs.proto,
        end,
        tls: flow.obs.tls.take(),
        http,
        dns: core::mem::take(&mut flow.obs.dns),
        mmtls: flow.obs.mmtls.take(),
        qq,
        attribution,
        learned_name: learned.map(LearnedName::from),
        network,
        findings,
    }
}
