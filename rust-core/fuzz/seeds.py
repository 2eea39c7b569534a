#!/usr/bin/env python3
"""Writes small seed inputs for every fuzz target into corpus/<target>/.

Usage: python3 seeds.py [corpus-dir]   (default: the corpus/ directory next to this script)

Every seed is built here from the protocol layouts, except the QUIC Initials of RFC 9001 A.2 and
RFC 9369 A.2, which are read from the unit tests in ../wire/src/quic.rs. The input layouts the
targets expect (a link-type prefix, a size limit, a mode byte, record headers) are described in
the doc comment at the top of each target.
"""

import re
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


# --- IP, TCP, UDP -----------------------------------------------------------------------------


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src: str, dst: str, proto: int, payload: bytes, ident=1, frag=0) -> bytes:
    addr = lambda a: bytes(int(x) for x in a.split("."))
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto,
                         0, addr(src), addr(dst))
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def ipv6(src_last: int, dst_last: int, next_header: int, payload: bytes) -> bytes:
    prefix = bytes.fromhex("20010db8000000000000000000000000")
    src = prefix[:15] + bytes([src_last])
    dst = prefix[:15] + bytes([dst_last])
    return struct.pack("!IHBB", 0x60000000, len(payload), next_header, 64) + src + dst + payload


def tcp(sport: int, dport: int, seq: int, ack: int, flags: int, payload=b"", options=b"") -> bytes:
    options += b"\x01" * (-len(options) % 4)
    offset = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, offset << 4, flags, 65535, 0,
                       0) + options + payload


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


def ipv4_checked(src: str, dst: str, proto: int, segment: bytes) -> bytes:
    """An IPv4 packet whose TCP or UDP checksum (at offset 16 or 6 of `segment`) is filled in,
    for targets that drop packets with bad checksums (the netstack)."""
    addr = lambda a: bytes(int(x) for x in a.split("."))
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, proto, len(segment))
    at = 16 if proto == 6 else 6
    sum_ = checksum(pseudo + segment)
    return ipv4(src, dst, proto, segment[:at] + struct.pack("!H", sum_) + segment[at + 2:])


# --- DNS --------------------------------------------------------------------------------------


def dns_name(name: str) -> bytes:
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def dns_query(ident: int, name: str, qtype: int) -> bytes:
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack(
        "!HH", qtype, 1)


def dns_response(ident: int, name: str) -> bytes:
    question = dns_name(name) + struct.pack("!HH", 1, 1)
    pointer = b"\xc0\x0c"  # the question's name
    cname_target = dns_name("wx.qq.com.edgekey.example")
    # The CNAME target's offset: header, question, then the first answer's fixed fields.
    target = struct.pack("!H", 0xC000 | (12 + len(question) + 12))
    answers = [
        pointer + struct.pack("!HHIH", 5, 1, 60, len(cname_target)) + cname_target,
        target + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([43, 130, 1, 1]),
        target + struct.pack("!HHIH", 28, 1, 60, 16) + bytes.fromhex(
            "24024e00000000000000000000000001"),
    ]
    # HTTPS record: priority 1, target ".", alpn h3,h2, ipv4hint, ech.
    params = (struct.pack("!HH", 1, 6) + b"\x02h3\x02h2" + struct.pack("!HH", 4, 4) +
              bytes([43, 130, 1, 2]) + struct.pack("!HH", 5, 3) + b"\x00\x01\x02")
    https = struct.pack("!H", 1) + b"\0" + params
    answers.append(pointer + struct.pack("!HHIH", 65, 1, 60, len(https)) + https)
    header = struct.pack("!HHHHHH", ident, 0x8180, 1, len(answers), 0, 0)
    return header + question + b"".join(answers)


# --- HTTP -------------------------------------------------------------------------------------

HTTP_REQUEST = (b"GET /cgi-bin/report?uin=12345&imei=356938035643809 HTTP/1.1\r\n"
                b"Host: Log.Weixin.QQ.com:8080\r\nUser-Agent: MicroMessenger/8.0\r\n"
                b"Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nbody")
HTTP_PROXY_REQUEST = b"POST http://[2001:db8::1]:80/upload?x=1 HTTP/1.0\r\nContent-Length: 0\r\n\r\n"
HTTP_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                 b"\r\n{}")


# --- TLS --------------------------------------------------------------------------------------


def u8_list(data: bytes) -> bytes:
    return bytes([len(data)]) + data


