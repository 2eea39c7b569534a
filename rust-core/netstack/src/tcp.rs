//! TCP termination bookkeeping: one smoltcp socket per app connection, its buffer memory, and
//! what its state means for the runtime.
//!
//! smoltcp cannot listen on "any address and port", so the netstack makes a socket for each
//! SYN it sees, listening on exactly the SYN's destination, with the SYN-ACK paused until the
//! runtime's upstream connect succeeds. Sockets are counted and their buffers budgeted: a new
//! socket gets the largest buffer (halving from [`Config::tcp_buffer_max`]) that still fits the
//! budget, or the SYN is refused.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;

use smoltcp::iface::{SocketHandle, SocketSet};
use smoltcp::socket::tcp::{CongestionControl, Socket, SocketBuffer, State};
use smoltcp::wire::IpListenEndpoint;

use crate::config::Config;
use crate::event::{CloseReason, Event, EventQueue, TcpId};
use crate::packet::{Quote, TcpSeg};
use crate::time::{Instant, after};

/// (app endpoint, destination endpoint).
pub(crate) type Tuple = (SocketAddr, SocketAddr);

/// A live connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) handle: SocketHandle,
    pub(crate) tuple: Tuple,
    /// Receive plus transmit buffer bytes.
    pub(crate) buffer_bytes: usize,
    /// The runtime reported the upstream connect as done: the SYN-ACK is released and the
    /// socket is in the polled set (before that it waits in the pending set).
    pub(crate) connected: bool,
    pub(crate) created: Instant,
    /// Last packet from the app, or data or close from upstream.
    pub(crate) last_activity: Instant,
    /// `TcpReadable` sent and not yet followed by a read that emptied the buffer.
    pub(crate) readable_notified: bool,
    /// `tcp_upstream_data` accepted less than offered; `TcpWritable` is owed.
    pub(crate) write_blocked: bool,
    pub(crate) app_closed_notified: bool,
    /// The app's SYN, for an ICMP unreachable.
    pub(crate) quote: Option<Quote>,
}

impl Conn {
    /// When the connection times out if nothing happens.
    pub(crate) fn deadline(&self, config: &Config) -> Instant {
        if self.connected {
            after(self.last_activity, config.tcp_idle_timeout)
        } else {
            after(self.created, config.tcp_connect_timeout)
        }
    }
}

/// A socket whose connection is over for the runtime, kept a little to send its RST or to ACK
/// a retransmitted FIN (a short TIME-WAIT).
#[derive(Debug)]
struct Linger {
    handle: SocketHandle,
    tuple: Tuple,
    deadline: Instant,
    buffer_bytes: usize,
}

/// What [`refresh`] found a connection's fate to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Keep,
    /// Over: remove the socket now.
    Close(CloseReason),
    /// Over for the runtime; the socket lingers.
    Linger(CloseReason),
}

/// All TCP connections and lingering sockets.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) conns: BTreeMap<TcpId, Conn>,
    by_tuple: HashMap<Tuple, TcpId>,
    lingering: VecDeque<Linger>,
    /// Buffer bytes of every socket in the set.
    allocated: usize,
    /// Sockets in the set: added by `add_socket`, taken out by `free`. Outside those two calls
    /// this is the number of live connections plus lingering sockets.
    in_set: usize,
    next_id: u64,
}

impl Table {
    pub(crate) fn lookup(&self, tuple: &Tuple) -> Option<TcpId> {
        self.by_tuple.get(tuple).copied()
    }

    /// Sockets in the set: live connections and lingering ones.
    pub(crate) fn socket_count(&self) -> usize {
        self.in_set
    }

    pub(crate) fn allocated(&self) -> usize {
        self.allocated
    }

