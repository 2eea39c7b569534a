//! Writes the benchmark's input capture: `cargo run --release -p telltale-capture --example
//! bench-capture -- [OPTIONS] OUT` (see `scripts/bench`).
//!
//! The input is made of copies of a source set of packets. Each copy rewrites the client and
//! server addresses (and the A/AAAA records of DNS answers, with the same mapping) so that its
//! flows are distinct from every other copy's, and keeps the source's timing. The result is
//! one classic pcap file, Ethernet link type, microsecond timestamps, ordered by time.
//!
//! Source: with `--captures DIR`, the pcap and pcapng files under DIR (read in place, never
//! copied; `derived` folders are skipped); otherwise, or with `--generated`, traffic generated
//! with this crate's builders (DNS, TLS with SNI, HTTP, QUIC-like UDP, bulk TCP).
//!
//! Details, all deterministic (same source and options, same bytes):
//! - Link layers: Ethernet frames are kept as they are (VLAN tags included); raw IP, Linux SLL
//!   and SLL2, BSD NULL/LOOP frames get a made-up Ethernet header. Frames of other link types
//!   are dropped (counted). Non-IP Ethernet frames (ARP...) are kept unchanged.
//! - Addresses: copy `k` (0-based) XORs `k` into the low 10 bits of every IPv4 address and into
//!   bits 32..47 of every IPv6 address, so that /22 (IPv4) and /64 (IPv6) prefixes are kept and
//!   address-range lookups see the same networks. Multicast, limited broadcast and unspecified
//!   addresses are kept. Copy 0 is the source unchanged. Addresses are rewritten in the outer
//!   IP header, in IP inside GTP-U (port 2152), and in A/AAAA answers of DNS and mDNS responses
//!   (UDP from port 53 or 5353). Addresses quoted inside ICMP errors are not rewritten.
//! - Checksums: the IPv4 header, TCP, UDP and ICMPv6 checksums are updated incrementally
//!   (RFC 1624), so each stays exactly as valid, or as invalid, as in the source. A UDP/IPv4
//!   checksum of 0 (not computed) stays 0.
//! - Time: within a copy, the source files follow each other in path order, one second apart;
//!   within a file, packets keep their order and the gaps between them, except that a gap over
//!   an hour is shortened to an hour and a backward step becomes 0. Copy `k` starts
//!   `k * --offset-ms` after copy 0 (default 1000 ms), so all copies run side by side, as if
//!   that many devices did the same things a second apart. The first copy starts at
//!   2024-01-01T00:00:00Z.
//!
//! Prints one JSON object on standard output: source, files, copies, packets, bytes, dropped.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use telltale_capture::CaptureReader;
use telltale_tests::msg::{self, Hello};
use telltale_tests::{Capture, Flags, ip, sa};
use telltale_wire::{gtp, link};

const START_NS: i128 = 1_704_067_200 * 1_000_000_000;
const MAX_GAP_NS: i128 = 3_600 * 1_000_000_000;
const FILE_GAP_NS: i128 = 1_000_000_000;
const MAX_COPIES: u32 = 1 << 10;
const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;

/// One source frame, already as an Ethernet frame, with its time relative to the copy start.
struct Frame {
    rel_ns: i128,
    data: Vec<u8>,
    orig_len: u32,
}

struct Options {
    captures: Option<PathBuf>,
    generated: bool,
    size_mb: f64,
    copies: Option<u32>,
    offset_ms: u64,
    out: PathBuf,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench-capture [--captures DIR] [--generated] [--size-mb N] [--copies N] \
         [--offset-ms N] OUT"
    );
    std::process::exit(2);
}

