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


# --- Engine -----------------------------------------------------------------------------------


def engine_input(packets: list, uid=0, show_identifiers=False) -> bytes:
    """engine_packets' layout: a flags byte, then per packet a signed time step, a uid byte and
    a big-endian u16 length."""
    out = bytes([1 if show_identifiers else 0])
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
        },
        "signatures_load": {
            "addition": SIGNATURE_ADDITION.encode(),
            "empty-file": b"schema_version = 1\n",
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
