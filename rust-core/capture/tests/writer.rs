//! The pcapng writer: exact bytes, round trips through this crate's reader and pcap-file's, and
//! what tshark and capinfos make of a written file.

use std::io::{self, Write};
use std::process::Command;
use std::time::Duration;

use pcap_file::pcapng::blocks::Block;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
use pcap_file::pcapng::blocks::section_header::SectionHeaderOption;
use pcap_file::pcapng::{PcapNgReader, blocks::interface_description::InterfaceDescriptionOption};
use telltale_capture::writer::{DEFAULT_SNAPLEN, MAX_NAME_LEN, MAX_SNAPLEN};
use telltale_capture::{
    AppInfo, CaptureReader, Direction, PacketExtras, PcapngWriter, TsResolution, WriteError,
    WriterOptions,
};
use telltale_tests::{Capture, Flags, Scratch, ip, sa};
use telltale_wire::Timestamp;

const WECHAT: i32 = 10123;
const QQ: i32 = 10456;

fn userappl() -> String {
    format!("Telltale {}", env!("CARGO_PKG_VERSION"))
}

/// Zero bytes that pad `len` to a multiple of 4.
fn padding(len: usize) -> Vec<u8> {
    vec![0; (4 - len % 4) % 4]
}

/// The golden file: one app, a packet of it, and a cut packet of an unknown app with a direction.
fn golden_file() -> Vec<u8> {
    let options = WriterOptions {
        snaplen: 8,
        resolution: TsResolution::Micros,
        interface_name: Some("tun0".to_owned()),
    };
    let mut w = PcapngWriter::new(Vec::new(), options).unwrap();
    assert!(w.add_app(WECHAT, "com.tencent.mm", "WeChat").unwrap());
    // 2023-11-14T22:13:20.123456789Z: the nanoseconds are dropped at microsecond resolution.
    let ts = Timestamp::from_nanos(1_700_000_000_123_456_789);
    w.packet(ts, Some(WECHAT), &[0x45, 1, 2, 3, 4]).unwrap();
    let cut = [0x60, 0, 0, 0, 0, 0, 0x3B, 0x40, 0xEE, 0xFF];
    let extras = PacketExtras {
        orig_len: None,
        direction: Some(Direction::Outbound),
    };
    w.packet_with(
        Timestamp::from_nanos(1_700_000_001_000_000_000),
        None,
        &cut,
        extras,
    )
    .unwrap();
    w.finish().unwrap()
}