fn parse_args() -> Options {
    let mut o = Options {
        captures: None,
        generated: false,
        size_mb: 100.0,
        copies: None,
        offset_ms: 1000,
        out: PathBuf::new(),
    };
    let mut args = std::env::args().skip(1);
    let mut out = None;
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--captures" => o.captures = Some(PathBuf::from(value())),
            "--generated" => o.generated = true,
            "--size-mb" => o.size_mb = value().parse().unwrap_or_else(|_| usage()),
            "--copies" => o.copies = Some(value().parse().unwrap_or_else(|_| usage())),
            "--offset-ms" => o.offset_ms = value().parse().unwrap_or_else(|_| usage()),
            _ if a.starts_with('-') => usage(),
            _ if out.is_none() => out = Some(PathBuf::from(a)),
            _ => usage(),
        }
    }
    o.out = out.unwrap_or_else(|| usage());
    o
}

fn fail(msg: String) -> ! {
    eprintln!("bench-capture: {msg}");
    std::process::exit(1);
}

fn main() {
    let o = parse_args();
    let mut dropped = 0u64;
    let (source, files, frames) = match (&o.captures, o.generated) {
        (Some(dir), false) => {
            let mut paths = Vec::new();
            list_captures(dir, &mut paths);
            paths.sort();
            if paths.is_empty() {
                fail(format!("no pcap or pcapng files under {}", dir.display()));
            }
            let mut frames = Vec::new();
            let mut cursor = 0i128;
            for p in &paths {
                let packets = read_capture(p).unwrap_or_else(|e| {
                    fail(format!("{}: {e}", p.display()));
                });
                cursor = place(&mut frames, &mut dropped, cursor, packets);
            }
            ("captures", paths.len(), frames)
        }
        _ => {
            let packets = generated()
                .packets
                .into_iter()
                .map(|p| (p.ts.as_nanos() as i128, p.data.len() as u32, 101, p.data))
                .collect();
            let mut frames = Vec::new();
            place(&mut frames, &mut dropped, 0, packets);
            ("generated", 0, frames)
        }
    };
    if frames.is_empty() {
        fail("the source has no packets".into());
    }
    let per_copy: u64 = frames.iter().map(|f| 16 + f.data.len() as u64).sum();
    let copies = o
        .copies
        .unwrap_or_else(|| ((o.size_mb * 1e6) / per_copy as f64).round().max(1.0) as u32);
    if copies == 0 || copies > MAX_COPIES {
        fail(format!("copies must be 1 to {MAX_COPIES}, not {copies}"));
    }
    let offset_ns = o.offset_ms as i128 * 1_000_000;

    let file = std::fs::File::create(&o.out)
        .unwrap_or_else(|e| fail(format!("cannot create {}: {e}", o.out.display())));
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let written = write_copies(&mut w, &frames, copies, offset_ns)
        .and_then(|n| w.flush().map(|_| n))
        .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", o.out.display())));
    println!(
        "{{\"source\":\"{source}\",\"files\":{files},\"copies\":{copies},\"source_packets\":{},\
         \"packets\":{},\"bytes\":{written},\"dropped\":{dropped}}}",
        frames.len(),
        frames.len() as u64 * copies as u64,
    );
}

/// Writes the copies merged in time order; returns the bytes written.
fn write_copies(
    w: &mut impl Write,
    frames: &[Frame],
    copies: u32,
    offset_ns: i128,
) -> std::io::Result<u64> {
    let mut header = Vec::with_capacity(24);
    header.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    header.extend_from_slice(&2u16.to_le_bytes());
    header.extend_from_slice(&4u16.to_le_bytes());
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&262_144u32.to_le_bytes());
    header.extend_from_slice(&1u32.to_le_bytes());
    w.write_all(&header)?;
    let mut written = header.len() as u64;
    let ts = |k: u32, i: usize| START_NS + frames[i].rel_ns + k as i128 * offset_ns;
    let mut heap: BinaryHeap<Reverse<(i128, u32, usize)>> =
        (0..copies).map(|k| Reverse((ts(k, 0), k, 0))).collect();
    let mut buf = Vec::new();
    while let Some(Reverse((t, k, i))) = heap.pop() {
        let f = &frames[i];
        buf.clear();
        buf.extend_from_slice(&f.data);
        if k != 0 {
            rewrite_frame(&mut buf, k);
        }
        let us = t / 1000;
        let mut rec = [0u8; 16];
        rec[0..4].copy_from_slice(&((us / 1_000_000) as u32).to_le_bytes());
        rec[4..8].copy_from_slice(&((us % 1_000_000) as u32).to_le_bytes());
        rec[8..12].copy_from_slice(&(buf.len() as u32).to_le_bytes());
        rec[12..16].copy_from_slice(&f.orig_len.max(buf.len() as u32).to_le_bytes());
        w.write_all(&rec)?;
        w.write_all(&buf)?;
        written += 16 + buf.len() as u64;
        if i + 1 < frames.len() {
            heap.push(Reverse((ts(k, i + 1), k, i + 1)));
        }
    }
    Ok(written)
}

