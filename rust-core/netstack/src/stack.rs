//! The [`Netstack`]: packets in from the TUN, packets out to it, events to the runtime, and the
//! runtime's answers back in.

use std::net::SocketAddr;

use smoltcp::iface::{Config as IfaceConfig, Interface, SocketSet};
use smoltcp::socket::tcp::{Socket, State};
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, Ipv4Address, Ipv6Address};

use crate::config::{Config, EchoMode, UnreachableReply};
use crate::device::{QueueDevice, TxQueue};
use crate::error::Error;
use crate::event::{CloseReason, EchoRequest, Event, EventQueue, TcpId, UdpId};
use crate::icmp;
use crate::packet::{Parsed, Rejected, TcpSeg, classify};
use crate::tcp::{self, Fate};
use crate::time::{Instant, after};
use crate::udp::{self, Nat};

/// Counters of what the netstack did and dropped; for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets given to [`Netstack::on_tun_packet`].
    pub packets_in: u64,
    /// Packets dropped as truncated, inconsistent or with a bad checksum.
    pub malformed: u64,
    /// IPv4 fragments dropped (the netstack expects whole packets).
    pub fragments: u64,
    /// Valid packets not relayed: other protocols, IPv6 extension headers, multicast,
    /// ICMP other than echo requests.
    pub unsupported: u64,
    /// TCP connections opened (SYNs that became [`Event::TcpConnect`]).
    pub tcp_accepted: u64,
    /// SYNs refused with RST because the socket cap or the buffer budget was reached.
    pub tcp_refused_limit: u64,
    /// SYNs refused with RST because too many events were waiting to be popped.
    pub tcp_refused_backlog: u64,
    /// UDP datagrams from apps.
    pub udp_datagrams: u64,
    /// UDP entries evicted to make room for new ones.
    pub udp_evicted: u64,
    /// ICMP echo requests from apps.
    pub echo_requests: u64,
    /// Datagrams and pings dropped because too many events were waiting to be popped.
    pub dropped_backlog: u64,
    /// Packets to the TUN dropped because its output queue was full.
    pub tun_dropped: u64,
}

/// The sans-IO relay between a TUN device and the runtime's upstream sockets.
///
/// See the crate documentation for the calling protocol.
pub struct Netstack {
    config: Config,
    iface: Interface,
    /// Sockets of connected flows and lingering ones: the set smoltcp polls for output.
    sockets: SocketSet<'static>,
    /// Sockets whose SYN-ACK waits for the upstream connect. smoltcp's `poll_at` would report
    /// a paused SYN-ACK as due at once, forever, so they are kept out of the polled set; only
    /// packets of their own flows are processed against them.
    pending: SocketSet<'static>,
    tx: TxQueue,
    tcp: tcp::Table,
    udp: Nat,
    events: EventQueue,
    stats: Stats,
}