#[test]
fn golden_bytes() {
    let got = golden_file();
    let appl = userappl();
    let mut want: Vec<u8> = Vec::new();

    // Section Header Block. Its length depends on the version string's length.
    let shb_len = (28 + 4 + appl.len() + padding(appl.len()).len() + 4) as u32;
    want.extend_from_slice(&[0x0A, 0x0D, 0x0D, 0x0A]); // block type
    want.extend_from_slice(&shb_len.to_le_bytes());
    want.extend_from_slice(&[0x4D, 0x3C, 0x2B, 0x1A]); // byte-order magic, little-endian
    want.extend_from_slice(&[1, 0, 0, 0]); // version 1.0
    want.extend_from_slice(&[0xFF; 8]); // section length: unknown
    want.extend_from_slice(&[4, 0]); // shb_userappl
    want.extend_from_slice(&(appl.len() as u16).to_le_bytes());
    want.extend_from_slice(appl.as_bytes());
    want.extend(padding(appl.len()));
    want.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
    want.extend_from_slice(&shb_len.to_le_bytes());

    // Interface Description Block: 40 bytes.
    want.extend_from_slice(&[
        0x01, 0x00, 0x00, 0x00, // block type 1
        0x28, 0x00, 0x00, 0x00, // total length 40
        0x65, 0x00, // link type 101, raw IP
        0x00, 0x00, // reserved
        0x08, 0x00, 0x00, 0x00, // snap length 8
        0x02, 0x00, 0x04, 0x00, b't', b'u', b'n', b'0', // if_name "tun0"
        0x09, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, // if_tsresol 6, 3 bytes padding
        0x00, 0x00, 0x00, 0x00, // opt_endofopt
        0x28, 0x00, 0x00, 0x00, // total length
    ]);

    // PCAPdroid UID-map Custom Block: 48 bytes.
    want.extend_from_slice(&[
        0xAD, 0x0B, 0x00, 0x00, // block type 0x00000BAD
        0x30, 0x00, 0x00, 0x00, // total length 48
        0xBC, 0xF4, 0x00, 0x00, // PEN 62652
        0x01, 0x00, // PCAPdroid metadata version 1
        0x01, // kind 1: uid map
        0x00, // padding
        0x8B, 0x27, 0x00, 0x00, // uid 10123
        0x0E, // package name length 14
        0x06, // app name length 6
    ]);
    want.extend_from_slice(b"com.tencent.mmWeChat");
    want.extend_from_slice(&[0x00, 0x00]); // padding to 4
    want.extend_from_slice(&[0x30, 0x00, 0x00, 0x00]); // total length

    // Enhanced Packet Block: 56 bytes. 1_700_000_000_123_456 us = 0x00060A24_18202240.
    want.extend_from_slice(&[
        0x06, 0x00, 0x00, 0x00, // block type 6
        0x38, 0x00, 0x00, 0x00, // total length 56
        0x00, 0x00, 0x00, 0x00, // interface 0
        0x24, 0x0A, 0x06, 0x00, // timestamp high
        0x40, 0x22, 0x20, 0x18, // timestamp low
        0x05, 0x00, 0x00, 0x00, // captured length 5
        0x05, 0x00, 0x00, 0x00, // original length 5
        0x45, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, // data, 3 bytes padding
        0x01, 0x00, 0x07, 0x00, b'u', b'-', b'1', b'0', b'1', b'2', b'3', 0x00, // opt_comment
        0x00, 0x00, 0x00, 0x00, // opt_endofopt
        0x38, 0x00, 0x00, 0x00, // total length
    ]);

    // Enhanced Packet Block, cut to the snap length, outbound, unknown app: 60 bytes.
    // 1_700_000_001_000_000 us = 0x00060A24_182D8240.
    want.extend_from_slice(&[
        0x06, 0x00, 0x00, 0x00, // block type 6
        0x3C, 0x00, 0x00, 0x00, // total length 60
        0x00, 0x00, 0x00, 0x00, // interface 0
        0x24, 0x0A, 0x06, 0x00, // timestamp high
        0x40, 0x82, 0x2D, 0x18, // timestamp low
        0x08, 0x00, 0x00, 0x00, // captured length 8
        0x0A, 0x00, 0x00, 0x00, // original length 10
        0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x40, // data (cut)
        0x02, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, // epb_flags: outbound
        0x01, 0x00, 0x04, 0x00, b'u', b'-', b'-', b'1', // opt_comment "u--1"
        0x00, 0x00, 0x00, 0x00, // opt_endofopt
        0x3C, 0x00, 0x00, 0x00, // total length
    ]);

    assert_eq!(
        1_700_000_000_123_456u64,
        (0x0006_0A24u64 << 32) | 0x1820_2240
    );
    assert_eq!(
        1_700_000_001_000_000u64,
        (0x0006_0A24u64 << 32) | 0x182D_8240
    );
    assert_eq!(got, want);

    // And the reader reads it as intended.
    let mut r = CaptureReader::new(&got[..]).unwrap();
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!(
        (p.ts.as_nanos(), p.linktype, p.data, p.orig_len, p.uid),
        (
            1_700_000_000_123_456_000,
            101,
            &[0x45, 1, 2, 3, 4][..],
            5,
            Some(WECHAT)
        )
    );
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!(
        (p.ts.as_nanos(), p.data, p.orig_len, p.uid),
        (1_700_000_001_000_000_000, &cut_prefix()[..], 10, None)
    );
    assert!(r.next_packet().unwrap().is_none());
    assert!(r.warnings().is_empty());
    assert_eq!(
        r.apps().cloned().collect::<Vec<_>>(),
        vec![AppInfo {
            uid: WECHAT,
            package: Some("com.tencent.mm".to_owned()),
            name: Some("WeChat".to_owned()),
        }]
    );
}