/// Appends one file's packets (time, original length, link type, frame) to the copy's frames,
/// starting at `cursor`; returns the cursor for the next file.
fn place(frames: &mut Vec<Frame>, dropped: &mut u64, cursor: i128, packets: Packets) -> i128 {
    let mut now = cursor;
    let mut last: Option<i128> = None;
    for (ts, orig_len, link, data) in packets {
        if let Some(prev) = last {
            now += (ts - prev).clamp(0, MAX_GAP_NS);
        }
        last = Some(ts);
        match to_ethernet(link, data) {
            Some((data, added)) => frames.push(Frame {
                rel_ns: now,
                orig_len: (orig_len as i64 + added).clamp(0, u32::MAX as i64) as u32,
                data,
            }),
            None => *dropped += 1,
        }
    }
    now + FILE_GAP_NS
}

fn list_captures(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        fail(format!("cannot read {}", dir.display()));
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "derived") {
                list_captures(&p, out);
            }
        } else if p
            .extension()
            .is_some_and(|x| x == "pcap" || x == "pcapng" || x == "cap")
        {
            out.push(p);
        }
    }
}

// ---- reading captures ----

/// One packet as read: time in ns, original length, link type, frame.
type Packets = Vec<(i128, u32, u32, Vec<u8>)>;

/// Reads a pcap or pcapng file with Telltale's own reader (a damaged or cut-short tail ends the
/// reading, as the reader's warnings say).
fn read_capture(path: &Path) -> Result<Packets, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut reader = CaptureReader::new(file).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(p) = reader.next_packet().map_err(|e| e.to_string())? {
        out.push((
            i128::from(p.ts.as_nanos()),
            p.orig_len,
            p.linktype,
            p.data.to_vec(),
        ));
    }
    Ok(out)
}

// ---- link layers ----

/// The frame as an Ethernet frame, and how many bytes that added; None when it holds no IP
/// packet Telltale's link-layer decoder finds.
fn to_ethernet(link: u32, data: Vec<u8>) -> Option<(Vec<u8>, i64)> {
    if link == link::linktype::ETHERNET {
        return Some((data, 0));
    }
    let ip = link::ip_payload(link, &data).ok()?;
    let ethertype = match ip.first().map(|v| v >> 4) {
        Some(4) => ETHERTYPE_IPV4,
        Some(6) => ETHERTYPE_IPV6,
        _ => return None,
    };
    let mut out = Vec::with_capacity(14 + ip.len());
    out.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
    out.extend_from_slice(&ethertype.to_be_bytes());
    out.extend_from_slice(ip);
    Some((out, 14 + ip.len() as i64 - data.len() as i64))
}

/// Where `inner`, a part of `outer`, starts in it.
fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// Rewrites the IP packet inside an Ethernet frame (after any VLAN tags) for copy `k`.
fn rewrite_frame(frame: &mut [u8], k: u32) {
    if let Ok(ip) = link::ip_payload(link::linktype::ETHERNET, frame) {
        let at = offset_in(frame, ip);
        rewrite_ip(&mut frame[at..], k, 0);
    }
}

// ---- addresses and checksums ----

fn map_v4(a: &mut [u8], k: u32) {
    let v = u32::from_be_bytes([a[0], a[1], a[2], a[3]]);
    if a[0] >= 224 || v == 0 {
        return;
    }
    a.copy_from_slice(&(v ^ k).to_be_bytes());
}