def u16_list(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!H", kind) + u16_list(body)


def handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + struct.pack("!I", len(body))[1:] + body


def client_hello(sni: str, alpn: list, ech=False) -> bytes:
    ciphers = [0x0A0A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0x000A, 0x00FF]
    sni_entry = b"\0" + u16_list(sni.encode())
    exts = [
        extension(0x0A0A, b""),
        extension(0x0000, u16_list(sni_entry)),
        extension(0x0017, b""),
        extension(0x000B, u8_list(b"\0")),
        extension(0x000A, u16_list(struct.pack("!4H", 0x0A0A, 0x001D, 0x0017, 0x0018))),
        extension(0x000D, u16_list(struct.pack("!4H", 0x0403, 0x0804, 0x0401, 0x0201))),
        extension(0x0010, u16_list(b"".join(u8_list(p) for p in alpn))),
        extension(0x002B, u8_list(struct.pack("!3H", 0x1A1A, 0x0304, 0x0303))),
        extension(0x002D, u8_list(b"\x01")),
        extension(0x0033, u16_list(struct.pack("!HH", 0x001D, 32) + bytes(32))),
    ]
    if ech:
        exts.append(extension(0xFE0D, b"\0\0\x01\0\x01\x05" + u16_list(bytes(32)) + u16_list(
            bytes(16))))
    body = (struct.pack("!H", 0x0303) + bytes(range(32)) + u8_list(bytes(32)) +
            u16_list(struct.pack(f"!{len(ciphers)}H", *ciphers)) + u8_list(b"\0") +
            u16_list(b"".join(exts)))
    return handshake(1, body)


def server_hello(tls13: bool) -> bytes:
    exts = (extension(0x002B, struct.pack("!H", 0x0304)) +
            extension(0x0033, struct.pack("!HH", 0x001D, 32) + bytes(32)) if tls13 else
            extension(0x0010, u16_list(u8_list(b"http/1.1"))) + extension(0xFF01, b"\0"))
    body = (struct.pack("!H", 0x0303) + bytes(32) + u8_list(bytes(32)) +
            struct.pack("!H", 0x1301 if tls13 else 0x000A) + b"\0" + u16_list(exts))
    return handshake(2, body)


def records(message: bytes, fragment: int = 1 << 14) -> bytes:
    out = b""
    for at in range(0, len(message), fragment):
        chunk = message[at:at + fragment]
        out += b"\x16\x03\x01" + struct.pack("!H", len(chunk)) + chunk
    return out


CLIENT_HELLO = client_hello("mmtls.weixin.qq.com", [b"h2", b"http/1.1"])


# --- QUIC -------------------------------------------------------------------------------------


def rfc_initial(const: str) -> bytes:
    """A hex constant of the QUIC unit tests (concat! of string literals)."""
    source = (HERE.parent / "wire" / "src" / "quic.rs").read_text()
    match = re.search(rf"const {const}: &str = concat!\((.*?)\);", source, re.S)
    if match is None:
        sys.exit(f"{const} not found in ../wire/src/quic.rs")
    return bytes.fromhex("".join(re.findall(r'"([0-9a-f]*)"', match.group(1))))


def quic_varint(n: int) -> bytes:
    return struct.pack("!H", 0x4000 | n) if n < 1 << 14 else struct.pack("!I", 0x80000000 | n)


def sealed_mode_input(frames: bytes, version_choice=0) -> bytes:
    """wire_quic's sealed mode (mode byte 0x02): version choice, DCID length and DCID, SCID length
    and SCID, packet count choice, packet number length choice, frames length (u16 little-endian)
    and the plaintext frames."""
    dcid = bytes.fromhex("8394c8f03e515708")
    return (b"\x02" + bytes([version_choice, len(dcid)]) + dcid + b"\x00" + b"\x00" + b"\x03" +
            struct.pack("<H", len(frames)) + frames)


# --- MMTLS and QQ -----------------------------------------------------------------------------
# Built from the layouts documented in ../wire/src/mmtls.rs and ../wire/src/oicq.rs; randoms,
# keys, nonces, tickets and QQ numbers are made up.


def u32_list(data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + data


def mmtls_record(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + b"\xf1\x04" + struct.pack("!H", len(body)) + body


def mmtls_ext(kind: int, body: bytes) -> bytes:
    return u32_list(struct.pack("!H", kind) + body)


def mmtls_entries(entries: list) -> bytes:
    """A count byte, then each entry with a 4-byte length (PSK and key share extensions)."""
    return bytes([len(entries)]) + b"".join(u32_list(e) for e in entries)


def mmtls_psk(index: int, lifetime: int, nonce: bytes, ticket: bytes) -> bytes:
    return (bytes([index]) + struct.pack("!IHI", lifetime, 0, 0x48) + u16_list(nonce) +
            u16_list(ticket))


def mmtls_key_share(index: int, fill: int) -> bytes:
    return struct.pack("!I", index) + u16_list(b"\x04" + bytes([fill]) * 64)


def mmtls_client_hello(suites: list, exts: list) -> bytes:
    hello = (b"\x01\x04\xf1" + bytes([len(suites)]) + struct.pack(f"!{len(suites)}H", *suites) +
             bytes(range(32)) + struct.pack("!I", 0x656E783B) +
             u32_list(bytes([len(exts)]) + b"".join(exts)))
    return u32_list(hello)


def mmtls_server_hello(suite: int, exts: list) -> bytes:
    hello = (b"\x02\x04\xf1" + struct.pack("!H", suite) + bytes(range(32, 64)) +
             u32_list(bytes([len(exts)]) + b"".join(exts)))
    return u32_list(hello)


MMTLS_PSK_LONG = mmtls_ext(0x000F, mmtls_entries([mmtls_psk(2, 30 * 86400, bytes(range(12)),
                                                             bytes(range(105)))]))
MMTLS_PSK_SHORT = mmtls_ext(0x000F, mmtls_entries([mmtls_psk(1, 7 * 86400, bytes(range(12, 24)),
                                                              bytes(range(72)))]))
MMTLS_KEY_SHARES = mmtls_ext(0x0010, mmtls_entries([mmtls_key_share(1, 0x11),
                                                    mmtls_key_share(2, 0x22)]))
MMTLS_CH_1RTT = mmtls_client_hello([0xC02B, 0x00A8], [MMTLS_PSK_LONG, MMTLS_KEY_SHARES])
MMTLS_CH_0RTT = mmtls_client_hello([0x00A8], [MMTLS_PSK_SHORT])
MMTLS_SH_1RTT = mmtls_server_hello(0xC02B, [
    mmtls_ext(0x0011, mmtls_key_share(1, 0x33)),
    mmtls_ext(0x0013, struct.pack("!II", 1, 3)),
])
MMTLS_SH_PSK = mmtls_server_hello(0x00A8, [])


def oicq_packet(version: int, command: int, seq: int, qq: int, body: bytes) -> bytes:
    return b"\x02" + struct.pack("!HHHI", version, command, seq, qq) + body + b"\x03"


def msf_frame(packet_type: int, encrypt: int, middle: bytes, uin: bytes, body: bytes) -> bytes:
    inner = (struct.pack("!IB", packet_type, encrypt) + middle + b"\x00" +
             struct.pack("!I", len(uin) + 4) + uin + body)
    return struct.pack("!I", len(inner) + 4) + inner


OICQ_LOGIN = oicq_packet(0x3B0B, 0x0022, 1, 100000, bytes(range(0xA1, 0xB1)))
OICQ_HEARTBEAT = oicq_packet(0x0E1B, 0x0002, 0x1234, 12345678, bytes(range(1, 17)))


# --- Identifiers in HTTP requests ------------------------------------------------------------
# Layout of ../fuzz_targets/identify.rs: a mode byte (content type), the target, `\n`, header
# lines, an empty line, the body. Every identifier below is made up.


def identify_input(mode: int, target: str, headers: list, body: bytes = b"") -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return bytes([mode]) + target.encode() + b"\n" + head.encode() + b"\n" + body


IDENTIFY_NEWGETDNS = ("/cgi-bin/micromsg-bin/newgetdns?uin=1234567890&clientversion=671094583"
                      "&scene=0&net=1&md5=1140e9e40e1c4ecffb565c748fbe9e23&devicetype=android-34"
                      "&lan=en&sigver=2&networkid=46886632a5c87cb10e3c60852250a8f3&mccmnc=")
IDENTIFY_FORM = (b"imei=490154203237518&imsi=460001234567890&mac=A4%3A5E%3A60%3A01%3A02%3A03"
                 b"&android_id=3f2a9c0d41b7e865&oaid=38400000-8cf0-11bd-b23e-10b96e40000d"
                 b"&email=alice%40example.com&phone=%2B8613812345678&lat=39.904211&lng=116.407395")
IDENTIFY_JSON = (b'{"device":{"imei":"490154203237518","androidId":"3f2a9c0d41b7e865",'
                 b'"wifi":[{"bssid":"a4:5e:60:01:02:03","ssid":"\\"HomeNet\\""}]},'
                 b'"location":{"lat":39.904211,"lng":116.407395},'
                 b'"cells":[{"lac":4113,"cid":12345}],"user":{"qq":123456789,'
                 b'"wxid":"wxid_4z3y2x1w0v9u22"},"data":"{\\"gaid\\":\\"38400000-8cf0-11bd-'
                 b'b23e-10b96e40000d\\"}"}')


# --- Links ------------------------------------------------------------------------------------

MAC = bytes.fromhex("020000000001020000000002")


def ethernet(ethertype: int, payload: bytes) -> bytes:
    return MAC + struct.pack("!H", ethertype) + payload


def link_seeds(packet: bytes, packet6: bytes) -> dict:
    sll = struct.pack("!HHH8sH", 0, 1, 6, bytes(8), 0x0800)
    sll2 = struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, bytes(8))
    pppoe = struct.pack("!BBHH", 0x11, 0, 1, len(packet) + 2) + struct.pack("!H", 0x0021)
    mpls = struct.pack("!I", (16 << 12) | 64) + struct.pack("!I", (17 << 12) | 0x100 | 64)
    frames = {
        "ethernet": (1, ethernet(0x0800, packet)),
        "vlan": (1, ethernet(0x8100, b"\x00\x0a\x86\xdd" + packet6)),
        "qinq": (1, ethernet(0x88A8, b"\x00\x0a\x81\x00\x00\x0b\x08\x00" + packet)),
        "pppoe": (1, ethernet(0x8864, pppoe + packet)),
        "mpls": (1, ethernet(0x8847, mpls + packet)),
        "raw": (101, packet6),
        "dlt-raw": (12, packet),
        "ipv4": (228, packet),
        "null": (0, struct.pack("<I", 2) + packet),
        "null-darwin6": (0, struct.pack("<I", 30) + packet6),
        "loop": (108, struct.pack("!I", 24) + packet6),
        "sll": (113, sll + packet),
        "sll2": (276, sll2 + packet),
    }
    return {name: struct.pack("!H", lt) + frame for name, (lt, frame) in frames.items()}


# --- Captures ---------------------------------------------------------------------------------


def pcap(packets: list, linktype=1, big_endian=False, nanos=False) -> bytes:
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for i, data in enumerate(packets):
        out += struct.pack(order + "IIII", 1700000000 + i, 500 * i, len(data), len(data)) + data
    return out


def pcapdroid_frame(packet: bytes, uid: int, app: bytes) -> bytes:
    frame = ethernet(0x0800, packet)
    frame += b"\0" * (-len(frame) % 4)
    frame += struct.pack("!Ii", 0x01072021, uid) + app[:20].ljust(20, b"\0")
    return frame + struct.pack("<I", zlib.crc32(frame))


def block(kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", kind, total) + body + struct.pack("<I", total)


def option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng(packets: list) -> bytes:
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(4, b"seeds.py") +
                option(0, b""))
    idb = block(1, struct.pack("<HHI", 1, 0, 65535) + option(9, b"\x09") + option(0, b""))
    uid_map = block(0x0BAD, struct.pack("<IHBBiBB", 62652, 1, 1, 0, 10123, 14, 6) +
                    b"com.tencent.mmWeChat")
    out = shb + idb + uid_map
    for i, data in enumerate(packets):
        ts = (1700000000 + i) * 10**9
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data))
        epb += data + b"\0" * (-len(data) % 4) + option(1, b"u-10123") + option(0, b"")
        out += block(6, epb)
    out += block(3, struct.pack("<I", len(packets[0])) + packets[0])  # simple packet block
    out += block(5, struct.pack("<III", 0, 0, 0))  # interface statistics: skipped
    return out


