//! Telltale's sans-IO relay between a TUN device and the runtime's upstream sockets.
//!
//! Apps on the monitored side send IP packets into a TUN device; the runtime reads them and
//! feeds them to a [`Netstack`], which
//! - terminates TCP with smoltcp: one socket per SYN, for any destination, its SYN-ACK held
//!   until the runtime's upstream connect succeeds, so the app sees the real outcome (RST for a
//!   refused upstream, an ICMP unreachable or RST for an unreachable one);
//! - passes UDP through an endpoint-independent NAT table, with a short timeout for DNS;
//! - relays ICMP echo requests (or answers them, see [`EchoMode`]);
//! - handles IPv4 and IPv6.
//!
//! It does no I/O, starts no threads and reads no clock: every call takes `now`, and the same
//! inputs give the same outputs, which is how `tests/` runs it over a simulated lossy link.
//! Memory is bounded wherever app input drives it (sockets, buffer bytes, NAT entries, queued
//! packets and events: see [`Config`]), and no packet can make it panic.
//!
//! # Calling protocol
//!
//! ```text
//! loop {
//!     for each packet read from the TUN:     ns.on_tun_packet(now, &packet)
//!     for each upstream outcome:             ns.tcp_connected(now, id) / tcp_refused /
//!                                            tcp_unreachable / tcp_upstream_data /
//!                                            tcp_upstream_closed / tcp_upstream_reset /
//!                                            udp_reply / echo_reply
//!     ns.poll(now)
//!     while let Some(p) = ns.pop_tun_packet() { write p to the TUN }
//!     while let Some(e) = ns.pop_event()      { act on e (below) }
//!     wait for I/O or until ns.poll_at(now)
//! }
//! ```
//!
//! Events ([`Event`]): `TcpConnect` (connect upstream), `TcpReadable` (pull the app's bytes
//! with [`Netstack::tcp_read`] as fast as upstream takes them: the app's window only opens as
//! they are read), `TcpWritable` (room again for [`Netstack::tcp_upstream_data`], which accepts
//! only what fits), `TcpAppClosed` (shut down upstream's writing side), `TcpClosed` (exactly
//! once per connection; its reason says whether to close or reset upstream), `UdpSend`,
//! `UdpExpired`, `Ping`.
//!
//! A runtime answer naming a connection that has meanwhile closed returns
//! [`Error::UnknownTcp`]; the runtime should then drop its upstream side.
//!
//! # Not handled (yet)
//!
//! IPv4 fragments and IPv6 extension headers are dropped and counted (the front end is
//! expected to reassemble); UDP replies larger than the MTU are refused
//! ([`Error::TooLarge`]) rather than fragmented.
//!
//! smoltcp limits that show through: SACK is receive-side only; the minimum RTO is 1 s; after a
//! retransmission timeout its pure ACKs carry the rewound sequence number, which a strict peer
//! ignores until the retransmission catches up (a stall of about one round trip or RTO; with
//! smoltcp at both ends and data lost both ways it would never end, which is why the simulated
//! app side in `tests/` sends its ACKs the way Linux does).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod device;
mod error;
mod event;
mod icmp;
mod packet;
mod stack;
mod tcp;
pub mod time;
mod udp;

pub use config::{Config, EchoMode, UnreachableReply};
pub use error::Error;
pub use event::{CloseReason, EchoRequest, Event, TcpId, UdpId};
pub use stack::{Netstack, Stats};
pub use time::{Duration, Instant};