fn map_v6(a: &mut [u8], k: u32) {
    if a[0] == 0xff || a.iter().all(|&x| x == 0) {
        return;
    }
    a[12] ^= (k >> 8) as u8;
    a[13] ^= k as u8;
}

/// One's-complement sum of big-endian 16-bit words (an odd last byte padded with zero).
fn sum(acc: u64, data: &[u8]) -> u64 {
    let mut s = acc;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        s += u16::from_be_bytes([c[0], c[1]]) as u64;
    }
    if let [last] = chunks.remainder() {
        s += (*last as u64) << 8;
    }
    s
}

fn fold(mut s: u64) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

/// RFC 1624 eqn. 3: the checksum after the covered words summing to `old` now sum to `new`.
fn adjust(ck: u16, old: u64, new: u64) -> u16 {
    !fold(!ck as u64 + !fold(old) as u64 + fold(new) as u64)
}

fn get16(b: &[u8], off: usize) -> u16 {
    u16::from_be_bytes([b[off], b[off + 1]])
}

fn put16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_be_bytes());
}

/// Rewrites an IP packet (as much as is captured) for copy `k`: addresses, GTP-U inner
/// packets, DNS answers, and the checksums covering them.
fn rewrite_ip(p: &mut [u8], k: u32, depth: u32) {
    let Some(&first) = p.first() else { return };
    let old = p.to_vec();
    // (address range, header length, L4 protocol and offset if this packet has the L4 header,
    // end of the IP packet within the captured bytes)
    let (addrs, l4, end) = match first >> 4 {
        4 if p.len() >= 20 => {
            let ihl = (first & 0x0f) as usize * 4;
            if ihl < 20 || ihl > p.len() {
                return;
            }
            let total = (get16(p, 2) as usize).clamp(ihl, p.len());
            let frag_off = get16(p, 6) & 0x1fff;
            let l4 = (frag_off == 0).then_some((p[9], ihl));
            (12..20, l4, total)
        }
        6 if p.len() >= 40 => {
            let plen = get16(p, 4) as usize;
            let end = if plen == 0 {
                p.len()
            } else {
                (40 + plen).min(p.len())
            };
            let (mut next, mut off) = (p[6], 40usize);
            let l4 = loop {
                match next {
                    0 | 43 | 60 if off + 8 <= end => {
                        next = p[off];
                        off += (p[off + 1] as usize + 1) * 8;
                    }
                    51 if off + 8 <= end => {
                        next = p[off];
                        off += (p[off + 1] as usize + 2) * 4;
                    }
                    44 if off + 8 <= end => {
                        let frag_off = get16(p, off + 2) >> 3;
                        next = p[off];
                        off += 8;
                        if frag_off != 0 {
                            break None;
                        }
                    }
                    6 | 17 | 58 if off <= end => break Some((next, off)),
                    _ => break None,
                }
            };
            (8..40, l4, end)
        }
        _ => return,
    };
    let v4 = first >> 4 == 4;

    // Payload first: inner packets and DNS answers.
    if let Some((17, off)) = l4
        && off + 8 <= end
    {
        let (sport, dport) = (get16(p, off), get16(p, off + 2));
        let payload = &mut p[off + 8..end];
        if (sport == 2152 || dport == 2152) && depth < 2 {
            if let Some(inner) = gtp_payload(payload) {
                rewrite_ip(&mut payload[inner..], k, depth + 1);
            }
        } else if sport == 53 || sport == 5353 {
            rewrite_dns(payload, k);
        }
    }

    // Addresses.
    let half = (addrs.end - addrs.start) / 2;
    for a in [addrs.start, addrs.start + half] {
        if v4 {
            map_v4(&mut p[a..a + half], k);
        } else {
            map_v6(&mut p[a..a + half], k);
        }
    }

    // Checksums.
    if v4 {
        let ihl = (first & 0x0f) as usize * 4;
        let ck = adjust(get16(p, 10), sum(0, &old[..ihl]), sum(0, &p[..ihl]));
        put16(p, 10, ck);
    }
    let Some((proto, off)) = l4 else { return };
    let ck_at = match proto {
        6 => off + 16,
        17 => off + 6,
        58 if !v4 => off + 2,
        _ => return,
    };
    if ck_at + 2 > end || (proto == 17 && v4 && get16(p, ck_at) == 0) {
        return;
    }
    let old_sum = sum(sum(0, &old[addrs.clone()]), &old[off..end]);
    let new_sum = sum(sum(0, &p[addrs]), &p[off..end]);
    let mut ck = adjust(get16(p, ck_at), old_sum, new_sum);
    if proto == 17 && ck == 0 {
        ck = 0xffff;
    }
    put16(p, ck_at, ck);
}

