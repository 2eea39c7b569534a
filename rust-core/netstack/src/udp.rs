//! UDP without a stack: an endpoint-independent NAT table and the reply packets to the app.
//!
//! One entry per app endpoint (address and port), whatever it sends to (RFC 4787
//! endpoint-independent mapping, which keeps STUN and WebRTC working); the runtime opens one
//! upstream socket per entry. Entries expire when idle: quickly when they only ever spoke to
//! port 53 (DNS), after [`Config::udp_timeout`] otherwise. A full table evicts the least recently
//! used entry.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{IpProtocol, UdpPacket, UdpRepr};

use crate::config::Config;
use crate::error::Error;
use crate::event::UdpId;
use crate::packet::{build_v4, build_v6, copy_into};
use crate::time::{Duration, Instant, after};

const DNS_PORT: u16 = 53;

/// One app endpoint's mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The app's endpoint.
    pub(crate) src: SocketAddr,
    pub(crate) last_activity: Instant,
    /// Every datagram so far went to port 53: the short DNS timeout applies.
    pub(crate) dns_only: bool,
}

impl Entry {
    fn timeout(&self, config: &Config) -> Duration {
        if self.dns_only {
            config.udp_dns_timeout
        } else {
            config.udp_timeout
        }
    }

    fn deadline(&self, config: &Config) -> Instant {
        after(self.last_activity, self.timeout(config))
    }
}

/// The NAT table.
#[derive(Debug, Default)]
pub(crate) struct Nat {
    entries: BTreeMap<UdpId, Entry>,
    by_src: HashMap<SocketAddr, UdpId>,
    next_id: u64,
}

impl Nat {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn get(&self, id: UdpId) -> Option<&Entry> {
        self.entries.get(&id)
    }

    /// Note a datagram from `src` to `dst`: the entry's id, and the id of an entry evicted to
    /// make room for a new one.
    pub(crate) fn outbound(
        &mut self,
        now: Instant,
        src: SocketAddr,
        dst: SocketAddr,
        max_entries: usize,
    ) -> (UdpId, Option<UdpId>) {
        if let Some(&id) = self.by_src.get(&src)
            && let Some(entry) = self.entries.get_mut(&id)
        {
            entry.last_activity = now;
            entry.dns_only &= dst.port() == DNS_PORT;
            return (id, None);
        }
        let evicted = if self.entries.len() >= max_entries {
            self.evict_lru()
        } else {
            None
        };
        let id = UdpId(self.next_id);
        self.next_id += 1;
        self.entries.insert(
            id,
            Entry {
                src,
                last_activity: now,
                dns_only: dst.port() == DNS_PORT,
            },
        );
        self.by_src.insert(src, id);
        (id, evicted)
    }

    /// A reply went back to the app: the mapping is in use.
    pub(crate) fn touch(&mut self, id: UdpId, now: Instant) -> Option<&Entry> {
        let entry = self.entries.get_mut(&id)?;
        entry.last_activity = now;
        Some(entry)
    }

    pub(crate) fn remove(&mut self, id: UdpId) -> Option<Entry> {
        let entry = self.entries.remove(&id)?;
        self.by_src.remove(&entry.src);
        Some(entry)
    }

    /// O(entries), only when the table is full.
    fn evict_lru(&mut self) -> Option<UdpId> {
        let id = self
            .entries
            .iter()
            .min_by_key(|(_, e)| e.last_activity)
            .map(|(id, _)| *id)?;
        self.remove(id);
        Some(id)
    }

    /// Remove the entries idle past their timeout, oldest id first.
    pub(crate) fn expire(&mut self, now: Instant, config: &Config) -> Vec<UdpId> {
        let expired: Vec<UdpId> = self
            .entries
            .iter()
            .filter(|(_, e)| now >= e.deadline(config))
            .map(|(id, _)| *id)
            .collect();
        for id in &expired {
            self.remove(*id);
        }
        expired
    }

    /// When the next entry expires.
    pub(crate) fn next_deadline(&self, config: &Config) -> Option<Instant> {
        self.entries.values().map(|e| e.deadline(config)).min()
    }
}