# --- Netstack ---------------------------------------------------------------------------------


def netstack_input(steps: list) -> bytes:
    """netstack_packets' layout: per step an op byte, and for ops that carry bytes (op % 8 in
    0, 1, 3, 5) a big-endian u16 length and the bytes."""
    out = b""
    for op, data in steps:
        out += bytes([op])
        if op % 8 in (0, 1, 3, 5):
            out += struct.pack("!H", len(data)) + data
    return out


def netstack_tcp(app: str, server: str, sport: int, dport: int) -> bytes:
    syn = ipv4_checked(app, server, 6, tcp(sport, dport, 1000, 0, SYN, options=b"\x02\x04\x05\xb4"))
    # The netstack answers with its own sequence number, unknown here: the fuzzer's mutations
    # of this ACK (and the data after it) find it.
    ack = ipv4_checked(app, server, 6, tcp(sport, dport, 1001, 1, ACK))
    data = ipv4_checked(app, server, 6, tcp(sport, dport, 1001, 1, PSH | ACK, b"GET / HTTP/1.1\r\n\r\n"))
    fin = ipv4_checked(app, server, 6, tcp(sport, dport, 1019, 1, FIN | ACK))
    return netstack_input([(0, syn), (2, b""), (0, ack), (0, data), (6, b""),
                           (3, b"HTTP/1.1 200 OK\r\n\r\nhello"), (0, fin), (4, b""), (7 + 8 * 5, b"")])