/// Where the inner IP packet starts in a GTP-U G-PDU (3GPP TS 29.281 section 5), if any.
fn gtp_payload(g: &[u8]) -> Option<usize> {
    gtp::decapsulate(g).ok().map(|inner| offset_in(g, inner))
}

fn skip_name(m: &[u8], mut off: usize) -> Option<usize> {
    for _ in 0..128 {
        let len = *m.get(off)? as usize;
        match len {
            0 => return Some(off + 1),
            l if l & 0xc0 == 0xc0 => return Some(off + 2),
            l if l & 0xc0 == 0 => off += 1 + l,
            _ => return None,
        }
    }
    None
}

/// Rewrites the A and AAAA records of a DNS response (RFC 1035 section 4.1).
fn rewrite_dns(m: &mut [u8], k: u32) {
    if m.len() < 12 || m[2] & 0x80 == 0 {
        return;
    }
    let qd = get16(m, 4);
    let rr = get16(m, 6) as u32 + get16(m, 8) as u32 + get16(m, 10) as u32;
    let mut off = 12;
    for _ in 0..qd {
        let Some(o) = skip_name(m, off) else { return };
        off = o + 4;
    }
    for _ in 0..rr {
        let Some(o) = skip_name(m, off) else { return };
        if o + 10 > m.len() {
            return;
        }
        let ty = get16(m, o);
        let rdlen = get16(m, o + 8) as usize;
        let rdata = o + 10;
        if rdata + rdlen > m.len() {
            return;
        }
        match (ty, rdlen) {
            (1, 4) => map_v4(&mut m[rdata..rdata + 4], k),
            (28, 16) => map_v6(&mut m[rdata..rdata + 16], k),
            _ => {}
        }
        off = rdata + rdlen;
    }
}

// ---- generated traffic (when the shared captures are absent) ----