fn cut_prefix() -> [u8; 8] {
    [0x60, 0, 0, 0, 0, 0, 0x3B, 0x40]
}

/// Traffic of two apps and an unknown one, IPv4 and IPv6, with a packet larger than 200 bytes.
fn traffic() -> Capture {
    let mut c = Capture::new(1_700_000_000);
    let phone4 = sa("10.215.173.1:40000");
    let resolver = sa("10.215.173.2:53");
    let phone6 = sa("[fd00::1]:40001");
    let server6 = sa("[2001:db8::10]:443");
    c.as_app(Some(WECHAT)).dns_lookup(
        phone4,
        resolver,
        0x1234,
        "weixin.qq.com",
        &[ip("203.0.113.7")],
    );
    let syn = Flags {
        syn: true,
        ..Flags::default()
    };
    c.as_app(Some(QQ))
        .tcp(phone6, server6, 1, syn, b"")
        .wait(Duration::from_nanos(123_456_789))
        .tcp(phone6, server6, 2, Flags::default(), &[0xAB; 600]);
    c.as_app(None)
        .udp(sa("10.215.173.1:40002"), sa("192.0.2.1:9"), b"who?");
    c
}

/// Writes `c` and returns the file: WeChat announced before its packets, QQ only after its own
/// (late), packets alternately inbound and outbound.
fn write(c: &Capture, options: WriterOptions) -> Vec<u8> {
    let mut w = PcapngWriter::new(Vec::new(), options).unwrap();
    assert!(w.add_app(WECHAT, "com.tencent.mm", "WeChat").unwrap());
    for (i, p) in c.packets.iter().enumerate() {
        let ts = Timestamp::from_nanos(p.ts.as_nanos() as i64);
        let direction = Some(if i % 2 == 0 {
            Direction::Outbound
        } else {
            Direction::Inbound
        });
        let extras = PacketExtras {
            orig_len: None,
            direction,
        };
        w.packet_with(ts, p.uid, &p.data, extras).unwrap();
    }
    assert!(!w.has_app(QQ));
    assert!(w.add_app(QQ, "com.tencent.mobileqq", "QQ").unwrap());
    assert!(w.has_app(QQ));
    // A second mapping for a uid writes nothing.
    let before = w.bytes_written();
    assert!(!w.add_app(QQ, "other", "Other").unwrap());
    assert_eq!(w.bytes_written(), before);
    let file = w.finish().unwrap();
    assert_eq!(file.len() as u64, before);
    file
}

#[test]
fn round_trip_through_the_reader() {
    let c = traffic();
    for (resolution, snaplen) in [
        (TsResolution::Nanos, 200),
        (TsResolution::Micros, DEFAULT_SNAPLEN),
    ] {
        let options = WriterOptions {
            snaplen,
            resolution,
            interface_name: None,
        };
        let file = write(&c, options);
        let mut r = CaptureReader::new(&file[..]).unwrap();
        let mut n = 0;
        let mut cut = 0;
        for want in &c.packets {
            let p = r.next_packet().unwrap().unwrap();
            n += 1;
            let nanos = want.ts.as_nanos() as i64;
            let nanos = match resolution {
                TsResolution::Nanos => nanos,
                TsResolution::Micros => nanos / 1000 * 1000,
            };
            assert_eq!(p.ts.as_nanos(), nanos);
            assert_eq!(p.linktype, 101);
            assert_eq!(p.uid, want.uid);
            assert_eq!(p.orig_len as usize, want.data.len());
            let keep = want.data.len().min(snaplen as usize);
            assert_eq!(p.data, &want.data[..keep]);
            cut += usize::from(keep < want.data.len());
        }
        assert_eq!(n, 5);
        assert_eq!(cut, usize::from(snaplen == 200));
        assert!(r.next_packet().unwrap().is_none());
        assert!(r.warnings().is_empty(), "{:?}", r.warnings());
        assert_eq!(r.position(), file.len() as u64);
        let apps: Vec<AppInfo> = r.apps().cloned().collect();
        assert_eq!(
            apps,
            vec![
                AppInfo {
                    uid: WECHAT,
                    package: Some("com.tencent.mm".to_owned()),
                    name: Some("WeChat".to_owned()),
                },
                AppInfo {
                    uid: QQ,
                    package: Some("com.tencent.mobileqq".to_owned()),
                    name: Some("QQ".to_owned()),
                },
            ]
        );
    }
}

