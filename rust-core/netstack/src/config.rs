//! Limits, buffer sizes and timeouts of a [`Netstack`](crate::Netstack).
//!
//! Every quantity the monitored apps can drive (sockets, NAT entries, queued packets and events,
//! buffer memory) has a cap here, so memory stays bounded whatever the apps send.

use crate::error::Error;
use crate::time::Duration;

/// How an ICMP echo request ("ping") from an app is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoMode {
    /// Hand it to the runtime as [`Event::Ping`](crate::Event::Ping); the runtime pings the real
    /// host and calls [`Netstack::echo_reply`](crate::Netstack::echo_reply) when it answers.
    /// Honest: the app sees the real reachability and round-trip time.
    Relay,
    /// Answer at once from the netstack. Every address then seems up with a near-zero RTT, so
    /// this is only for runtimes that cannot send pings themselves.
    Local,
    /// Drop echo requests; the app sees a timeout.
    Drop,
}

/// What the app gets when the runtime reports its upstream connect as unreachable
/// ([`Netstack::tcp_unreachable`](crate::Netstack::tcp_unreachable)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreachableReply {
    /// An ICMP (v4: host unreachable, v6: address unreachable) error quoting the app's SYN: the
    /// app's connect fails with "host unreachable", as it would on a real network.
    Icmp,
    /// A TCP RST: the app's connect fails with "connection refused".
    Rst,
}

/// Limits and timeouts of a [`Netstack`](crate::Netstack). Start from [`Config::default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// MTU of the TUN device in bytes (IP header included). The SYN-ACK's MSS option and every
    /// segment the netstack sends are sized to fit it (MSS = MTU - 40 for IPv4, MTU - 60 for
    /// IPv6). 576..=65535.
    pub mtu: usize,
    /// Seed of smoltcp's generator (initial sequence numbers). The runtime should pass a random
    /// value; tests pass a fixed one for reproducible runs.
    pub random_seed: u64,
    /// Most TCP sockets alive at once, counting connections waiting for their upstream connect
    /// and closed ones lingering. SYNs beyond it are answered with RST.
    pub max_tcp_sockets: usize,
    /// Receive and transmit buffer of a new TCP socket, each, when memory allows. Above 64 KiB
    /// the window is scaled. At most 1 GiB.
    pub tcp_buffer_max: usize,
    /// Smallest buffer a new TCP socket gets when the budget is tight; below it the SYN is
    /// refused.
    pub tcp_buffer_min: usize,
    /// Total bytes of TCP socket buffers (receive plus transmit over all sockets). New sockets
    /// get halved buffers as it fills.
    pub tcp_memory_budget: usize,
    /// A connection whose upstream connect has neither succeeded nor failed after this long
    /// is reset.
    pub tcp_connect_timeout: Duration,
    /// An established connection with no packet from the app and no data from upstream for
    /// this long is reset on both sides.
    pub tcp_idle_timeout: Duration,
    /// How long a closed socket is kept to send its last RST or answer a retransmitted FIN
    /// (a short TIME-WAIT).
    pub tcp_linger: Duration,
    /// smoltcp's delayed-ACK time (`None`: ACK every segment at once).
    pub tcp_ack_delay: Option<Duration>,
    /// Most UDP NAT entries; a new app endpoint beyond it evicts the least recently used one.
    pub max_udp_entries: usize,
    /// Idle time after which a UDP NAT entry expires (RFC 4787 asks for at least 2 minutes).
    pub udp_timeout: Duration,
    /// Idle time after which a UDP NAT entry that only ever sent to port 53 expires.
    pub udp_dns_timeout: Duration,
    /// Most packets waiting in the output queue to the TUN; further packets are dropped
    /// (TCP sends them again later).
    pub max_tun_queue: usize,
    /// Most events caused by app input (new connections, UDP datagrams, pings) waiting to be
    /// popped; beyond it new connections are refused and datagrams dropped.
    pub max_events: usize,
    /// Most payload bytes in waiting events (UDP datagrams and pings).
    pub max_event_bytes: usize,
    /// What to do with ICMP echo requests.
    pub echo: EchoMode,
    /// What the app gets for an unreachable upstream.
    pub unreachable: UnreachableReply,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mtu: 1500,
            random_seed: 0,
            max_tcp_sockets: 1024,
            tcp_buffer_max: 256 * 1024,
            tcp_buffer_min: 16 * 1024,
            tcp_memory_budget: 64 * 1024 * 1024,
            tcp_connect_timeout: Duration::from_secs(30),
            // Longer than Android's push heartbeats (up to 28 minutes on Wi-Fi).
            tcp_idle_timeout: Duration::from_secs(60 * 60),
            tcp_linger: Duration::from_secs(2),
            tcp_ack_delay: Some(Duration::from_millis(10)),
            max_udp_entries: 1024,
            udp_timeout: Duration::from_secs(120),
            udp_dns_timeout: Duration::from_secs(10),
            max_tun_queue: 1024,
            max_events: 4096,
            max_event_bytes: 4 * 1024 * 1024,
            echo: EchoMode::Relay,
            unreachable: UnreachableReply::Icmp,
        }
    }
}