/// One device's mixed traffic, about 2.2 MB in 550 flows: DNS lookups, TLS with SNI, HTTP,
/// QUIC-like UDP and bulk TCP downloads, to Tencent and other names, over IPv4 and IPv6.
fn generated() -> Capture {
    const NAMES: &[(&str, &str)] = &[
        ("szextshort.weixin.qq.com", "203.205.232.68"),
        ("android.bugly.qq.com", "49.51.130.20"),
        ("res.wx.qq.com", "203.205.254.151"),
        ("puui.qpic.cn", "101.91.22.57"),
        ("www.example.com", "93.184.216.34"),
        ("api.github.com", "140.82.121.6"),
        ("graph.facebook.com", "157.240.20.15"),
        ("news.example.org", "198.51.100.20"),
        ("cdn.example.net", "2001:db8:cafe::20"),
        ("update.example.net", "2001:db8:cafe::21"),
        ("sgshort.wechat.com", "129.226.107.134"),
        ("mail.example.com", "192.0.2.44"),
    ];
    let mut c = Capture::new(1_764_000_000);
    let body = |n: usize, seed: u8| -> Vec<u8> { (0..n).map(|i| seed ^ (i as u8)).collect() };
    for i in 0..250usize {
        let (name, addr) = NAMES[i % NAMES.len()];
        let server_ip = ip(addr);
        let v6 = server_ip.is_ipv6();
        let client_ip = if v6 {
            ip("2001:db8:20::2")
        } else {
            ip("10.20.0.2")
        };
        let resolver = if v6 {
            sa("[2001:db8:20::1]:53")
        } else {
            sa("10.20.0.1:53")
        };
        let cport = 20_000 + i as u16 * 3;
        c.dns_lookup(
            SocketAddr::new(client_ip, cport),
            resolver,
            i as u16,
            name,
            &[server_ip],
        );
        let client = SocketAddr::new(client_ip, cport + 1);
        match i % 4 {
            0 => {
                let req = msg::http_request(
                    if i % 8 == 0 { "POST" } else { "GET" },
                    name,
                    &format!("/api/v1/item?id={i}&device=abc{i}"),
                    &[("User-Agent", "okhttp/4.9.0"), ("Accept", "*/*")],
                    &body(if i % 8 == 0 { 600 } else { 0 }, 7),
                );
                let resp =
                    msg::http_response(200, "application/json", &body(1_000 + i % 9 * 500, 3));
                c.tcp_session(
                    client,
                    SocketAddr::new(server_ip, 80),
                    &[(true, &req), (false, &resp)],
                    1448,
                );
            }
            _ => {
                let hello = msg::client_hello(&Hello {
                    sni: Some(name),
                    ..Hello::default()
                });
                let sh = msg::server_hello(0x0304, 0x1301);
                let up = body(300 + i % 7 * 100, 0x17);
                let down = body(1_500 + i % 11 * 400, 0x17);
                c.tcp_session(
                    client,
                    SocketAddr::new(server_ip, 443),
                    &[(true, &hello), (false, &sh), (true, &up), (false, &down)],
                    1448,
                );
            }
        }
        if i % 6 == 1 {
            // QUIC-like: a long-header Initial of version 1 padded to 1200 bytes, then short
            // header packets both ways.
            let server = SocketAddr::new(server_ip, 443);
            let qclient = SocketAddr::new(client_ip, cport + 2);
            let mut initial = vec![0xc3, 0, 0, 0, 1, 8];
            initial.extend_from_slice(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, i as u8]);
            initial.push(0);
            initial.resize(1200, 0);
            c.udp(qclient, server, &initial);
            for j in 0..6u8 {
                c.udp(server, qclient, &body(1200, 0x40 | j));
                if j % 3 == 0 {
                    c.udp(qclient, server, &body(60, 0x40 | j));
                }
            }
        }
        if i % 50 == 5 {
            // Bulk download: 100 kB down, acknowledged every other segment.
            let server = SocketAddr::new(server_ip, 8080);
            let (mut cseq, mut sseq) = (1u32, 9_000u32);
            let syn = Flags {
                syn: true,
                ..Flags::default()
            };
            c.tcp(client, server, cseq, syn, &[]);
            c.tcp(
                server,
                client,
                sseq,
                Flags {
                    ack: Some(cseq + 1),
                    ..syn
                },
                &[],
            );
            cseq += 1;
            sseq += 1;
            let req = msg::http_request("GET", name, "/download/big.bin", &[], &[]);
            let ack = |n: u32| Flags {
                ack: Some(n),
                ..Flags::default()
            };
            c.tcp(client, server, cseq, ack(sseq), &req);
            cseq += req.len() as u32;
            let chunk = body(1448, 0x99);
            for s in 0..70u32 {
                c.tcp(server, client, sseq, ack(cseq), &chunk);
                sseq += chunk.len() as u32;
                if s % 2 == 1 {
                    c.tcp(client, server, cseq, ack(sseq), &[]);
                }
            }
            let fin = |n: u32| Flags {
                fin: true,
                ack: Some(n),
                ..Flags::default()
            };
            c.tcp(server, client, sseq, fin(cseq), &[]);
            c.tcp(client, server, cseq, fin(sseq + 1), &[]);
        }
        c.wait(Duration::from_millis(200));
    }
    c
}