/// pcap-file, an independent pcapng implementation, reads the same blocks.
#[test]
fn pcap_file_reads_every_block() {
    let c = traffic();
    let options = WriterOptions {
        snaplen: 200,
        resolution: TsResolution::Nanos,
        interface_name: Some("tun0".to_owned()),
    };
    let file = write(&c, options);
    let mut r = PcapNgReader::new(&file[..]).unwrap();
    let shb = r.section();
    assert!(
        shb.options
            .contains(&SectionHeaderOption::UserApplication(userappl().into()))
    );
    let mut packets = Vec::new();
    let mut custom = 0;
    while let Some(block) = r.next_block() {
        match block.unwrap() {
            Block::InterfaceDescription(idb) => {
                assert_eq!(u32::from(idb.linktype), 101);
                assert_eq!(idb.snaplen, 200);
                assert!(
                    idb.options
                        .contains(&InterfaceDescriptionOption::IfTsResol(9))
                );
                assert!(
                    idb.options
                        .contains(&InterfaceDescriptionOption::IfName("tun0".into()))
                );
            }
            Block::EnhancedPacket(epb) => {
                let comments: Vec<String> = epb
                    .options
                    .iter()
                    .filter_map(|o| match o {
                        EnhancedPacketOption::Comment(c) => Some(c.to_string()),
                        _ => None,
                    })
                    .collect();
                let flags: Vec<u32> = epb
                    .options
                    .iter()
                    .filter_map(|o| match o {
                        EnhancedPacketOption::Flags(f) => Some(*f),
                        _ => None,
                    })
                    .collect();
                packets.push((comments, flags, epb.original_len, epb.data.len()));
            }
            Block::Unknown(u) => {
                assert_eq!(u.type_, 0x0BAD);
                assert_eq!(&u.value[..4], &62652u32.to_le_bytes());
                custom += 1;
            }
            other => panic!("unexpected block {other:?}"),
        }
    }
    assert_eq!(custom, 2);
    let want: Vec<_> = c
        .packets
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                vec![format!("u-{}", p.uid.unwrap_or(-1))],
                vec![if i % 2 == 0 { 2 } else { 1 }],
                p.data.len() as u32,
                p.data.len().min(200),
            )
        })
        .collect();
    assert_eq!(packets, want);
}