def netstack_udp(app: str, resolver: str) -> bytes:
    query = ipv4_checked(app, resolver, 17, udp(40000, 53, bytes(12) + b"\x02qq\x03com\x00\x00\x01\x00\x01"))
    return netstack_input([(0, query), (5, bytes(12)), (7 + 8 * 20, b""), (0, query)])


# --- Engine -----------------------------------------------------------------------------------


def engine_input(packets: list, uid=0, show_identifiers=False, small_downloads=False) -> bytes:
    """engine_packets' layout: an options byte (bit 0 show_identifiers, bit 1 the 1 KiB
    download_limit), then per packet a signed time step, a uid byte and a big-endian u16
    length."""
    out = bytes([(1 if show_identifiers else 0) | (2 if small_downloads else 0)])
    for step, data in packets:
        out += struct.pack("!bBH", step, uid, len(data)) + data
    return out


def tcp_session(client: str, server: str, sport: int, dport: int, c2s: bytes, s2c: bytes):
    isn_c, isn_s = 1000, 5000
    return [
        (1, ipv4(client, server, 6, tcp(sport, dport, isn_c, 0, SYN, options=b"\x02\x04\x05\xb4"))),
        (1, ipv4(server, client, 6, tcp(dport, sport, isn_s, isn_c + 1, SYN | ACK))),
        (1, ipv4(client, server, 6, tcp(sport, dport, isn_c + 1, isn_s + 1, ACK))),
        (2, ipv4(client, server, 6, tcp(sport, dport, isn_c + 1, isn_s + 1, PSH | ACK, c2s))),
        (3, ipv4(server, client, 6, tcp(dport, sport, isn_s + 1, isn_c + 1 + len(c2s), PSH | ACK,
                                          s2c))),
        (1, ipv4(client, server, 6, tcp(sport, dport, isn_c + 1 + len(c2s), isn_s + 1 + len(s2c),
                                          FIN | ACK))),
        (-2, ipv4(server, client, 6, tcp(dport, sport, isn_s + 1 + len(s2c),
                                           isn_c + 2 + len(c2s), RST))),
    ]


def tcp_conversation(client: str, server: str, sport: int, dport: int, turns: list, mss=1400,
                     reorder=False, handshake=True, close=True):
    """A TCP connection carrying `turns`, a list of (from_client, bytes), each cut into segments
    of at most `mss` bytes (with `reorder`, each turn's first two segments swap places). Without
    `handshake` the first packet is a data segment, so the engine guesses the roles."""
    seq = {True: 1000, False: 5000}
    ends = {True: (client, server, sport, dport), False: (server, client, dport, sport)}

    def segment(from_client, flags, payload=b""):
        src, dst, sp, dp = ends[from_client]
        return ipv4(src, dst, 6, tcp(sp, dp, seq[from_client], seq[not from_client], flags,
                                     payload))

    packets = []
    if handshake:
        packets.append((1, ipv4(client, server, 6, tcp(sport, dport, seq[True], 0, SYN,
                                                       options=b"\x02\x04\x05\xb4"))))
        seq[True] += 1
        packets.append((1, segment(False, SYN | ACK)))
        seq[False] += 1
        packets.append((1, segment(True, ACK)))
    for from_client, data in turns:
        pieces = []
        for at in range(0, len(data), mss):
            chunk = data[at:at + mss]
            pieces.append((2, segment(from_client, PSH | ACK, chunk)))
            seq[from_client] += len(chunk)
        if reorder and len(pieces) > 1:
            pieces[0], pieces[1] = pieces[1], pieces[0]
        packets += pieces
    if close:
        packets.append((1, segment(True, FIN | ACK)))
        seq[True] += 1
        packets.append((1, segment(False, FIN | ACK)))
        seq[False] += 1
        packets.append((1, segment(True, ACK)))
    return packets


# --- HTTP bodies and what is inside them ------------------------------------------------------
# Made-up hosts' requests and answers, laid out as ../wire/src/http.rs and httpdns.rs parse them.