/// Longest timeout accepted: keeps every deadline far from the clock's range.
const MAX_TIMEOUT: Duration = Duration::from_secs(30 * 24 * 3600);

/// smoltcp panics on a receive buffer above this (window scale limit of RFC 7323).
const MAX_TCP_BUFFER: usize = 1 << 30;

impl Config {
    /// Check the values against each other and against what smoltcp accepts.
    pub fn validate(&self) -> Result<(), Error> {
        let check =
            |ok: bool, what: &'static str| if ok { Ok(()) } else { Err(Error::Config(what)) };
        check(
            (576..=65535).contains(&self.mtu),
            "mtu must be within 576..=65535",
        )?;
        check(
            self.max_tcp_sockets > 0,
            "max_tcp_sockets must be at least 1",
        )?;
        check(
            self.tcp_buffer_min >= self.mtu,
            "tcp_buffer_min must hold at least one full-size packet",
        )?;
        check(
            self.tcp_buffer_min <= self.tcp_buffer_max,
            "tcp_buffer_min must not exceed tcp_buffer_max",
        )?;
        check(
            self.tcp_buffer_max <= MAX_TCP_BUFFER,
            "tcp_buffer_max must not exceed 1 GiB",
        )?;
        check(
            self.tcp_memory_budget >= self.tcp_buffer_min.saturating_mul(2),
            "tcp_memory_budget must hold one socket with minimum buffers",
        )?;
        check(
            self.max_udp_entries > 0,
            "max_udp_entries must be at least 1",
        )?;
        check(self.max_tun_queue > 0, "max_tun_queue must be at least 1")?;
        check(self.max_events > 0, "max_events must be at least 1")?;
        check(
            self.max_event_bytes >= 65535,
            "max_event_bytes must hold one largest datagram",
        )?;
        let positive = [
            self.tcp_connect_timeout,
            self.tcp_idle_timeout,
            self.tcp_linger,
            self.udp_timeout,
            self.udp_dns_timeout,
        ];
        check(
            positive.iter().all(|d| d.total_micros() > 0),
            "timeouts must be positive",
        )?;
        let all = positive.iter().chain(self.tcp_ack_delay.iter());
        check(
            all.into_iter().all(|d| *d <= MAX_TIMEOUT),
            "timeouts must not exceed 30 days",
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn rejects_inconsistent_values() {
        let bad = [
            Config {
                mtu: 100,
                ..Config::default()
            },
            Config {
                max_tcp_sockets: 0,
                ..Config::default()
            },
            Config {
                tcp_buffer_min: 1000,
                ..Config::default()
            },
            Config {
                tcp_buffer_min: 1 << 20,
                tcp_buffer_max: 1 << 19,
                ..Config::default()
            },
            Config {
                tcp_buffer_max: 2 << 30,
                ..Config::default()
            },
            Config {
                tcp_memory_budget: 1000,
                ..Config::default()
            },
            Config {
                max_udp_entries: 0,
                ..Config::default()
            },
            Config {
                udp_dns_timeout: Duration::ZERO,
                ..Config::default()
            },
        ];
        for c in bad {
            assert!(matches!(c.validate(), Err(Error::Config(_))), "{c:?}");
        }
    }
}
