//! What the netstack asks of the runtime: the [`Event`]s, and the ids naming flows in them.

use std::collections::VecDeque;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// Names one TCP connection from its SYN to its [`Event::TcpClosed`]. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TcpId(pub u64);

/// Names one UDP NAT entry (one app endpoint) until [`Event::UdpExpired`]. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UdpId(pub u64);

impl fmt::Display for TcpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tcp#{}", self.0)
    }
}

impl fmt::Display for UdpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "udp#{}", self.0)
    }
}

/// Why a TCP connection ended ([`Event::TcpClosed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Both sides sent FIN and the app's data was all read: close upstream gracefully.
    Normal,
    /// The app sent RST: reset the upstream connection (RST propagation).
    AppReset,
    /// No upstream verdict within [`Config::tcp_connect_timeout`](crate::Config::tcp_connect_timeout); the app got RST.
    ConnectTimeout,
    /// Idle for [`Config::tcp_idle_timeout`](crate::Config::tcp_idle_timeout); the app got RST: reset upstream.
    IdleTimeout,
    /// The runtime called [`Netstack::tcp_refused`](crate::Netstack::tcp_refused).
    Refused,
    /// The runtime called [`Netstack::tcp_unreachable`](crate::Netstack::tcp_unreachable).
    Unreachable,
    /// The runtime called [`Netstack::tcp_upstream_reset`](crate::Netstack::tcp_upstream_reset).
    UpstreamReset,
}

/// An ICMP echo request an app sent, as the runtime needs it to ping the real host, and as
/// [`Netstack::echo_reply`](crate::Netstack::echo_reply) needs it back to answer the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoRequest {
    /// The app's address.
    pub src: IpAddr,
    /// The address pinged.
    pub dst: IpAddr,
    /// ICMP identifier.
    pub ident: u16,
    /// ICMP sequence number.
    pub seq_no: u16,
    /// Echo data, returned unchanged in the reply.
    pub payload: Vec<u8>,
}

/// Something the runtime must act on. Pop them with [`Netstack::pop_event`](crate::Netstack::pop_event) after every
/// call that feeds the netstack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An app sent a SYN from `src` to `dst`: connect upstream to `dst`, then report with
    /// `tcp_connected`, `tcp_refused` or `tcp_unreachable`. The app gets no SYN-ACK until then.
    TcpConnect {
        /// The new connection.
        id: TcpId,
        /// The app's endpoint.
        src: SocketAddr,
        /// The endpoint the app wants to reach.
        dst: SocketAddr,
    },
    /// The app sent data: call [`Netstack::tcp_read`](crate::Netstack::tcp_read) until it returns 0. Edge-triggered: not
    /// emitted again until a read has emptied the buffer.
    TcpReadable {
        /// The connection.
        id: TcpId,
    },
    /// Room freed up in the buffer towards the app after `tcp_upstream_data` accepted less than
    /// it was offered: offer the rest again.
    TcpWritable {
        /// The connection.
        id: TcpId,
    },
    /// The app closed its sending side (FIN) and every byte before it has been read: shut down
    /// the upstream socket's writing side. The connection stays open the other way.
    TcpAppClosed {
        /// The connection.
        id: TcpId,
    },
    /// The connection is gone (emitted exactly once per [`Event::TcpConnect`], also for closes
    /// the runtime asked for); its id is no longer valid.
    TcpClosed {
        /// The connection.
        id: TcpId,
        /// Why it ended, and so how to end the upstream side.
        reason: CloseReason,
    },
    /// An app sent a UDP datagram: send `payload` to `dst` from the upstream socket of entry
    /// `id` (open one for an id not seen before). One entry per app endpoint, whatever `dst`
    /// (endpoint-independent mapping), so replies from any address are passed back.
    UdpSend {
        /// The NAT entry (one app endpoint).
        id: UdpId,
        /// The app's endpoint.
        src: SocketAddr,
        /// Where the datagram goes.
        dst: SocketAddr,
        /// The datagram's payload.
        payload: Vec<u8>,
    },
    /// The UDP entry expired or was evicted: close its upstream socket.
    UdpExpired {
        /// The entry.
        id: UdpId,
    },
    /// An app sent an ICMP echo request ([`EchoMode::Relay`](crate::EchoMode::Relay)): ping
    /// `dst`, and call [`Netstack::echo_reply`](crate::Netstack::echo_reply) with it if a reply comes.
    Ping(EchoRequest),
}

impl Event {
    /// Whether app input created this event (it counts against
    /// [`Config::max_events`](crate::Config::max_events)), and its payload size.
    pub(crate) fn input_cost(&self) -> Option<usize> {
        match self {
            Event::TcpConnect { .. } => Some(0),
            Event::UdpSend { payload, .. } => Some(payload.len()),
            Event::Ping(req) => Some(req.payload.len()),
            _ => None,
        }
    }
}

/// The events waiting for the runtime. Events that app input creates (new connections,
/// datagrams, pings) are capped in number and payload bytes; the others are bounded by the
/// number of connections and entries, so the queue is bounded whatever the apps send.
#[derive(Debug)]
pub(crate) struct EventQueue {
    queue: VecDeque<Event>,
    input_events: usize,
    input_bytes: usize,
    max_events: usize,
    max_bytes: usize,
}

impl EventQueue {
    pub(crate) fn new(max_events: usize, max_bytes: usize) -> Self {
        EventQueue {
            queue: VecDeque::new(),
            input_events: 0,
            input_bytes: 0,
            max_events,
            max_bytes,
        }
    }

    /// Whether one more input event with `bytes` of payload fits.
    pub(crate) fn has_room(&self, bytes: usize) -> bool {
        self.input_events < self.max_events
            && self.input_bytes.saturating_add(bytes) <= self.max_bytes
    }

    pub(crate) fn push(&mut self, event: Event) {
        if let Some(bytes) = event.input_cost() {
            self.input_events += 1;
            self.input_bytes = self.input_bytes.saturating_add(bytes);
        }
        self.queue.push_back(event);
    }

    pub(crate) fn pop(&mut self) -> Option<Event> {
        let event = self.queue.pop_front()?;
        if let Some(bytes) = event.input_cost() {
            self.input_events = self.input_events.saturating_sub(1);
            self.input_bytes = self.input_bytes.saturating_sub(bytes);
        }
        Some(event)
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_events_are_capped_by_count_and_bytes() {
        let mut q = EventQueue::new(2, 10);
        let send = |n: usize| Event::UdpSend {
            id: UdpId(0),
            src: "10.0.0.2:1".parse().unwrap(),
            dst: "192.0.2.1:2".parse().unwrap(),
            payload: vec![0; n],
        };
        assert!(q.has_room(6));
        q.push(send(6));
        assert!(!q.has_room(5), "bytes");
        q.push(Event::TcpReadable { id: TcpId(1) });
        assert!(q.has_room(4), "lifecycle events are not counted");
        q.push(send(4));
        assert!(!q.has_room(0), "count");
        assert!(matches!(q.pop(), Some(Event::UdpSend { .. })));
        assert!(q.has_room(0));
        assert_eq!(q.len(), 2);
    }
}