def http_request(method: str, target: str, headers: list, body=b"", length=True) -> bytes:
    if length and body:
        headers = headers + [("Content-Length", str(len(body)))]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return f"{method} {target} HTTP/1.1\r\n{head}\r\n".encode() + body


def http_response(status: int, headers: list, body=b"", length=True) -> bytes:
    if length:
        headers = headers + [("Content-Length", str(len(body)))]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return f"HTTP/1.1 {status} OK\r\n{head}\r\n".encode() + body


def chunked(body: bytes, size: int) -> bytes:
    out = b""
    for i, at in enumerate(range(0, len(body), size)):
        chunk = body[at:at + size]
        extension = ";name=x" if i == 1 else ""
        out += f"{len(chunk):x}{extension}\r\n".encode() + chunk + b"\r\n"
    return out + b"0\r\nX-Trailer: 1\r\n\r\n"


def raw_deflate(data: bytes) -> bytes:
    """RFC 1951 raw DEFLATE, as WeChat's newgetdns sends with `Content-Encoding: deflate`."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def gzip_member(data: bytes, name=b"") -> bytes:
    """RFC 1952: a header (with FNAME when `name` is given), raw DEFLATE, CRC-32 and size."""
    flags = 0x08 if name else 0
    header = struct.pack("<BBBBIBB", 0x1F, 0x8B, 8, flags, 1700000000, 0, 3)
    header += name + b"\0" if name else b""
    return header + raw_deflate(data) + struct.pack("<II", zlib.crc32(data), len(data))


NEWGETDNS_TARGET = ("/cgi-bin/micromsg-bin/newgetdns?uin=1234567890&clientversion=671094583"
                    "&scene=0&net=1&devicetype=android-34&lan=en&sigver=2")
NEWGETDNS_XML = (b'<dns><domainlist>'
                 b'<domain name="long.weixin.qq.com" timeout="1800"><ip>43.130.1.10</ip>'
                 b'<ip>43.130.1.11</ip><ipv6>2402:4e00:1::10</ipv6></domain>'
                 b'<domain name="short.weixin.qq.com." timeout="900"><ip>43.130.1.20</ip>'
                 b'</domain>'
                 b'<domain name="dns.weixin.qq.com"><ip>::ffff:43.130.1.30</ip></domain>'
                 b'</domainlist></dns>')


def zip_local(name: bytes, data: bytes, flags=0) -> bytes:
    """A stored zip entry's local header (APPNOTE 4.3.7) and its data."""
    return (b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, flags, 0, 0, 0, zlib.crc32(data),
                                         len(data), len(data), len(name), 0) + name + data)


APK = (zip_local(b"AndroidManifest.xml", bytes(range(256)) * 2) +
       zip_local(b"classes.dex", b"dex\n035\0" + bytes(1500)) +
       zip_local(b"res/raw/blob.bin", bytes(range(256)) * 4) +
       b"PK\x01\x02" + bytes(42))
ELF = b"\x7fELF\x02\x01\x01\0" + bytes(8) + struct.pack("<HHI", 3, 0xB7, 1) + bytes(2000)


# --- Signatures -------------------------------------------------------------------------------

