//! The uid owning a socket, from `/proc/net/{tcp,tcp6,udp,udp6}` text: Android before 10
//! (from Android 10 on these files are closed to apps and `getConnectionOwnerUid` answers).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use telltale_runtime::FlowTuple;

/// One socket line of a `/proc/net` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The socket's own address.
    pub local: SocketAddr,
    /// The peer (unspecified, port 0, for an unconnected socket).
    pub remote: SocketAddr,
    /// The owner's uid.
    pub uid: u32,
}

/// An address as the kernel prints it: `%08X:%04X` (IPv4) or `%08X%08X%08X%08X:%04X` (IPv6),
/// each 32-bit word in the host's byte order.
fn parse_addr(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let hex = ip.get(i * 8..i * 8 + 8)?;
        Some(u32::from_str_radix(hex, 16).ok()?.to_ne_bytes())
    };
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut b = [0u8; 16];
            for (i, chunk) in b.chunks_exact_mut(4).enumerate() {
                chunk.copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// The socket lines of a table's text; the header and malformed lines are skipped.
pub fn parse_table(text: &str) -> impl Iterator<Item = Entry> + '_ {
    text.lines().filter_map(|line| {
        let mut f = line.split_whitespace();
        let _slot = f.next()?;
        let local = parse_addr(f.next()?)?;
        let remote = parse_addr(f.next()?)?;
        // st, tx_queue:rx_queue, tr:tm->when, retrnsmt, then uid.
        let uid = f.nth(4)?.parse().ok()?;
        Some(Entry { local, remote, uid })
    })
}

/// An IPv4-mapped IPv6 address (a dual-stack socket in `tcp6`) as the IPv4 address it is.
fn canonical(a: SocketAddr) -> SocketAddr {
    match a.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), a.port()),
            None => a,
        },
        IpAddr::V4(_) => a,
    }
}

/// The uid owning `flow` among `entries`: a socket with both endpoints equal first, else
/// (UDP, listening sockets) an unconnected one on the same local port whose address is the
/// flow's or unspecified.
pub fn find_uid(flow: &FlowTuple, entries: impl IntoIterator<Item = Entry>) -> Option<u32> {
    let (local, remote) = (canonical(flow.local), canonical(flow.remote));
    let mut loose = None;
    for e in entries {
        let (el, er) = (canonical(e.local), canonical(e.remote));
        if el.port() != local.port() {
            continue;
        }
        if el.ip() == local.ip() && er == remote {
            return Some(e.uid);
        }
        if er.port() == 0
            && er.ip().is_unspecified()
            && (el.ip() == local.ip() || el.ip().is_unspecified())
            && loose.is_none()
        {
            loose = Some(e.uid);
        }
    }
    loose
}

/// The `/proc/net` tables to search for a protocol (6 TCP, 17 UDP); none for others.
pub fn tables(protocol: u8) -> &'static [&'static str] {
    match protocol {
        6 => &["/proc/net/tcp", "/proc/net/tcp6"],
        17 => &["/proc/net/udp", "/proc/net/udp6"],
        _ => &[],
    }
}