impl Netstack {
    /// A netstack with `config`'s limits, its clock starting at `now`.
    pub fn new(config: Config, now: Instant) -> Result<Self, Error> {
        config.validate()?;
        let mut tx = TxQueue::new(config.max_tun_queue);
        let mut iface_config = IfaceConfig::new(HardwareAddress::Ip);
        iface_config.random_seed = config.random_seed;
        let mut iface = Interface::new(
            iface_config,
            &mut QueueDevice::egress(&mut tx, config.mtu),
            now,
        );
        // The interface's own addresses never appear on the wire. With any_ip every
        // destination counts as local, and the /0 prefixes (plus default routes) make every
        // app address directly reachable for replies.
        iface.update_ip_addrs(|addrs| {
            let _ = addrs.push(IpCidr::new(IpAddress::v4(0, 0, 0, 1), 0));
            let _ = addrs.push(IpCidr::new(IpAddress::v6(0, 0, 0, 0, 0, 0, 0, 1), 0));
        });
        let _ = iface
            .routes_mut()
            .add_default_ipv4_route(Ipv4Address::new(0, 0, 0, 1));
        let _ = iface
            .routes_mut()
            .add_default_ipv6_route(Ipv6Address::LOCALHOST);
        iface.set_any_ip(true);
        Ok(Netstack {
            events: EventQueue::new(config.max_events, config.max_event_bytes),
            config,
            iface,
            sockets: SocketSet::new(vec![]),
            pending: SocketSet::new(vec![]),
            tx,
            tcp: tcp::Table::default(),
            udp: Nat::default(),
            stats: Stats::default(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        Stats {
            tun_dropped: self.tx.dropped,
            ..self.stats.clone()
        }
    }

    /// Live TCP connections (those with an id).
    pub fn tcp_count(&self) -> usize {
        self.tcp.conns.len()
    }

    /// TCP sockets held, live and lingering; never above [`Config::max_tcp_sockets`].
    pub fn tcp_sockets(&self) -> usize {
        self.tcp.socket_count()
    }

    /// Bytes of TCP socket buffers allocated; never above [`Config::tcp_memory_budget`].
    pub fn tcp_buffer_bytes(&self) -> usize {
        self.tcp.allocated()
    }

    /// Live UDP NAT entries.
    pub fn udp_count(&self) -> usize {
        self.udp.len()
    }

    /// Events waiting to be popped.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// Packets waiting to be written to the TUN.
    pub fn pending_tun_packets(&self) -> usize {
        self.tx.len()
    }

    // ----- input from the TUN -----

    /// Feed one IP packet an app sent (read from the TUN). Never fails: a packet the netstack
    /// cannot use is dropped and counted in [`Stats`]. Pop packets and events afterwards.
    pub fn on_tun_packet(&mut self, now: Instant, packet: &[u8]) {
        self.stats.packets_in += 1;
        match classify(packet) {
            Ok(Parsed::Tcp(seg)) => self.tcp_ingress(now, packet, seg),
            Ok(Parsed::Udp { src, dst, payload }) => self.udp_ingress(now, src, dst, payload),
            Ok(Parsed::Echo {
                src,
                dst,
                ident,
                seq_no,
                data,
            }) => {
                self.stats.echo_requests += 1;
                let req = EchoRequest {
                    src,
                    dst,
                    ident,
                    seq_no,
                    payload: data.to_vec(),
                };
                self.echo_ingress(req);
            }
            Err(Rejected::Malformed) => self.stats.malformed += 1,
            Err(Rejected::Fragment) => self.stats.fragments += 1,
            Err(Rejected::Unsupported) => self.stats.unsupported += 1,
        }
    }

    fn tcp_ingress(&mut self, now: Instant, packet: &[u8], seg: TcpSeg) {
        let tuple = (seg.src, seg.dst);
        let existing = self.tcp.lookup(&tuple);
        let candidate = match existing {
            None if seg.initial_syn => {
                self.tcp.drop_lingering_tuple(&mut self.sockets, &tuple);
                self.admit(seg.dst)
            }
            _ => None,
        };
        let waiting =
            existing.is_some_and(|id| self.tcp.conns.get(&id).is_some_and(|c| !c.connected));
        // One packet at a time, so a new listener takes exactly this SYN. A SYN nobody
        // listens for (refused above) gets smoltcp's RST.
        let mut device = QueueDevice::ingress(packet, &mut self.tx, self.config.mtu);
        let set = if candidate.is_some() || waiting {
            &mut self.pending
        } else {
            &mut self.sockets
        };
        self.iface.poll_ingress_single(now, &mut device, set);

        if let Some((handle, buffer_bytes)) = candidate {
            let socket = self.pending.get::<Socket>(handle);
            let took_it = socket.state() == State::SynReceived
                && socket.remote_endpoint().map(SocketAddr::from) == Some(seg.src);
            if took_it {
                let id = self.tcp.insert(handle, &seg, buffer_bytes, now);
                self.stats.tcp_accepted += 1;
                self.events.push(Event::TcpConnect {
                    id,
                    src: seg.src,
                    dst: seg.dst,
                });
            } else {
                // smoltcp dropped the SYN; no listener may stay behind to catch another one.
                self.tcp.free(&mut self.pending, handle, buffer_bytes);
                self.stats.malformed += 1;
            }
        } else if let Some(id) = existing {
            self.after_ingress(now, id, seg.rst);
        }
    }

    /// A socket for a SYN to `local`, within the limits; `None` refuses it.
    fn admit(&mut self, local: SocketAddr) -> Option<(smoltcp::iface::SocketHandle, usize)> {
        if !self.events.has_room(0) {
            self.stats.tcp_refused_backlog += 1;
            return None;
        }
        while self.tcp.socket_count() >= self.config.max_tcp_sockets {
            if !self.tcp.evict_lingering(&mut self.sockets) {
                self.stats.tcp_refused_limit += 1;
                return None;
            }
        }
        let size = loop {
            match self.tcp.buffer_size(&self.config) {
                Some(size) => break size,
                None if self.tcp.evict_lingering(&mut self.sockets) => {}
                None => {
                    self.stats.tcp_refused_limit += 1;
                    return None;
                }
            }
        };
        let handle = self
            .tcp
            .add_socket(&mut self.pending, &self.config, size, local)?;
        Some((handle, size.saturating_mul(2)))
    }

    fn after_ingress(&mut self, now: Instant, id: TcpId, rst: bool) {
        let Some(conn) = self.tcp.conns.get_mut(&id) else {
            return;
        };
        conn.last_activity = now;
        let set = if conn.connected {
            &self.sockets
        } else {
            &self.pending
        };
        let state = set.get::<Socket>(conn.handle).state();
        // An accepted RST closes the socket (or, before the handshake completed, sends it back
        // to listening, where it must not stay).
        if state == State::Listen || (rst && state == State::Closed) {
            self.close_conn(id, CloseReason::AppReset);
        } else {
            self.refresh(now, id);
        }
    }

    fn udp_ingress(&mut self, now: Instant, src: SocketAddr, dst: SocketAddr, payload: &[u8]) {
        self.stats.udp_datagrams += 1;
        if !self.events.has_room(payload.len()) {
            self.stats.dropped_backlog += 1;
            return;
        }
        let (id, evicted) = self
            .udp
            .outbound(now, src, dst, self.config.max_udp_entries);
        if let Some(old) = evicted {
            self.stats.udp_evicted += 1;
            self.events.push(Event::UdpExpired { id: old });
        }
        self.events.push(Event::UdpSend {
            id,
            src,
            dst,
            payload: payload.to_vec(),
        });
    }

    fn echo_ingress(&mut self, req: EchoRequest) {
        match self.config.echo {
            EchoMode::Relay if self.events.has_room(req.payload.len()) => {
                self.events.push(Event::Ping(req))
            }
            EchoMode::Relay => self.stats.dropped_backlog += 1,
            EchoMode::Local => {
                // Too large for the MTU cannot happen: the request came through the same TUN.
                if let Ok(reply) = icmp::echo_reply(&req, self.config.mtu) {
                    self.tx.push(reply);
                }
            }
            EchoMode::Drop => {}
        }
    }

    // ----- driving -----

    /// Run timers and smoltcp's output: retransmissions, ACKs, data and FINs towards the apps,
    /// timeouts, and the events they cause. Call after feeding packets or runtime answers, and
    /// when [`poll_at`](Self::poll_at) comes.
    pub fn poll(&mut self, now: Instant) {
        self.expire(now);
        let mut device = QueueDevice::egress(&mut self.tx, self.config.mtu);
        self.iface.poll(now, &mut device, &mut self.sockets);
        let ids: Vec<TcpId> = self.tcp.conns.keys().copied().collect();
        for id in ids {
            self.refresh(now, id);
        }
        self.tcp.reap_lingering(&mut self.sockets, now);
    }

    /// When [`poll`](Self::poll) must run next if nothing else happens (may be in the past:
    /// poll at once). `None`: no timer is running.
    pub fn poll_at(&mut self, now: Instant) -> Option<Instant> {
        let timers = [
            self.iface.poll_at(now, &self.sockets),
            self.tcp.next_deadline(&self.config),
            self.udp.next_deadline(&self.config),
        ];
        timers.into_iter().flatten().min()
    }

    /// The next packet to write to the TUN, oldest first.
    pub fn pop_tun_packet(&mut self) -> Option<Vec<u8>> {
        self.tx.pop()
    }

    /// The next event for the runtime, oldest first.
    pub fn pop_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    fn expire(&mut self, now: Instant) {
        let due: Vec<(TcpId, CloseReason)> = self
            .tcp
            .conns
            .iter()
            .filter(|(_, c)| now >= c.deadline(&self.config))
            .map(|(id, c)| {
                (
                    *id,
                    if c.connected {
                        CloseReason::IdleTimeout
                    } else {
                        CloseReason::ConnectTimeout
                    },
                )
            })
            .collect();
        for (id, reason) in due {
            self.abort(now, id, reason);
        }
        for id in self.udp.expire(now, &self.config) {
            self.events.push(Event::UdpExpired { id });
        }
    }

    /// Emit the events a connection's state calls for; end it if it is over.
    fn refresh(&mut self, now: Instant, id: TcpId) {
        let Some(conn) = self.tcp.conns.get_mut(&id) else {
            return;
        };
        if !conn.connected {
            // Nothing to report before the handshake; an RST is handled on ingress.
            return;
        }
        let socket = self.sockets.get::<Socket>(conn.handle);
        match tcp::refresh(id, conn, socket, &mut self.events) {
            Fate::Keep => {}
            Fate::Close(reason) => self.close_conn(id, reason),
            Fate::Linger(reason) => self.linger_conn(now, id, reason),
        }
    }

    /// End a connection and drop its socket at once (nothing left to send).
    fn close_conn(&mut self, id: TcpId, reason: CloseReason) {
        if let Some(conn) = self.tcp.remove(id) {
            let set = if conn.connected {
                &mut self.sockets
            } else {
                &mut self.pending
            };
            self.tcp.free(set, conn.handle, conn.buffer_bytes);
            self.events.push(Event::TcpClosed { id, reason });
        }
    }

    /// End a connection for the runtime; its socket lingers to finish with the app.
    fn linger_conn(&mut self, now: Instant, id: TcpId, reason: CloseReason) {
        if let Some(conn) = self.tcp.remove(id) {
            self.tcp.linger(conn, after(now, self.config.tcp_linger));
            self.events.push(Event::TcpClosed { id, reason });
        }
    }

    /// Reset the app's side of a connection and end it.
    fn abort(&mut self, now: Instant, id: TcpId, reason: CloseReason) {
        let Some(conn) = self.tcp.conns.get_mut(&id) else {
            return;
        };
        if !conn.connected {
            // Into the polled set, or the RST would never go out.
            let socket = self.pending.remove(conn.handle);
            conn.handle = self.sockets.add(socket);
            conn.connected = true;
        }
        // The RST goes out on the next poll; the socket lingers until it has.
        self.sockets.get_mut::<Socket>(conn.handle).abort();
        self.linger_conn(now, id, reason);
    }

    fn pending(&self, id: TcpId) -> Result<&tcp::Conn, Error> {
        let conn = self.tcp.conns.get(&id).ok_or(Error::UnknownTcp(id))?;
        if conn.connected {
            Err(Error::NotPending(id))
        } else {
            Ok(conn)
        }
    }

    // ----- answers from the runtime: TCP -----

    /// The upstream connect for `id` succeeded: the app gets its SYN-ACK on the next poll.
    pub fn tcp_connected(&mut self, now: Instant, id: TcpId) -> Result<(), Error> {
        let handle = self.pending(id)?.handle;
        self.pending.get_mut::<Socket>(handle).pause_synack(false);
        let handle = self.sockets.add(self.pending.remove(handle));
        if let Some(conn) = self.tcp.conns.get_mut(&id) {
            conn.handle = handle;
            conn.connected = true;
            conn.last_activity = now;
        }
        Ok(())
    }

    /// The upstream refused the connection: the app gets RST ("connection refused").
    /// [`Event::TcpClosed`] follows.
    pub fn tcp_refused(&mut self, now: Instant, id: TcpId) -> Result<(), Error> {
        self.pending(id)?;
        self.abort(now, id, CloseReason::Refused);
        Ok(())
    }

    /// The upstream could not be reached (no route, or the connect timed out): the app gets
    /// an ICMP unreachable or an RST, as [`Config::unreachable`] says. [`Event::TcpClosed`]
    /// follows.
    pub fn tcp_unreachable(&mut self, now: Instant, id: TcpId) -> Result<(), Error> {
        let quote = self.pending(id)?.quote;
        match (self.config.unreachable, quote) {
            (UnreachableReply::Icmp, Some(quote)) => {
                if let Ok(packet) = icmp::unreachable(&quote, self.config.mtu) {
                    self.tx.push(packet);
                }
                // No RST: the ICMP error alone ends the app's connect.
                self.close_conn(id, CloseReason::Unreachable);
            }
            _ => self.abort(now, id, CloseReason::Unreachable),
        }
        Ok(())
    }

    /// Read what the app sent on `id` into `buf`; 0 when nothing is waiting. After
    /// [`Event::TcpReadable`], read until 0 (the event comes again only after that). Reading
    /// opens the app's window: poll afterwards.
    pub fn tcp_read(&mut self, id: TcpId, buf: &mut [u8]) -> Result<usize, Error> {
        let conn = self.tcp.conns.get_mut(&id).ok_or(Error::UnknownTcp(id))?;
        if !conn.connected {
            return Ok(0);
        }
        let socket = self.sockets.get_mut::<Socket>(conn.handle);
        let n = if socket.can_recv() {
            socket.recv_slice(buf).unwrap_or(0)
        } else {
            0
        };
        if socket.recv_queue() == 0 {
            conn.readable_notified = false;
        }
        Ok(n)
    }

    /// Queue data from upstream for the app. Returns how much was accepted: only what fits the
    /// socket's transmit buffer (backpressure); offer the rest again after
    /// [`Event::TcpWritable`]. Before the app has completed its handshake this accepts 0.
    pub fn tcp_upstream_data(
        &mut self,
        now: Instant,
        id: TcpId,
        data: &[u8],
    ) -> Result<usize, Error> {
        let conn = self.tcp.conns.get_mut(&id).ok_or(Error::UnknownTcp(id))?;
        if !conn.connected {
            return Err(Error::NotWritable(id));
        }
        let socket = self.sockets.get_mut::<Socket>(conn.handle);
        let n = match socket.state() {
            State::SynReceived => 0,
            _ if socket.may_send() => socket.send_slice(data).unwrap_or(0),
            _ => return Err(Error::NotWritable(id)),
        };
        if n < data.len() {
            conn.write_blocked = true;
        }
        if n > 0 {
            conn.last_activity = now;
        }
        Ok(n)
    }

    /// The upstream closed its sending side: the app gets FIN once the queued data is sent
    /// (half-close; the app may go on sending).
    pub fn tcp_upstream_closed(&mut self, now: Instant, id: TcpId) -> Result<(), Error> {
        let conn = self.tcp.conns.get_mut(&id).ok_or(Error::UnknownTcp(id))?;
        if !conn.connected {
            return Err(Error::NotWritable(id));
        }
        conn.last_activity = now;
        self.sockets.get_mut::<Socket>(conn.handle).close();
        Ok(())
    }

    /// The upstream connection was reset (or the runtime gives up on it): the app gets RST.
    /// [`Event::TcpClosed`] follows.
    pub fn tcp_upstream_reset(&mut self, now: Instant, id: TcpId) -> Result<(), Error> {
        if !self.tcp.conns.contains_key(&id) {
            return Err(Error::UnknownTcp(id));
        }
        self.abort(now, id, CloseReason::UpstreamReset);
        Ok(())
    }

    // ----- answers from the runtime: UDP and ICMP -----

    /// A datagram came back on entry `id` from `from`: it goes to the app's endpoint, checksums
    /// filled. `from` may be of the other family when v4-mapped.
    pub fn udp_reply(
        &mut self,
        now: Instant,
        id: UdpId,
        from: SocketAddr,
        payload: &[u8],
    ) -> Result<(), Error> {
        let app = self.udp.get(id).ok_or(Error::UnknownUdp(id))?.src;
        let from = SocketAddr::new(udp::same_family(from.ip(), app.ip())?, from.port());
        let packet = udp::build_datagram(from, app, payload, self.config.mtu)?;
        self.queue(packet)?;
        self.udp.touch(id, now);
        Ok(())
    }

    /// Sending from entry `id` to `dst` failed as unreachable: the app gets an ICMP
    /// unreachable about it (so a connected UDP socket sees the error at once).
    pub fn udp_unreachable(&mut self, id: UdpId, dst: SocketAddr) -> Result<(), Error> {
        let app = self.udp.get(id).ok_or(Error::UnknownUdp(id))?.src;
        let dst = SocketAddr::new(udp::same_family(dst.ip(), app.ip())?, dst.port());
        let packet = icmp::unreachable(&icmp::udp_quote(app, dst)?, self.config.mtu)?;
        self.queue(packet)
    }

    /// The runtime closed entry `id`'s socket: forget the mapping. [`Event::UdpExpired`]
    /// follows, as for every entry.
    pub fn udp_close(&mut self, id: UdpId) -> Result<(), Error> {
        self.udp.remove(id).ok_or(Error::UnknownUdp(id))?;
        self.events.push(Event::UdpExpired { id });
        Ok(())
    }

    /// The pinged host answered `req` ([`Event::Ping`]): the app gets the echo reply.
    pub fn echo_reply(&mut self, req: &EchoRequest) -> Result<(), Error> {
        let packet = icmp::echo_reply(req, self.config.mtu)?;
        self.queue(packet)
    }

    fn queue(&mut self, packet: Vec<u8>) -> Result<(), Error> {
        if self.tx.push(packet) {
            Ok(())
        } else {
            Err(Error::QueueFull)
        }
    }

    /// The app endpoint of a live UDP entry.
    pub fn udp_entry(&self, id: UdpId) -> Option<SocketAddr> {
        self.udp.get(id).map(|e| e.src)
    }

    /// Both endpoints of a live TCP connection: (app, destination).
    pub fn tcp_endpoints(&self, id: TcpId) -> Option<(SocketAddr, SocketAddr)> {
        self.tcp.conns.get(&id).map(|c| c.tuple)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_bad_config() {
        let config = Config {
            mtu: 10,
            ..Config::default()
        };
        assert!(matches!(
            Netstack::new(config, Instant::ZERO),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn unknown_ids_are_errors() {
        let mut ns = Netstack::new(Config::default(), Instant::ZERO).unwrap();
        let t = Instant::ZERO;
        assert_eq!(
            ns.tcp_connected(t, TcpId(9)),
            Err(Error::UnknownTcp(TcpId(9)))
        );
        assert_eq!(
            ns.tcp_read(TcpId(9), &mut [0; 4]),
            Err(Error::UnknownTcp(TcpId(9)))
        );
        assert_eq!(
            ns.tcp_upstream_data(t, TcpId(9), b"x"),
            Err(Error::UnknownTcp(TcpId(9)))
        );
        assert_eq!(ns.udp_close(UdpId(3)), Err(Error::UnknownUdp(UdpId(3))));
        assert_eq!(ns.poll_at(t), None, "nothing to time");
    }
}