    /// The buffer size (each direction) a new socket gets, or `None` when even the minimum
    /// would exceed the budget.
    ///
    /// Bigger buffers only come out of what is left after keeping the minimum for every socket
    /// the cap still allows, so that early connections cannot take the whole budget and leave
    /// later ones refused.
    pub(crate) fn buffer_size(&self, config: &Config) -> Option<usize> {
        let still_allowed = config
            .max_tcp_sockets
            .saturating_sub(self.socket_count().saturating_add(1));
        let reserve = still_allowed.saturating_mul(config.tcp_buffer_min.saturating_mul(2));
        let room = config.tcp_memory_budget.saturating_sub(reserve);
        let mut size = config.tcp_buffer_max;
        // Halves each round down to the minimum: at most ~30 rounds.
        loop {
            let limit = if size > config.tcp_buffer_min {
                room
            } else {
                config.tcp_memory_budget
            };
            if self.allocated.saturating_add(size.saturating_mul(2)) <= limit {
                return Some(size);
            }
            if size <= config.tcp_buffer_min {
                return None;
            }
            size = (size / 2).max(config.tcp_buffer_min);
        }
    }

    /// Add a socket listening on `local` with buffers of `size` each way.
    pub(crate) fn add_socket(
        &mut self,
        sockets: &mut SocketSet<'static>,
        config: &Config,
        size: usize,
        local: SocketAddr,
    ) -> Option<SocketHandle> {
        let mut socket = Socket::new(
            SocketBuffer::new(vec![0u8; size]),
            SocketBuffer::new(vec![0u8; size]),
        );
        // Relay latency matters more than packet count; the app's own stack does Nagle.
        socket.set_nagle_enabled(false);
        socket.set_ack_delay(config.tcp_ack_delay);
        socket.set_congestion_control(CongestionControl::Cubic);
        // No SYN-ACK before the upstream connect succeeds: the app sees the real outcome.
        socket.pause_synack(true);
        socket.listen(IpListenEndpoint::from(local)).ok()?;
        self.allocated = self.allocated.saturating_add(size.saturating_mul(2));
        self.in_set = self.in_set.saturating_add(1);
        Some(sockets.add(socket))
    }

    /// Remove a socket from the set and its buffers from the budget.
    pub(crate) fn free(
        &mut self,
        sockets: &mut SocketSet<'static>,
        handle: SocketHandle,
        buffer_bytes: usize,
    ) {
        sockets.remove(handle);
        self.allocated = self.allocated.saturating_sub(buffer_bytes);
        self.in_set = self.in_set.saturating_sub(1);
    }

    /// Register the connection a SYN opened on `handle`.
    pub(crate) fn insert(
        &mut self,
        handle: SocketHandle,
        seg: &TcpSeg,
        buffer_bytes: usize,
        now: Instant,
    ) -> TcpId {
        let id = TcpId(self.next_id);
        self.next_id += 1;
        let tuple = (seg.src, seg.dst);
        self.conns.insert(
            id,
            Conn {
                handle,
                tuple,
                buffer_bytes,
                connected: false,
                created: now,
                last_activity: now,
                readable_notified: false,
                write_blocked: false,
                app_closed_notified: false,
                quote: seg.quote,
            },
        );
        self.by_tuple.insert(tuple, id);
        id
    }

    /// Forget a connection (its socket stays in the set: free or linger it).
    pub(crate) fn remove(&mut self, id: TcpId) -> Option<Conn> {
        let conn = self.conns.remove(&id)?;
        self.by_tuple.remove(&conn.tuple);
        Some(conn)
    }

    /// Keep a finished connection's socket until `deadline`.
    pub(crate) fn linger(&mut self, conn: Conn, deadline: Instant) {
        self.lingering.push_back(Linger {
            handle: conn.handle,
            tuple: conn.tuple,
            deadline,
            buffer_bytes: conn.buffer_bytes,
        });
    }

    /// A new SYN on a lingering socket's tuple: the app reused the port, the old socket goes
    /// (it would swallow the SYN).
    pub(crate) fn drop_lingering_tuple(&mut self, sockets: &mut SocketSet<'static>, tuple: &Tuple) {
        while let Some(pos) = self.lingering.iter().position(|l| &l.tuple == tuple) {
            if let Some(l) = self.lingering.remove(pos) {
                self.free(sockets, l.handle, l.buffer_bytes);
            }
        }
    }

