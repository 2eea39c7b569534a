//! Builders for the captures the end-to-end tests and the bundled sample are made of.
//!
//! Packets are built with etherparse and written with pcap-file, both independent of the code
//! under test, so a test that reads them back checks Telltale against a second implementation
//! of the formats. Message builders (DNS, TLS ClientHello, HTTP) write the documented layouts
//! byte by byte.

use etherparse::PacketBuilder;
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use std::borrow::Cow;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub mod cli;
pub mod msg;
pub mod quic;
pub mod sample;

/// One IP packet with its time and, optionally, the Android uid it belongs to.
#[derive(Debug, Clone)]
pub struct Packet {
    /// Time since the epoch.
    pub ts: Duration,
    /// The IP packet.
    pub data: Vec<u8>,
    /// PCAPdroid app uid.
    pub uid: Option<i32>,
}

/// An app as PCAPdroid records it.
#[derive(Debug, Clone)]
pub struct App {
    /// Android uid.
    pub uid: i32,
    /// Package name.
    pub package: String,
    /// Label.
    pub name: String,
}

/// Builds a capture packet by packet, advancing time by one millisecond a packet.
#[derive(Debug, Clone)]
pub struct Capture {
    /// Packets in order.
    pub packets: Vec<Packet>,
    /// Apps to announce (pcapng with PCAPdroid metadata).
    pub apps: Vec<App>,
    now: Duration,
    uid: Option<i32>,
}

fn ip_builder(src: IpAddr, dst: IpAddr) -> etherparse::PacketBuilderStep<etherparse::IpHeaders> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets(), 64),
        (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets(), 64),
        _ => panic!("mixed address families"),
    }
}

/// Flags of a TCP segment to build.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// SYN.
    pub syn: bool,
    /// ACK (with the given acknowledgement number).
    pub ack: Option<u32>,
    /// FIN.
    pub fin: bool,
    /// RST.
    pub rst: bool,
}

impl Capture {
    /// An empty capture starting at `start_secs` since the epoch.
    pub fn new(start_secs: u64) -> Self {
        Capture {
            packets: Vec::new(),
            apps: Vec::new(),
            now: Duration::from_secs(start_secs),
            uid: None,
        }
    }

    /// Attributes the following packets to `uid` (None: no app metadata).
    pub fn as_app(&mut self, uid: Option<i32>) -> &mut Self {
        self.uid = uid;
        self
    }

    /// Moves the clock forward.
    pub fn wait(&mut self, d: Duration) -> &mut Self {
        self.now += d;
        self
    }

    /// Appends a raw IP packet.
    pub fn raw(&mut self, data: Vec<u8>) -> &mut Self {
        self.now += Duration::from_millis(1);
        self.packets.push(Packet {
            ts: self.now,
            data,
            uid: self.uid,
        });
        self
    }

    /// Appends a UDP datagram.
    pub fn udp(&mut self, src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> &mut Self {
        let b = ip_builder(src.ip(), dst.ip()).udp(src.port(), dst.port());
        let mut out = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut out, payload).expect("udp packet");
        self.raw(out)
    }