/// The uid owning `flow`, read from this system's `/proc/net` tables; `None` when no table
/// can be read or none has the socket.
pub fn lookup(flow: &FlowTuple) -> Option<u32> {
    tables(flow.protocol).iter().find_map(|path| {
        let text = std::fs::read_to_string(path).ok()?;
        find_uid(flow, parse_table(&text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(protocol: u8, local: &str, remote: &str) -> FlowTuple {
        FlowTuple {
            protocol,
            local: local.parse().unwrap(),
            remote: remote.parse().unwrap(),
        }
    }

    /// A table line for `local` -> `remote` owned by `uid`, as this host's kernel prints it.
    fn line(local: SocketAddr, remote: SocketAddr, uid: u32) -> String {
        fn addr(a: SocketAddr) -> String {
            let ip = match a.ip() {
                IpAddr::V4(v4) => format!("{:08X}", u32::from_ne_bytes(v4.octets())),
                IpAddr::V6(v6) => v6
                    .octets()
                    .chunks_exact(4)
                    .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
                    .collect(),
            };
            format!("{ip}:{:04X}", a.port())
        }
        format!(
            "   0: {} {} 01 00000000:00000000 00:00000000 00000000 {uid:>5}        0 12345 1 0000000000000000 20 4 30 10 -1",
            addr(local),
            addr(remote)
        )
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn parses_kernel_text() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
           0: 0100007F:0050 0200000A:D431 01 00000000:00000000 00:00000000 00000000 10123        0 1 1 0 20 4 30 10 -1\n\
           garbage\n";
        let e: Vec<Entry> = parse_table(text).collect();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].local, "127.0.0.1:80".parse().unwrap());
        assert_eq!(e[0].remote, "10.0.0.2:54321".parse().unwrap());
        assert_eq!(e[0].uid, 10123);
        let v6 = "   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2\n";
        let e: Vec<Entry> = parse_table(v6).collect();
        assert_eq!(e[0].local, "[::1]:8080".parse().unwrap());
        assert_eq!(e[0].uid, 1000);
    }

    #[test]
    fn finds_exact_then_unconnected_sockets() {
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        let text = [
            line(a("10.0.0.2:40000"), a("0.0.0.0:0"), 1),
            line(a("10.0.0.2:40000"), a("192.0.2.1:443"), 2),
            line(a("[::ffff:10.0.0.2]:40001"), a("[::ffff:192.0.2.1]:80"), 3),
            line(a("0.0.0.0:5353"), a("0.0.0.0:0"), 4),
        ]
        .join("\n");
        let find = |t: FlowTuple| find_uid(&t, parse_table(&text));
        assert_eq!(find(tuple(6, "10.0.0.2:40000", "192.0.2.1:443")), Some(2));
        assert_eq!(find(tuple(6, "10.0.0.2:40001", "192.0.2.1:80")), Some(3));
        assert_eq!(find(tuple(17, "10.0.0.2:5353", "192.0.2.9:53")), Some(4));
        assert_eq!(find(tuple(17, "10.0.0.2:40000", "192.0.2.9:53")), Some(1));
        assert_eq!(find(tuple(6, "10.0.0.2:1", "192.0.2.1:443")), None);
        assert!(tables(1).is_empty());
    }

    #[test]
    fn finds_a_socket_of_this_process() {
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(server.local_addr().unwrap()).unwrap();
        let flow = FlowTuple {
            protocol: 6,
            local: client.local_addr().unwrap(),
            remote: client.peer_addr().unwrap(),
        };
        // SAFETY: getuid has no preconditions.
        let me = unsafe { libc::getuid() };
        match std::fs::metadata("/proc/net/tcp") {
            Ok(_) => assert_eq!(lookup(&flow), Some(me)),
            Err(_) => eprintln!("skipped: no /proc/net/tcp"),
        }
    }

    proptest::proptest! {
        /// Any text: no panic, and every entry comes from a line that has one.
        #[test]
        fn any_text_is_safe(text in "\\PC{0,400}") {
            let n = parse_table(&text).count();
            proptest::prop_assert!(n <= text.lines().count());
        }

        /// Lines as the kernel prints them read back exactly, both families, any uid.
        #[test]
        fn kernel_lines_round_trip(
            v6 in proptest::bool::ANY,
            l in proptest::prelude::any::<[u8; 16]>(),
            r in proptest::prelude::any::<[u8; 16]>(),
            ports in proptest::prelude::any::<(u16, u16)>(),
            uid in proptest::prelude::any::<u32>(),
        ) {
            let ip = |b: [u8; 16]| -> IpAddr {
                if v6 {
                    IpAddr::V6(Ipv6Addr::from(b))
                } else {
                    IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
                }
            };
            let local = SocketAddr::new(ip(l), ports.0);
            let remote = SocketAddr::new(ip(r), ports.1);
            let e: Vec<Entry> = parse_table(&line(local, remote, uid)).collect();
            proptest::prop_assert_eq!(e, vec![Entry { local, remote, uid }]);
        }
    }
}