    /// Make room for a new socket by dropping the oldest lingering one; false if none.
    pub(crate) fn evict_lingering(&mut self, sockets: &mut SocketSet<'static>) -> bool {
        match self.lingering.pop_front() {
            Some(l) => {
                self.free(sockets, l.handle, l.buffer_bytes);
                true
            }
            None => false,
        }
    }

    /// Drop lingering sockets that are done (RST sent) or past their deadline.
    pub(crate) fn reap_lingering(&mut self, sockets: &mut SocketSet<'static>, now: Instant) {
        let mut kept = VecDeque::with_capacity(self.lingering.len());
        while let Some(l) = self.lingering.pop_front() {
            let socket = sockets.get::<Socket>(l.handle);
            let done = socket.state() == State::Closed && socket.remote_endpoint().is_none();
            if done || now >= l.deadline {
                self.free(sockets, l.handle, l.buffer_bytes);
            } else {
                kept.push_back(l);
            }
        }
        self.lingering = kept;
    }

    /// The earliest timer of any connection or lingering socket.
    pub(crate) fn next_deadline(&self, config: &Config) -> Option<Instant> {
        let conns = self.conns.values().map(|c| c.deadline(config));
        conns.chain(self.lingering.iter().map(|l| l.deadline)).min()
    }
}

/// Emit the events a connection's socket state calls for, and say whether it is over.
pub(crate) fn refresh(
    id: TcpId,
    conn: &mut Conn,
    socket: &Socket,
    events: &mut EventQueue,
) -> Fate {
    let state = socket.state();
    let unread = socket.recv_queue();
    if unread > 0 && !conn.readable_notified {
        conn.readable_notified = true;
        events.push(Event::TcpReadable { id });
    }
    if conn.write_blocked && socket.may_send() {
        let capacity = socket.send_capacity();
        // Wait for a quarter of the buffer so a slow app does not cause an event per ACK.
        if capacity.saturating_sub(socket.send_queue()) >= (capacity / 4).max(1) {
            conn.write_blocked = false;
            events.push(Event::TcpWritable { id });
        }
    }
    // States reached only after the app's FIN (an RST is handled before this is called).
    let fin_received = matches!(
        state,
        State::CloseWait | State::LastAck | State::Closing | State::TimeWait | State::Closed
    );
    if fin_received && unread == 0 && !conn.app_closed_notified {
        conn.app_closed_notified = true;
        events.push(Event::TcpAppClosed { id });
    }
    match state {
        // An RST in SYN-RECEIVED sends smoltcp's socket back to listening.
        State::Listen => Fate::Close(CloseReason::AppReset),
        State::TimeWait if unread == 0 => Fate::Linger(CloseReason::Normal),
        State::Closed if unread == 0 => Fate::Close(CloseReason::Normal),
        _ => Fate::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The buffer sizes new sockets get, one after the other, until the budget is spent.
    fn sizes(config: &Config) -> Vec<usize> {
        let mut table = Table::default();
        let mut sockets = SocketSet::new(vec![]);
        let local: SocketAddr = "192.0.2.1:80".parse().unwrap();
        let mut sizes = vec![];
        while let Some(size) = table.buffer_size(config) {
            table
                .add_socket(&mut sockets, config, size, local)
                .expect("listens");
            sizes.push(size);
            assert!(sizes.len() < 20, "bounded");
        }
        assert_eq!(table.allocated(), config.tcp_memory_budget);
        sizes
    }

    #[test]
    fn buffers_halve_as_the_budget_fills() {
        let config = Config {
            max_tcp_sockets: 3,
            tcp_buffer_max: 64 * 1024,
            tcp_buffer_min: 16 * 1024,
            tcp_memory_budget: 2 * 64 * 1024 + 2 * 32 * 1024 + 2 * 16 * 1024,
            ..Config::default()
        };
        assert_eq!(sizes(&config), vec![64 * 1024, 32 * 1024, 16 * 1024]);
        // With room for more sockets than the budget allows at bigger sizes, every socket keeps
        // the minimum free for those that may follow: 7 sockets, not 3.
        let crowded = Config {
            max_tcp_sockets: 8,
            ..config
        };
        assert_eq!(sizes(&crowded), vec![16 * 1024; 7]);
    }
}