/// tshark shows the PCAPdroid comment of every packet next to its source address, and capinfos
/// the file's type, link type, packet count and writer.
#[test]
fn tshark_reads_app_comments() {
    let (Some(tshark), Some(capinfos)) = (find_tool("tshark"), find_tool("capinfos")) else {
        println!("skipped: tshark or capinfos is not installed");
        return;
    };
    let c = traffic();
    let file = write(
        &c,
        WriterOptions {
            snaplen: 200,
            resolution: TsResolution::Nanos,
            interface_name: Some("tun0".to_owned()),
        },
    );
    let dir = Scratch::new("pcapng-writer");
    let path = dir.file("apps.pcapng", &file);

    let out = Command::new(&tshark)
        .arg("-r")
        .arg(&path)
        .args(["-T", "fields", "-E", "separator=|"])
        .args(["-e", "frame.cb_pen", "-e", "frame.comment", "-e", "ip.src"])
        .args(["-e", "ipv6.src", "-e", "frame.len", "-e", "frame.cap_len"])
        .args(["-e", "frame.packet_flags_direction"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Wireshark lists each custom block as a record of its own (that is how PCAPdroid's plugin
    // sees it, through frame.cb_pen), its length the custom data after the PEN.
    let custom = |package: &str, name: &str| {
        let len = 10 + package.len() + name.len();
        let len = len + padding(len).len();
        format!("62652||||{len}|{len}|")
    };
    let mut want = vec![custom("com.tencent.mm", "WeChat")];
    for (i, p) in c.packets.iter().enumerate() {
        let (v4, v6) = if p.data[0] >> 4 == 4 {
            let a = &p.data[12..16];
            (format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]), "")
        } else {
            (String::new(), "fd00::1")
        };
        want.push(format!(
            "|u-{}|{v4}|{v6}|{}|{}|0x0000000{}",
            p.uid.unwrap_or(-1),
            p.data.len(),
            p.data.len().min(200),
            if i % 2 == 0 { 2 } else { 1 },
        ));
    }
    want.push(custom("com.tencent.mobileqq", "QQ"));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, want, "tshark printed:\n{stdout}");

    // A table: a row of column names, a row of values.
    let out = Command::new(&capinfos)
        .args(["-T", "-t", "-E", "-c", "-F"])
        .arg(&path)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "capinfos failed: {info}");
    let rows: Vec<Vec<&str>> = info.lines().map(|l| l.split('\t').collect()).collect();
    let [names, values] = &rows[..] else {
        panic!("capinfos printed:\n{info}");
    };
    let column = |name: &str| {
        let i = names.iter().position(|n| *n == name);
        i.and_then(|i| values.get(i)).copied()
    };
    let appl = userappl();
    for (name, value) in [
        ("File type", "pcapng"),
        ("File encapsulation", "rawip"),
        ("File time precision", "nanoseconds"),
        ("Number of packets", "5"),
        ("Capture application", &appl),
        // Nothing about the device.
        ("Capture hardware", ""),
        ("Capture oper-sys", ""),
    ] {
        assert_eq!(
            column(name),
            Some(value),
            "{name}; capinfos printed:\n{info}"
        );
    }
}

