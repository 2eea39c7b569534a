//! The errors the runtime-facing calls of [`Netstack`](crate::Netstack) return.
//!
//! Packets from the TUN never produce an error: a packet the netstack cannot use is dropped
//! and counted in [`Stats`](crate::Stats).

use crate::event::{TcpId, UdpId};

/// Why a call from the runtime was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The configuration is inconsistent; the text names the field.
    #[error("invalid netstack configuration: {0}")]
    Config(&'static str),
    /// No such TCP connection: never opened, or already closed ([`Event::TcpClosed`](crate::Event::TcpClosed) was emitted).
    #[error("no TCP connection {0}")]
    UnknownTcp(TcpId),
    /// The call only applies while the upstream connect is pending, and it is not.
    #[error("TCP connection {0} is not waiting for its upstream connect")]
    NotPending(TcpId),
    /// Data or a close from upstream cannot go to the app any more (not yet connected, or the
    /// netstack's sending side is already closed).
    #[error("TCP connection {0} cannot send to the app")]
    NotWritable(TcpId),
    /// No such UDP NAT entry: never created, or expired.
    #[error("no UDP NAT entry {0}")]
    UnknownUdp(UdpId),
    /// An IPv4 address where IPv6 was needed, or the reverse.
    #[error("address family does not match the flow's")]
    AddressFamily,
    /// The packet would exceed the TUN's MTU.
    #[error("packet of {len} bytes exceeds the MTU of {mtu}")]
    TooLarge {
        /// Size the packet would have.
        len: usize,
        /// The configured MTU.
        mtu: usize,
    },
    /// The output queue to the TUN is full; pop packets first.
    #[error("TUN output queue is full")]
    QueueFull,
}
