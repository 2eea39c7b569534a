//! Pinging for the apps ([`telltale_netstack::EchoMode::Relay`]): one ICMP socket per address
//! family, an unprivileged "ping socket" where the system allows it (Android does;
//! `net.ipv4.ping_group_range`), else a raw socket (needs `CAP_NET_RAW`). Requests go out
//! under sequence numbers of our own, so that replies find the app request they answer.

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::net::SocketAddr;
use telltale_netstack::{EchoRequest, Instant};

/// Requests waiting for their reply, at most; the oldest is forgotten beyond it.
const MAX_PENDING: usize = 1024;
/// How long a request waits for its reply.
const PENDING_MICROS: i64 = 30_000_000;

/// One family's ICMP socket.
pub(crate) struct PingSocket {
    pub(crate) socket: Socket,
    /// Raw sockets see every echo reply of the host, with the IPv4 header: filter on `ident`.
    raw: bool,
    v6: bool,
    ident: u16,
    next_seq: u16,
    pending: HashMap<u16, (EchoRequest, Instant)>,
    order: VecDeque<u16>,
}

impl PingSocket {
    /// A non-blocking ICMP socket of the family; `protect` is applied before use.
    pub(crate) fn new(v6: bool, ident: u16, protect: impl FnOnce(&Socket) -> bool) -> Option<Self> {
        let (domain, proto) = if v6 {
            (Domain::IPV6, Protocol::ICMPV6)
        } else {
            (Domain::IPV4, Protocol::ICMPV4)
        };
        let (socket, raw) = match Socket::new(domain, Type::DGRAM, Some(proto)) {
            Ok(s) => (s, false),
            Err(_) => (
                Socket::new(domain, Type::from(libc::SOCK_RAW), Some(proto)).ok()?,
                true,
            ),
        };
        socket.set_nonblocking(true).ok()?;
        if !protect(&socket) {
            return None;
        }
        Some(PingSocket {
            socket,
            raw,
            v6,
            ident,
            next_seq: 0,
            pending: HashMap::new(),
            order: VecDeque::new(),
        })
    }

    /// Sends `req` to its destination; false when it could not be sent.
    pub(crate) fn send(&mut self, now: Instant, req: EchoRequest) -> bool {
        self.next_seq = self.next_seq.wrapping_add(1);
        let seq = self.next_seq;
        let kind = if self.v6 { 128 } else { 8 };
        let mut packet = Vec::with_capacity(8 + req.payload.len());
        packet.extend_from_slice(&[kind, 0, 0, 0]);
        packet.extend_from_slice(&self.ident.to_be_bytes());
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&req.payload);
        if !self.v6 {
            // ICMPv6 checksums cover a pseudo-header and are filled by the kernel.
            let sum = checksum(&packet).to_be_bytes();
            packet[2] = sum[0];
            packet[3] = sum[1];
        }
        let dst = SockAddr::from(SocketAddr::new(req.dst, 0));
        if self.socket.send_to(&packet, &dst).is_err() {
            return false;
        }
        if self.order.len() >= MAX_PENDING
            && let Some(old) = self.order.pop_front()
        {
            self.pending.remove(&old);
        }
        self.pending.insert(seq, (req, now));
        self.order.push_back(seq);
        true
    }

    /// The app requests answered by the replies waiting on the socket (at most `limit`);
    /// the bool says whether more may be waiting.
    pub(crate) fn receive(&mut self, now: Instant, limit: usize) -> (Vec<EchoRequest>, bool) {
        let mut answered = Vec::new();
        let mut buf = [0u8; 2048];
        for _ in 0..limit {
            let n = match (&self.socket).read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return (answered, false),
            };
            let mut icmp = buf.get(..n).unwrap_or(&[]);
            if self.raw && !self.v6 {
                // Raw IPv4 sockets deliver the IP header too.
                let ihl = usize::from(icmp.first().map_or(0, |b| b & 0x0f)) * 4;
                icmp = icmp.get(ihl..).unwrap_or(&[]);
            }
            let reply_kind = if self.v6 { 129 } else { 0 };
            let (Some(&kind), Some(ident), Some(seq)) =
                (icmp.first(), icmp.get(4..6), icmp.get(6..8))
            else {
                continue;
            };
            let ident = u16::from_be_bytes([ident[0], ident[1]]);
            let seq = u16::from_be_bytes([seq[0], seq[1]]);
            // Ping sockets set the identifier themselves and deliver only their own replies.
            if kind != reply_kind || (self.raw && ident != self.ident) {
                continue;
            }
            if let Some((req, _)) = self.pending.remove(&seq) {
                answered.push(req);
            }
        }
        self.expire(now);
        (answered, true)
    }

    fn expire(&mut self, now: Instant) {
        while let Some(seq) = self.order.front().copied() {
            match self.pending.get(&seq) {
                Some((_, at)) if now.total_micros() - at.total_micros() <= PENDING_MICROS => break,
                _ => {
                    self.order.pop_front();
                    self.pending.remove(&seq);
                }
            }
        }
    }
}

/// The Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let Some(&last) = chunks.remainder().first() {
        sum += u32::from(last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_rfc_1071_example() {
        // RFC 1071 section 3: the sum of these words is 0xddf2, so the checksum is !0xddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&data), !0xddf2);
        assert_eq!(checksum(&[0xff]), !0xff00);
    }
}