/// Put `addr` in the family of `like`: a v4-mapped IPv6 address becomes IPv4 and the reverse,
/// since a dual-stack upstream socket may report either form.
pub(crate) fn same_family(addr: IpAddr, like: IpAddr) -> Result<IpAddr, Error> {
    match (addr, like) {
        (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => Ok(addr),
        (IpAddr::V4(a), IpAddr::V6(_)) => Ok(IpAddr::V6(a.to_ipv6_mapped())),
        (IpAddr::V6(a), IpAddr::V4(_)) => a
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .ok_or(Error::AddressFamily),
    }
}

/// Build the IP/UDP packet carrying `payload` from `from` to `to`, checksums filled.
pub(crate) fn build_datagram(
    from: SocketAddr,
    to: SocketAddr,
    payload: &[u8],
    mtu: usize,
) -> Result<Vec<u8>, Error> {
    let udp_len = 8usize.saturating_add(payload.len());
    let repr = UdpRepr {
        src_port: from.port(),
        dst_port: to.port(),
    };
    let (src_ip, dst_ip) = (from.ip().into(), to.ip().into());
    let fill = |buf: &mut [u8]| {
        let mut udp = UdpPacket::new_unchecked(buf);
        let caps = ChecksumCapabilities::default();
        repr.emit(
            &mut udp,
            &src_ip,
            &dst_ip,
            payload.len(),
            |p| copy_into(p, payload),
            &caps,
        );
    };
    match (from.ip(), to.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => build_v4(s, d, IpProtocol::Udp, udp_len, mtu, fill),
        (IpAddr::V6(s), IpAddr::V6(d)) => build_v6(s, d, IpProtocol::Udp, udp_len, mtu, fill),
        _ => Err(Error::AddressFamily),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smoltcp::wire::{IpAddress, Ipv4Packet, Ipv4Repr};

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn mapping_is_endpoint_independent() {
        let mut nat = Nat::default();
        let t = Instant::ZERO;
        let (a, _) = nat.outbound(t, addr("10.0.0.2:4000"), addr("192.0.2.1:3478"), 8);
        let (b, _) = nat.outbound(t, addr("10.0.0.2:4000"), addr("198.51.100.7:9"), 8);
        let (c, _) = nat.outbound(t, addr("10.0.0.2:4001"), addr("192.0.2.1:3478"), 8);
        assert_eq!(a, b, "same app endpoint, other destination: same entry");
        assert_ne!(a, c);
        assert_eq!(nat.len(), 2);
    }

    #[test]
    fn dns_entries_expire_sooner_and_full_table_evicts_lru() {
        let config = Config {
            udp_dns_timeout: Duration::from_secs(5),
            udp_timeout: Duration::from_secs(60),
            ..Config::default()
        };
        let mut nat = Nat::default();
        let (dns, _) = nat.outbound(
            Instant::ZERO,
            addr("10.0.0.2:5000"),
            addr("192.0.2.53:53"),
            2,
        );
        let (other, _) = nat.outbound(
            Instant::from_secs(1),
            addr("10.0.0.2:5001"),
            addr("192.0.2.1:443"),
            2,
        );
        assert_eq!(nat.next_deadline(&config), Some(Instant::from_secs(5)));
        assert_eq!(nat.expire(Instant::from_secs(5), &config), vec![dns]);
        assert_eq!(nat.expire(Instant::from_secs(60), &config), vec![]);
        let (third, _) = nat.outbound(
            Instant::from_secs(2),
            addr("10.0.0.2:5002"),
            addr("192.0.2.1:443"),
            2,
        );
        let (_, evicted) = nat.outbound(
            Instant::from_secs(3),
            addr("10.0.0.2:5003"),
            addr("192.0.2.1:443"),
            2,
        );
        assert_eq!(evicted, Some(other), "least recently used goes");
        assert!(nat.get(third).is_some());
        assert_eq!(nat.len(), 2);
    }

    #[test]
    fn datagram_has_valid_checksums() {
        let pkt =
            build_datagram(addr("192.0.2.1:53"), addr("10.0.0.2:5000"), b"answer", 1500).unwrap();
        let ip = Ipv4Packet::new_checked(&pkt[..]).unwrap();
        let repr = Ipv4Repr::parse(&ip, &ChecksumCapabilities::default()).unwrap();
        let udp = UdpPacket::new_checked(ip.payload()).unwrap();
        let (s, d) = (
            IpAddress::from(repr.src_addr),
            IpAddress::from(repr.dst_addr),
        );
        UdpRepr::parse(&udp, &s, &d, &ChecksumCapabilities::default()).unwrap();
        assert_eq!(udp.payload(), b"answer");
        assert_eq!(
            build_datagram(addr("[::1]:53"), addr("10.0.0.2:5000"), b"", 1500),
            Err(Error::AddressFamily)
        );
    }

    #[test]
    fn mapped_addresses_are_converted() {
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(same_family(mapped, v4), Ok(v4));
        assert_eq!(same_family(v4, v6), Ok(mapped));
        assert_eq!(same_family(v6, v4), Err(Error::AddressFamily));
    }
}
