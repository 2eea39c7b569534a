//! Flows: a bidirectional conversation identified by its 5-tuple, with the side that opened it
//! (the client) told apart from the side that answered (the server).

use crate::app::AppKey;
use crate::dissect::Inspection;
use crate::names::Learned;
use crate::observation::Observations;
use core::net::IpAddr;
use telltale_wire::Timestamp;
use telltale_wire::ip::{PROTO_TCP, PROTO_UDP};

/// A transport endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// Address.
    pub addr: IpAddr,
    /// Port (0 for protocols without ports).
    pub port: u16,
}

/// A flow's identity regardless of direction: the protocol and both endpoints in a fixed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// IP protocol number.
    pub protocol: u8,
    /// The lower of the two endpoints.
    pub lo: Endpoint,
    /// The higher of the two endpoints.
    pub hi: Endpoint,
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`.
    pub fn new(protocol: u8, src: Endpoint, dst: Endpoint) -> Self {
        let (lo, hi) = if src <= dst { (src, dst) } else { (dst, src) };
        FlowKey { protocol, lo, hi }
    }
}

/// Direction of a packet within its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server.
    Up,
    /// Server to client.
    Down,
}

impl Direction {
    /// 0 for up, 1 for down: the index of per-direction arrays.
    pub fn index(self) -> usize {
        match self {
            Direction::Up => 0,
            Direction::Down => 1,
        }
    }
}

/// Packets and bytes (IP length on the wire) seen in one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets.
    pub packets: u64,
    /// Bytes, counting IP headers, as the IP header states them.
    pub bytes: u64,
    /// Transport payload bytes (TCP or UDP data, retransmissions included).
    pub payload: u64,
}

/// Why a flow's record was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// No packet for longer than its idle timeout.
    Idle,
    /// Closed with FIN in both directions, or reset.
    Closed,
    /// A new connection reused the same 5-tuple.
    Reused,
    /// Evicted to keep the flow table within its limit.
    Evicted,
    /// Still open when the input ended or the snapshot was taken.
    Open,
}

/// TCP connection state as seen from outside.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpState {
    /// FIN seen per direction.
    pub fin: [bool; 2],
    /// A RST was seen.
    pub rst: bool,
}

/// How the client was told apart from the server, weakest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleBasis {
    /// The client's first payload looked like a request, or a TCP handshake was seen.
    Strong,
    /// A well-known server port.
    Port,
    /// Whoever sent the first packet.
    FirstPacket,
}

/// One tracked flow.
#[derive(Debug)]
pub struct Flow {
    /// Sequence number of the flow in the input: stable across runs on the same input.
    pub id: u64,
    /// IP protocol number.
    pub protocol: u8,
    /// The side that opened the flow.
    pub client: Endpoint,
    /// The side that answered.
    pub server: Endpoint,
    /// How client and server were told apart.
    pub role_basis: RoleBasis,
    /// App the flow belongs to.
    pub app: AppKey,
    /// Earliest packet timestamp.
    pub first_seen: Timestamp,
    /// Latest packet timestamp.
    pub last_seen: Timestamp,
    /// Engine time of the last packet (never goes backwards), for idle expiry.
    pub touched: Timestamp,
    /// Client to server.
    pub up: Counters,
    /// Server to client.
    pub down: Counters,
    /// TCP state, for TCP flows.
    pub tcp: TcpState,
    /// What the dissectors found.
    pub obs: Observations,
    /// Dissection in progress; `None` once there is nothing more to learn from this flow.
    pub inspect: Option<Box<Inspection>>,
    /// A name known for the server address when the flow started.
    pub learned_name: Option<Learned>,
}

impl Flow {
    /// The counters of one direction.
    pub fn counters_mut(&mut self, dir: Direction) -> &mut Counters {
        match dir {
            Direction::Up => &mut self.up,
            Direction::Down => &mut self.down,
        }
    }

    /// Direction of a packet sent from `src`.
    pub fn direction_from(&self, src: Endpoint) -> Direction {
        if src == self.client {
            Direction::Up
        } else {
            Direction::Down
        }
    }

    /// A copy of the flow without its dissection state, for reporting a flow that stays open.
    pub fn detached(&self) -> Flow {
        Flow {
            obs: self.obs.clone(),
            inspect: None,
            learned_name: self.learned_name.clone(),
            ..*self
        }
    }

    /// Swaps client and server (when the first payload shows the first guess was wrong).
    pub fn swap_roles(&mut self) {
        core::mem::swap(&mut self.client, &mut self.server);
        core::mem::swap(&mut self.up, &mut self.down);
        self.tcp.fin.swap(0, 1);
        self.role_basis = RoleBasis::Strong;
    }

    /// Seconds without packets after which the flow is closed.
    pub fn idle_timeout(&self) -> u64 {
        match self.protocol {
            PROTO_TCP if self.tcp.rst || self.tcp.fin == [true, true] => 10,
            PROTO_TCP => 300,
            PROTO_UDP if self.server.port == 53 || self.client.port == 53 => 30,
            _ => 120,
        }
    }

    /// TCP connection closed by FIN both ways or by RST.
    pub fn tcp_closed(&self) -> bool {
        self.tcp.rst || self.tcp.fin == [true, true]
    }
}

/// Ports whose holder is taken to be the server when no handshake says otherwise. Sources: IANA
/// service names registry, plus ports the research notes name for Tencent services (8080 and
/// 14000 for WeChat, 8000 for QQ, 1935 for RTMP).
const SERVER_PORTS: &[u16] = &[
    20, 21, 22, 23, 25, 53, 67, 69, 80, 110, 123, 137, 138, 143, 161, 389, 443, 465, 500, 514, 587,
    853, 993, 995, 1080, 1194, 1883, 1935, 2152, 3128, 3306, 3478, 4433, 4500, 5060, 5061, 5222,
    5223, 5228, 5349, 5353, 5355, 5432, 6379, 8000, 8008, 8080, 8081, 8443, 8883, 8888, 9000,
    14000, 19302,
];

/// Whether a port is one a server usually listens on.
pub fn is_server_port(port: u16) -> bool {
    SERVER_PORTS.binary_search(&port).is_ok()
}

/// Decides which endpoint of a new flow is the client, from its first packet: a TCP SYN or
/// SYN-ACK decides; else a well-known server port on exactly one side; else a port below 1024
/// on exactly one side; else the sender of the first packet. Returns (client, server, basis).
pub fn roles(src: Endpoint, dst: Endpoint, syn: Option<bool>) -> (Endpoint, Endpoint, RoleBasis) {
    match syn {
        Some(false) => return (src, dst, RoleBasis::Strong),
        Some(true) => return (dst, src, RoleBasis::Strong),
        None => {}
    }
    let (s, d) = (is_server_port(src.port), is_server_port(dst.port));
    if s != d {
        return if d {
            (src, dst, RoleBasis::Port)
        } else {
            (dst, src, RoleBasis::Port)
        };
    }
    let (s, d) = (src.port < 1024, dst.port < 1024);
    if s != d {
        return if d {
            (src, dst, RoleBasis::Port)
        } else {
            (dst, src, RoleBasis::Port)
        };
    }
    (src, dst, RoleBasis::FirstPacket)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str, port: u16) -> Endpoint {
        Endpoint {
            addr: s.parse().unwrap(),
            port,
        }
    }

    #[test]
    fn key_is_direction_free() {
        let (a, b) = (ep("10.0.0.1", 5000), ep("1.2.3.4", 443));
        assert_eq!(FlowKey::new(6, a, b), FlowKey::new(6, b, a));
        assert_ne!(FlowKey::new(6, a, b), FlowKey::new(17, a, b));
    }

    #[test]
    fn role_rules() {
        let (c, s) = (ep("10.0.0.1", 50000), ep("1.2.3.4", 443));
        assert_eq!(roles(s, c, Some(true)).0, c); // SYN-ACK from the server
        assert_eq!(roles(c, s, Some(false)).0, c);
        assert_eq!(roles(s, c, None), (c, s, RoleBasis::Port)); // mid-stream, server first
        let (x, y) = (ep("10.0.0.1", 40000), ep("10.0.0.2", 31003));
        assert_eq!(roles(x, y, None), (x, y, RoleBasis::FirstPacket));
        assert_eq!(roles(ep("10.0.0.1", 600), y, None).1, ep("10.0.0.1", 600));
        assert!(
            SERVER_PORTS.windows(2).all(|w| w[0] < w[1]),
            "sorted for binary search"
        );
    }
}