/// The path of `name` when it is on the PATH.
fn find_tool(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[test]
fn packets_already_cut_keep_their_original_length() {
    let mut w = PcapngWriter::new(Vec::new(), WriterOptions::default()).unwrap();
    let ts = Timestamp::from_nanos(1);
    let extras = |orig_len| PacketExtras {
        orig_len: Some(orig_len),
        direction: None,
    };
    w.packet_with(ts, Some(0), &[0x45; 10], extras(1500))
        .unwrap();
    // An original length below the data's is raised to it.
    w.packet_with(ts, Some(0), &[0x45; 10], extras(3)).unwrap();
    let file = w.finish().unwrap();
    let mut r = CaptureReader::new(&file[..]).unwrap();
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!((p.data.len(), p.orig_len, p.uid), (10, 1500, Some(0)));
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!((p.data.len(), p.orig_len), (10, 10));
    // The uid was never mapped: the packets still carry it; the app table is empty.
    assert_eq!(r.apps().count(), 0);
}

#[test]
fn timestamps_before_1970_are_written_as_the_epoch() {
    let mut w = PcapngWriter::new(Vec::new(), WriterOptions::default()).unwrap();
    w.packet(Timestamp::from_nanos(-1_000_000_000), None, &[0x45])
        .unwrap();
    let file = w.finish().unwrap();
    let mut r = CaptureReader::new(&file[..]).unwrap();
    assert_eq!(r.next_packet().unwrap().unwrap().ts, Timestamp::EPOCH);
}

#[test]
fn long_names_are_cut_to_whole_characters() {
    let mut w = PcapngWriter::new(Vec::new(), WriterOptions::default()).unwrap();
    let package = format!("com.example.{}", "x".repeat(400));
    // 254 bytes of ASCII, then a 3-byte character that does not fit in 255.
    let name = format!("{}微信", "n".repeat(254));
    w.add_app(7, &package, &name).unwrap();
    w.add_app(8, "", "").unwrap();
    let file = w.finish().unwrap();
    let mut r = CaptureReader::new(&file[..]).unwrap();
    assert!(r.next_packet().unwrap().is_none());
    assert!(r.warnings().is_empty());
    let apps: Vec<AppInfo> = r.apps().cloned().collect();
    assert_eq!(apps[0].package.as_deref(), Some(&package[..MAX_NAME_LEN]));
    assert_eq!(apps[0].name.as_deref(), Some(&name[..254]));
    assert_eq!(
        (apps[1].package.as_deref(), apps[1].name.as_deref()),
        (None, None)
    );
}

#[test]
fn snap_length_is_checked() {
    for snaplen in [0, MAX_SNAPLEN + 1, u32::MAX] {
        let options = WriterOptions {
            snaplen,
            ..WriterOptions::default()
        };
        let err = PcapngWriter::new(Vec::new(), options).unwrap_err();
        assert!(matches!(err, WriteError::InvalidSnaplen { snaplen: s } if s == snaplen));
    }
    let options = WriterOptions {
        snaplen: MAX_SNAPLEN,
        ..WriterOptions::default()
    };
    let mut w = PcapngWriter::new(Vec::new(), options).unwrap();
    let big = vec![0x45; MAX_SNAPLEN as usize + 10];
    w.packet(Timestamp::EPOCH, None, &big).unwrap();
    let file = w.finish().unwrap();
    let mut r = CaptureReader::new(&file[..]).unwrap();
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!(
        (p.data.len(), p.orig_len as usize),
        (MAX_SNAPLEN as usize, big.len())
    );
}

/// An output that accepts `budget` bytes, at most `chunk` per call, then fails.
struct Failing {
    data: Vec<u8>,
    budget: usize,
    chunk: usize,
    interrupt_next: bool,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if std::mem::take(&mut self.interrupt_next) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        self.interrupt_next = true;
        let n = buf.len().min(self.chunk).min(self.budget);
        if n == 0 && !buf.is_empty() {
            return Err(io::Error::other("disk full"));
        }
        self.budget -= n;
        self.data.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn output_errors() {
    let out = Failing {
        data: Vec::new(),
        budget: usize::MAX,
        chunk: 7,
        interrupt_next: false,
    };
    // Short writes and interruptions are retried.
    let mut w = PcapngWriter::new(out, WriterOptions::default()).unwrap();
    w.add_app(WECHAT, "com.tencent.mm", "WeChat").unwrap();
    let header_and_app = w.bytes_written();
    assert_eq!(w.get_ref().data.len() as u64, header_and_app);

    // A failure before any byte of a block is accepted loses that block only.
    w.get_mut().budget = 0;
    assert!(matches!(
        w.packet(Timestamp::EPOCH, Some(WECHAT), &[0x45; 20]),
        Err(WriteError::Io(_))
    ));
    assert!(!w.has_app(QQ));
    assert!(matches!(
        w.add_app(QQ, "com.tencent.mobileqq", "QQ"),
        Err(WriteError::Io(_))
    ));
    assert!(!w.has_app(QQ));
    w.get_mut().budget = usize::MAX;
    w.packet(Timestamp::EPOCH, Some(WECHAT), &[0x45; 20])
        .unwrap();
    let valid = w.bytes_written();
    assert_eq!(w.get_ref().data.len() as u64, valid);

    // A failure in the middle of a block breaks the writer.
    w.get_mut().budget = 10;
    assert!(matches!(
        w.packet(Timestamp::EPOCH, None, &[0x45; 20]),
        Err(WriteError::Io(_))
    ));
    w.get_mut().budget = usize::MAX;
    match w.packet(Timestamp::EPOCH, None, &[0x45; 20]) {
        Err(WriteError::Broken { valid_len }) => assert_eq!(valid_len, valid),
        other => panic!("not broken: {other:?}"),
    }
    assert!(matches!(
        w.add_app(1, "a", "b"),
        Err(WriteError::Broken { .. })
    ));
    let out = w.into_inner();
    assert_eq!(out.data.len() as u64, valid + 10);
    // Cut back to the valid length, the file reads cleanly.
    let mut r = CaptureReader::new(&out.data[..valid as usize]).unwrap();
    assert_eq!(r.next_packet().unwrap().unwrap().uid, Some(WECHAT));
    assert!(r.next_packet().unwrap().is_none());
    assert!(r.warnings().is_empty());
}

/// After every call the output is a complete capture: taking the bytes out of a `Vec` between
/// calls and joining them gives the same file.
#[test]
fn output_taken_between_calls_is_whole_blocks() {
    let c = traffic();
    let mut w = PcapngWriter::new(Vec::new(), WriterOptions::default()).unwrap();
    let mut joined = std::mem::take(w.get_mut());
    for (i, p) in c.packets.iter().enumerate() {
        if i == 2 {
            w.add_app(WECHAT, "com.tencent.mm", "WeChat").unwrap();
        }
        let ts = Timestamp::from_nanos(p.ts.as_nanos() as i64);
        w.packet(ts, p.uid, &p.data).unwrap();
        joined.extend(std::mem::take(w.get_mut()));
        let mut r = CaptureReader::new(&joined[..]).unwrap();
        let mut n = 0;
        while r.next_packet().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, i + 1);
        assert!(r.warnings().is_empty());
    }
    assert_eq!(joined.len() as u64, w.bytes_written());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any packets, uids, times and names round-trip (within the snap length and resolution).
    #[test]
    fn anything_round_trips(
        snaplen in 1u32..300,
        nanos in proptest::bool::ANY,
        apps in proptest::collection::vec((proptest::num::i32::ANY, ".{0,40}", ".{0,40}"), 0..4),
        packets in proptest::collection::vec(
            (proptest::num::i64::ANY, proptest::option::of(proptest::num::i32::ANY),
             proptest::collection::vec(proptest::num::u8::ANY, 0..400)),
            0..8,
        ),
    ) {
        let resolution = if nanos { TsResolution::Nanos } else { TsResolution::Micros };
        let options = WriterOptions { snaplen, resolution, interface_name: None };
        let mut w = PcapngWriter::new(Vec::new(), options).unwrap();
        let mut first_names = std::collections::HashMap::new();
        for (uid, package, name) in &apps {
            let written = w.add_app(*uid, package, name).unwrap();
            proptest::prop_assert_eq!(written, !first_names.contains_key(uid));
            first_names.entry(*uid).or_insert((package.clone(), name.clone()));
        }
        for (ts, uid, data) in &packets {
            w.packet(Timestamp::from_nanos(*ts), *uid, data).unwrap();
        }
        let file = w.finish().unwrap();
        let mut r = CaptureReader::new(&file[..]).unwrap();
        for (ts, uid, data) in &packets {
            let p = r.next_packet().unwrap().unwrap();
            let ns = (*ts).max(0);
            let ns = if nanos { ns } else { ns / 1000 * 1000 };
            proptest::prop_assert_eq!(p.ts.as_nanos(), ns);
            proptest::prop_assert_eq!(p.uid, uid.filter(|&u| u != -1));
            proptest::prop_assert_eq!(p.orig_len as usize, data.len());
            proptest::prop_assert_eq!(p.data, &data[..data.len().min(snaplen as usize)]);
        }
        proptest::prop_assert!(r.next_packet().unwrap().is_none());
        proptest::prop_assert!(r.warnings().is_empty());
        let got: Vec<AppInfo> = r.apps().cloned().collect();
        proptest::prop_assert_eq!(got.len(), first_names.len());
        for app in got {
            let (package, name) = &first_names[&app.uid];
            proptest::prop_assert_eq!(app.package, (!package.is_empty()).then(|| package.clone()));
            proptest::prop_assert_eq!(app.name, (!name.is_empty()).then(|| name.clone()));
        }
    }
}