SIGNATURE_ADDITION = """schema_version = 1

[[vendor]]
id = "example-vendor"
name = "Example"
description = "A vendor made up for fuzzing."
source = "seeds.py"

[[service]]
id = "example-sdk"
vendor = "example-vendor"
name = "Example SDK"
category = "analytics"
description = "A service made up for fuzzing."
source = "seeds.py"

[[domain]]
suffix = "telemetry.example"
service = "example-sdk"
note = "made up"
source = "seeds.py"
examples = ["a.telemetry.example"]

[[network]]
vendor = "example-vendor"
date = "2026-01-01"
source = "seeds.py"
prefixes = ["198.51.100.0/24", "2001:db8:5::/48"]
examples = ["198.51.100.7"]

[[payload]]
service = "example-sdk"
transport = "udp"
min_len = 8
bytes = [{ offset = 0, hex = "ca fe" }]
length = { offset = 2, size = 2, adjust = 0 }
note = "made up"
source = "seeds.py"
examples = ["cafe0008"]
"""


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "corpus"
    client, server, resolver = "10.0.0.2", "43.130.1.1", "10.0.0.1"

    query = dns_query(0x1234, "wx.qq.com", 1)
    response = dns_response(0x1234, "wx.qq.com")
    syn = ipv4(client, server, 6, tcp(40000, 443, 1, 0, SYN, options=b"\x02\x04\x05\xb4"))
    dns_packet = ipv4(client, resolver, 17, udp(40001, 53, query))
    tls_packet = ipv4(client, server, 6, tcp(40000, 443, 2, 1, PSH | ACK, records(CLIENT_HELLO)))
    dns6 = ipv6(2, 1, 17, udp(40002, 53, dns_query(7, "qq.com", 28)))
    frag6 = ipv6(2, 1, 44, struct.pack("!BBHI", 17, 0, 0x0001, 99) + udp(40003, 53, query)[:16])
    rfc9001 = rfc_initial("RFC9001_CLIENT_INITIAL")
    rfc9369 = rfc_initial("RFC9369_CLIENT_INITIAL")
    quic_packet = ipv4(client, server, 17, udp(50000, 443, rfc9001))
    gtp_inner = dns_packet
    gtp = struct.pack("!BBHIHBB", 0x34, 0xFF, len(gtp_inner) + 8, 0x11223344, 0, 0, 0x85)
    gtp += b"\x01\x00\x09\x00" + gtp_inner  # PDU session container, then no more extensions
    gtp_packet = ipv4("192.0.2.1", "192.0.2.2", 17, udp(2152, 2152, gtp))
    crypto = b"\x06\x00" + quic_varint(len(CLIENT_HELLO)) + CLIENT_HELLO

    seeds = {
        "wire_ip": {
            "tcp-syn": syn,
            "udp-dns": dns_packet,
            "ipv4-fragment": ipv4(client, resolver, 17, udp(1, 53, query)[:16], ident=7,
                                  frag=0x2000),
            "ipv6-udp": dns6,
            "ipv6-fragment": frag6,
            "ipv6-hop-by-hop": ipv6(2, 1, 0, b"\x11\x00" + bytes(6) + udp(1, 2, b"x")),
        },
        "wire_tcp_udp": {
            "tcp-options": tcp(40000, 443, 7, 9, PSH | ACK, b"hello",
                               b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + bytes(8)),
            "udp": udp(40001, 53, query),
        },
        "wire_gtp": {"g-pdu": gtp, "g-pdu-plain": struct.pack("!BBHI", 0x30, 0xFF, len(
            gtp_inner), 1) + gtp_inner},
        "wire_link": link_seeds(dns_packet, dns6),
        "wire_dns": {
            "query": query,
            "response": response,
            "tcp-stream": struct.pack("!H", len(query)) + query + struct.pack(
                "!H", len(response)) + response,
        },
        "wire_http": {"request": HTTP_REQUEST, "proxy": HTTP_PROXY_REQUEST,
                      "response": HTTP_RESPONSE},
        "wire_tls": {
            "client-hello": b"\x40\x00" + records(CLIENT_HELLO),
            "client-hello-split": b"\x40\x00" + records(CLIENT_HELLO, 100),
            "client-hello-ech": b"\x40\x00" + records(client_hello("public.example", [b"h3"],
                                                                   ech=True)),
            "server-hello-13": b"\x40\x00" + records(server_hello(True)),
            "server-hello-12": b"\x40\x00" + records(server_hello(False)),
            "client-hello-bare": b"\x40\x00" + CLIENT_HELLO,
        },
        "wire_quic": {
            "rfc9001-a2": b"\x00" + rfc9001,
            "rfc9001-a2-key": bytes([8 << 3 | 1]) + bytes.fromhex("8394c8f03e515708") + rfc9001,
            "rfc9369-a2": b"\x00" + rfc9369,
            "sealed-v1": sealed_mode_input(crypto + b"\x00" * 16),
            "sealed-v2-ack-ping": sealed_mode_input(b"\x02\x00\x00\x00\x00\x01" + crypto, 1),
            "sealed-draft29-split": sealed_mode_input(b"\x06\x40\x20\x40\x10" + CLIENT_HELLO[32:48]
                                                      + b"\x06\x00\x20" + CLIENT_HELLO[:32], 2),
        },
        "wire_mmtls": {
            "client-hello-1rtt": mmtls_record(0x16, MMTLS_CH_1RTT),
            "short-link-0rtt": (mmtls_record(0x19, MMTLS_CH_0RTT) + mmtls_record(0x19, bytes(36)) +
                                mmtls_record(0x17, bytes(range(64))) +
                                mmtls_record(0x15, bytes(23))),
            "server-hello-1rtt": (mmtls_record(0x16, MMTLS_SH_1RTT) +
                                  mmtls_record(0x16, bytes(range(94))) +
                                  mmtls_record(0x16, bytes(55))),
            "server-hello-psk": (mmtls_record(0x16, MMTLS_SH_PSK) + mmtls_record(0x16, bytes(55)) +
                                 mmtls_record(0x17, bytes(72)) + mmtls_record(0x15, bytes(23))),
            "alert": mmtls_record(0x15, bytes(range(7))),
            "hello-body": MMTLS_CH_1RTT,
        },
        "wire_oicq": {
            "udp-login": OICQ_LOGIN,
            "udp-heartbeat": OICQ_HEARTBEAT,
            "tcp-frames": b"".join(struct.pack("!H", len(p) + 2) + p
                                   for p in [OICQ_LOGIN, OICQ_HEARTBEAT]),
            "msf-login": msf_frame(0x0A, 2, struct.pack("!I", 4), b"123456789", bytes(16)),
            "msf-login-extra": msf_frame(0x0A, 2, struct.pack("!I", 12) + bytes(8), b"123456789",
                                         bytes(16)),
            "msf-normal": msf_frame(0x0B, 1, struct.pack("!I", 12345), b"1234567890", bytes(16)),
        },
        "capture_reader": {
            "pcap": pcap([ethernet(0x0800, tls_packet), ethernet(0x0800, dns_packet)]),
            "pcap-be-nanos-raw": pcap([dns6, quic_packet], linktype=101, big_endian=True,
                                      nanos=True),
            "pcap-pcapdroid": pcap([pcapdroid_frame(dns_packet, 10123, b"WeChat")]),
            "pcapng": pcapng([ethernet(0x0800, tls_packet), ethernet(0x0800, dns_packet)]),
        },
        "engine_packets": {
            "tls-session": engine_input(tcp_session(client, server, 40000, 443,
                                                   records(CLIENT_HELLO),
                                                   records(server_hello(True))), uid=23),
            "http-session": engine_input(tcp_session(client, "198.51.100.7", 40010, 80,
                                                    HTTP_REQUEST, HTTP_RESPONSE),
                                         show_identifiers=True),
            "dns-then-quic": engine_input([
                (1, dns_packet),
                (1, ipv4(resolver, client, 17, udp(53, 40001, response))),
                (5, quic_packet),
                (127, dns6),
                (-127, gtp_packet),
            ]),
            "mmtls-long-link": engine_input(tcp_conversation(client, "43.130.1.10", 40020, 8080, [
                (True, mmtls_record(0x16, MMTLS_CH_1RTT)),
                (False, mmtls_record(0x16, MMTLS_SH_1RTT) + mmtls_record(0x16, bytes(range(94))) +
                 mmtls_record(0x16, bytes(55))),
                (True, mmtls_record(0x16, bytes(55)) + mmtls_record(0x17, bytes(range(200)))),
                (False, mmtls_record(0x17, bytes(range(120))) + mmtls_record(0x15, bytes(23))),
            ], mss=100), uid=42),
            "mmtls-long-link-server-first": engine_input(tcp_conversation(
                client, "43.130.1.10", 40021, 443, [
                    (False, mmtls_record(0x16, MMTLS_SH_PSK) + mmtls_record(0x17, bytes(72))),
                    (True, mmtls_record(0x19, MMTLS_CH_0RTT) + mmtls_record(0x17, bytes(64))),
                ], handshake=False)),
            "mmtls-short-link": engine_input(tcp_conversation(client, "43.130.1.20", 40022, 80, [
                (True, http_request("POST", "/mmtls/7d44b6a2", [
                    ("Host", "short.weixin.qq.com"), ("Accept", "*/*"),
                    ("Content-Type", "application/octet-stream"), ("Upgrade", "mmtls"),
                    ("User-Agent", "MicroMessenger Client")],
                    mmtls_record(0x19, MMTLS_CH_0RTT) + mmtls_record(0x19, bytes(36)) +
                    mmtls_record(0x17, bytes(range(64))) + mmtls_record(0x15, bytes(23)))),
                (False, http_response(200, [("Content-Type", "application/octet-stream")],
                                      mmtls_record(0x16, MMTLS_SH_PSK) +
                                      mmtls_record(0x16, bytes(55)) +
                                      mmtls_record(0x17, bytes(72)) +
                                      mmtls_record(0x15, bytes(23)))),
            ], mss=90, reorder=True)),
            "newgetdns": engine_input(tcp_conversation(client, "43.130.1.30", 40030, 80, [
                (True, http_request("GET", NEWGETDNS_TARGET, [
                    ("Host", "dns.weixin.qq.com"), ("User-Agent", "MicroMessenger Client")])),
                (False, http_response(200, [("Content-Type", "text/xml"),
                                            ("Content-Encoding", "deflate")],
                                      raw_deflate(NEWGETDNS_XML))),
            ]) + tcp_conversation(client, "43.130.1.10", 40031, 8080, [
                (True, mmtls_record(0x16, MMTLS_CH_1RTT))], handshake=False), uid=42),
            "httpdns": engine_input(tcp_conversation(client, "119.29.29.29", 40040, 80, [
                (True, http_request("GET", "/d?dn=www.qq.com&ttl=1", [("Host", "119.29.29.29")])),
                (False, http_response(200, [("Content-Type", "text/html")],
                                      b"1.2.3.4;5.6.7.8,300")),
                (True, http_request("GET", "/d?dn=a.qq.com.,b.qq.com&ttl=1",
                                    [("Host", "119.29.29.29"), ("Accept-Encoding", "gzip")])),
                (False, http_response(200, [("Content-Encoding", "gzip")], gzip_member(
                    b"a.qq.com.:1.2.3.5;::ffff:5.6.7.9,120\nb.qq.com.:0\n", name=b"d"))),
                (True, http_request("GET", "/d?dn=8a1b2c3d4e5f60718293&id=1", [])),
                (False, http_response(200, [], b"0a1b2c3d4e5f")),
            ]) + [(1, ipv4(client, "5.6.7.8", 6, tcp(40041, 443, 1, 0, SYN))),
                  (1, ipv4(client, "5.6.7.8", 6, tcp(40041, 443, 2, 1, PSH | ACK,
                                                      records(CLIENT_HELLO))))]),
            "volcengine-httpdns": engine_input(tcp_conversation(client, "198.51.100.160", 40045, 80, [
                (True, http_request("GET", "/resolve?domain=www.douyin.com,a.example&account_id=1",
                                    [("Host", "httpdns.volcengineapi.com")])),
                (False, http_response(200, [("Content-Type", "application/json")], b"{}")),
            ])),
            "oicq-udp": engine_input([
                (1, ipv4(client, "183.60.48.1", 17, udp(4000, 8000, OICQ_LOGIN))),
                (2, ipv4("183.60.48.1", client, 17, udp(8000, 4000, oicq_packet(
                    0x3B0B, 0x0022, 1, 7, bytes(range(0x20, 0x38)))))),
                (100, ipv4(client, "183.60.48.1", 17, udp(4000, 8000, OICQ_HEARTBEAT))),
                (1, ipv4(client, "183.60.48.2", 17, udp(4001, 8000, oicq_packet(
                    0x1131, 0x0062, 2, 123456, bytes(8))))),
            ], uid=7),
            "oicq-tcp": engine_input(tcp_conversation(client, "183.60.48.3", 40050, 8000, [
                (True, b"".join(struct.pack("!H", len(p) + 2) + p
                                for p in [OICQ_LOGIN, OICQ_HEARTBEAT])),
                (False, struct.pack("!H", 30) + oicq_packet(0x3B0B, 0x0022, 1, 5, bytes(16))),
            ], mss=7)),
            "msf-tcp": engine_input(tcp_conversation(client, "113.96.12.1", 40060, 8080, [
                (True, msf_frame(0x0A, 2, struct.pack("!I", 12) + bytes(8), b"123456789",
                                 bytes(range(48)))),
                (False, msf_frame(0x0B, 1, struct.pack("!I", 1), b"123456789", bytes(32))),
                (True, msf_frame(0x0B, 1, struct.pack("!I", 2), b"123456789", bytes(64))),
            ], mss=20), uid=9),
            "http-chunked-gzip": engine_input(tcp_conversation(client, "198.51.100.7", 40070, 80, [
                (True, http_request("GET", "/config.json", [("Host", "a.telemetry.example"),
                                                             ("Accept-Encoding", "gzip")])),
                (False, http_response(200, [("Content-Type", "application/json"),
                                            ("Content-Encoding", "gzip"),
                                            ("Transfer-Encoding", "chunked")],
                                      chunked(gzip_member(IDENTIFY_JSON * 3), 64),
                                      length=False)),
                (True, http_request("HEAD", "/config.json", [("Host", "a.telemetry.example")])),
                (False, http_response(200, [("Content-Encoding", "gzip")], length=False) +
                 b"HTTP/1.1 100 Continue\r\n\r\n"),
                (True, http_request("GET", "/stream", [("Host", "a.telemetry.example")])),
                (False, http_response(200, [("Content-Encoding", "deflate"),
                                            ("Connection", "close")],
                                      zlib.compress(IDENTIFY_FORM * 4), length=False)),
            ], mss=300)),
            "apk-download": engine_input(tcp_conversation(client, "198.51.100.8", 40080, 80, [
                (True, http_request("GET", "/update/app-release.apk?v=2", [
                    ("Host", "dldir1.qq.com")])),
                (False, http_response(200, [
                    ("Content-Type", "application/vnd.android.package-archive")], APK)),
                (True, http_request("GET", "/lib/libx.so", [("Host", "dldir1.qq.com")])),
                (False, http_response(200, [("Content-Type", "application/octet-stream"),
                                            ("Transfer-Encoding", "chunked")],
                                      chunked(ELF, 700), length=False)),
            ], mss=1000, reorder=True), uid=3),
            "zip-download-cut": engine_input(tcp_conversation(client, "198.51.100.8", 40081, 80, [
                (True, http_request("GET", "/res/pack.zip", [("Host", "dldir1.qq.com")])),
                (False, http_response(200, [("Content-Type", "application/zip")],
                                      zip_local(b"META-INF/MANIFEST.MF", b"Manifest-Version: 1.0")
                                      + zip_local(b"data.bin", bytes(3000)))),
            ], mss=1200), small_downloads=True),
            "elf-download-close": engine_input(tcp_conversation(client, "198.51.100.8", 40082, 80, [
                (True, http_request("GET", "/bin/helper", [("Host", "198.51.100.8")])),
                (False, http_response(200, [("Content-Type", "application/x-executable")], ELF,
                                      length=False)),
            ], mss=512)),
            "form-post": engine_input(tcp_conversation(client, "198.51.100.9", 40090, 8080, [
                (True, http_request("POST", "/analytics/upload?uid=42&mac=a4:5e:60:01:02:03", [
                    ("Host", "oth.eve.mdt.qq.com:8080"),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", "uin=o0123456789; wxuin=1234567890")], IDENTIFY_FORM)),
                (False, http_response(200, [("Content-Type", "text/plain")], b"ok")),
                (True, http_request("POST", "/loc", [("Host", "oth.eve.mdt.qq.com:8080"),
                                                     ("Content-Type", "application/json"),
                                                     ("Transfer-Encoding", "chunked")],
                                    chunked(IDENTIFY_JSON, 100), length=False)),
                (True, http_request("POST", "/cgi-bin/micromsg-bin/getprofile", [
                    ("Host", "szshort.weixin.qq.com"),
                    ("Content-Type", "application/json")], IDENTIFY_JSON)),
            ]), show_identifiers=True),
        },
        "netstack_packets": {
            "tcp-session": netstack_tcp("10.0.0.2", "198.51.100.1", 40001, 80),
            "udp-dns": netstack_udp("10.0.0.2", "198.51.100.53"),
            "syn-flood": netstack_input([(0, ipv4_checked("10.0.0.2", "198.51.100.1", 6,
                                                          tcp(41000 + i, 443, 7, 0, SYN)))
                                         for i in range(12)] + [(2, b"")] * 3),
        },
        "signatures_load": {
            "addition": SIGNATURE_ADDITION.encode(),
            "empty-file": b"schema_version = 1\n",
        },
        "identify": {
            "newgetdns": identify_input(0, IDENTIFY_NEWGETDNS, [
                ("Host", "dns.weixin.qq.com"), ("User-Agent", "MicroMessenger Client")]),
            "form-body": identify_input(2, "/analytics/upload", [
                ("Host", "oth.eve.mdt.qq.com:8080"),
                ("Content-Type", "application/x-www-form-urlencoded")], IDENTIFY_FORM),
            "json-body": identify_input(1, "/loc?c=1", [], IDENTIFY_JSON),
            "json-cut": identify_input(0, "/", [], IDENTIFY_JSON[:90]),
            "cookies-headers": identify_input(4, "/u/13812345678/mail/bob%40example.org", [
                ("Cookie", "uin=o0123456789; p_uin=o0123456789; wxuin=1234567890"),
                ("Referer", "http://example.com/?imsi=460001234567890&lat=39.90&lng=116.40"),
                ("X-Info", "mac=a4:5e:60:01:02:03; ssid=HomeNet"),
                ("Content-Type", "text/plain")], b"data=" + IDENTIFY_JSON),
        },
    }
    for target, files in seeds.items():
        directory = root / target
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (directory / f"seed-{name}").write_bytes(data)
    print(f"wrote {sum(len(f) for f in seeds.values())} seeds under {root}")


if __name__ == "__main__":
    main()