    /// Appends a TCP segment.
    pub fn tcp(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seq: u32,
        flags: Flags,
        payload: &[u8],
    ) -> &mut Self {
        let mut b = ip_builder(src.ip(), dst.ip()).tcp(src.port(), dst.port(), seq, 65_535);
        if flags.syn {
            b = b.syn();
        }
        if let Some(ack) = flags.ack {
            b = b.ack(ack);
        }
        if flags.fin {
            b = b.fin();
        }
        if flags.rst {
            b = b.rst();
        }
        if !payload.is_empty() {
            b = b.psh();
        }
        let mut out = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut out, payload).expect("tcp packet");
        self.raw(out)
    }

    /// A whole TCP connection: handshake, `exchange` (client and server turns; each turn's
    /// bytes split into segments of at most `mss`), and FIN in both directions.
    pub fn tcp_session(
        &mut self,
        client: SocketAddr,
        server: SocketAddr,
        exchange: &[(bool, &[u8])],
        mss: usize,
    ) -> &mut Self {
        let (mut cseq, mut sseq) = (1_000u32, 5_000u32);
        self.tcp(
            client,
            server,
            cseq,
            Flags {
                syn: true,
                ..Flags::default()
            },
            &[],
        );
        cseq += 1;
        self.tcp(
            server,
            client,
            sseq,
            Flags {
                syn: true,
                ack: Some(cseq),
                ..Flags::default()
            },
            &[],
        );
        sseq += 1;
        self.tcp(
            client,
            server,
            cseq,
            Flags {
                ack: Some(sseq),
                ..Flags::default()
            },
            &[],
        );
        for &(from_client, bytes) in exchange {
            for chunk in bytes.chunks(mss.max(1)) {
                if from_client {
                    self.tcp(
                        client,
                        server,
                        cseq,
                        Flags {
                            ack: Some(sseq),
                            ..Flags::default()
                        },
                        chunk,
                    );
                    cseq = cseq.wrapping_add(chunk.len() as u32);
                } else {
                    self.tcp(
                        server,
                        client,
                        sseq,
                        Flags {
                            ack: Some(cseq),
                            ..Flags::default()
                        },
                        chunk,
                    );
                    sseq = sseq.wrapping_add(chunk.len() as u32);
                }
            }
        }
        self.tcp(
            client,
            server,
            cseq,
            Flags {
                fin: true,
                ack: Some(sseq),
                ..Flags::default()
            },
            &[],
        );
        self.tcp(
            server,
            client,
            sseq,
            Flags {
                fin: true,
                ack: Some(cseq + 1),
                ..Flags::default()
            },
            &[],
        );
        self.tcp(
            client,
            server,
            cseq + 1,
            Flags {
                ack: Some(sseq + 1),
                ..Flags::default()
            },
            &[],
        )
    }

    /// A DNS query and its answer over UDP.
    pub fn dns_lookup(
        &mut self,
        client: SocketAddr,
        resolver: SocketAddr,
        id: u16,
        name: &str,
        answers: &[IpAddr],
    ) -> &mut Self {
        self.udp(client, resolver, &msg::dns_query(id, name, 1));
        self.udp(resolver, client, &msg::dns_answer(id, name, answers, 300))
    }

    /// The capture as a pcapng file: one raw-IP interface; with `apps`, PCAPdroid's UID map
    /// blocks and `u-<uid>` packet comments.
    pub fn pcapng_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = PcapNgWriter::new(&mut out).expect("pcapng header");
        // pcap-file writes packet times in nanoseconds whatever the interface says, so the
        // interface must say nanoseconds (if_tsresol 9) for readers to agree.
        let mut idb = InterfaceDescriptionBlock::new(DataLink::RAW, 0xffff);
        idb.options.push(InterfaceDescriptionOption::IfTsResol(9));
        writer.write_pcapng_block(idb).expect("idb");
        for app in &self.apps {
            writer
                .get_mut()
                .write_all(&msg::pcapdroid_uid_block(app))
                .expect("custom block");
        }
        for p in &self.packets {
            let options = p
                .uid
                .map(|u| vec![EnhancedPacketOption::Comment(Cow::Owned(format!("u-{u}")))])
                .unwrap_or_default();
            writer
                .write_pcapng_block(EnhancedPacketBlock {
                    interface_id: 0,
                    timestamp: p.ts,
                    original_len: p.data.len() as u32,
                    data: Cow::Borrowed(&p.data),
                    options,
                })
                .expect("epb");
        }
        out
    }

    /// The capture as a classic pcap file with Ethernet framing (link type 1), each frame
    /// tagged with an 802.1Q VLAN id when `vlan` is given.
    pub fn pcap_ethernet_bytes(&self, vlan: Option<u16>) -> Vec<u8> {
        let header = PcapHeader {
            datalink: DataLink::ETHERNET,
            ..PcapHeader::default()
        };
        let mut writer = PcapWriter::with_header(Vec::new(), header).expect("pcap header");
        for p in &self.packets {
            let mut frame = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
            if let Some(id) = vlan {
                frame.extend_from_slice(&[0x81, 0x00]);
                frame.extend_from_slice(&(id & 0x0fff).to_be_bytes());
            }
            let ethertype: u16 = if p.data.first().is_some_and(|b| b >> 4 == 6) {
                0x86dd
            } else {
                0x0800
            };
            frame.extend_from_slice(&ethertype.to_be_bytes());
            frame.extend_from_slice(&p.data);
            writer
                .write_packet(&PcapPacket::new(p.ts, frame.len() as u32, &frame))
                .expect("pcap packet");
        }
        writer.into_writer()
    }

    /// The capture as a classic pcap file: raw-IP link type (101), microsecond timestamps.
    pub fn pcap_bytes(&self) -> Vec<u8> {
        let header = PcapHeader {
            datalink: DataLink::RAW,
            ..PcapHeader::default()
        };
        let mut writer = PcapWriter::with_header(Vec::new(), header).expect("pcap header");
        for p in &self.packets {
            writer
                .write_packet(&PcapPacket::new(p.ts, p.data.len() as u32, &p.data))
                .expect("pcap packet");
        }
        writer.into_writer()
    }
}

/// A scratch directory for one test, removed when dropped.
#[derive(Debug)]
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    /// A new, empty directory under the system's temporary directory.
    pub fn new(label: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("telltale-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to `name` inside the directory and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A socket address from text, for test tables.
pub fn sa(s: &str) -> SocketAddr {
    s.parse().expect("socket address")
}

/// An IP address from text, for test tables.
pub fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip address")
}
