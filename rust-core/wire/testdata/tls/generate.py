#!/usr/bin/env python3
"""Regenerate the TLS handshake fixtures of this directory.

Every fixture is made here, on loopback, by a real TLS client talking to a
real `openssl s_server`; nothing is copied from third-party captures. Needs
root (tcpdump on `lo`), openssl, curl, wget, node, javac/java and tshark.

For each case the script captures the connection, takes each direction's
TCP payload from `tshark -z follow,tcp,raw`, and keeps the leading TLS
records up to the end of the first handshake message:

  <case>.client.bin   client -> server records holding the ClientHello
  <case>.server.bin   server -> client records holding the ServerHello

It prints tshark's own `tls.handshake.ja3_full` and `tls.handshake.ja3` for
each ClientHello; the unit tests in `src/ja.rs` pin those values.

Usage: sudo ./generate.py [output directory, default: this directory]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 10

JAVA_CLIENT = """
import javax.net.ssl.*;
import java.util.List;
public class Hello {
    public static void main(String[] a) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] { new X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String t) {}
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String t) {}
            public java.security.cert.X509Certificate[] getAcceptedIssuers() { return null; }
        } }, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", Integer.parseInt(a[0]));
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("example.test")));
        p.setApplicationProtocols(new String[] { "http/1.1" });
        s.setSSLParameters(p);
        s.startHandshake();
        s.close();
    }
}
"""

NODE_CLIENT = """
const tls = require('tls');
const s = tls.connect({host: '127.0.0.1', port: +process.argv[1], servername: 'example.test',
  rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1']}, () => s.destroy());
s.on('error', () => {});
"""

PYTHON_CLIENT = """
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(['http/1.1'])
with socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5) as raw:
    with ctx.wrap_socket(raw, server_hostname='example.test') as s:
        pass
"""


def cases(work):
    """(name, server extra args, client argv in which "PORT" stands for the port)."""
    s_client = ["openssl", "s_client", "-connect", "127.0.0.1:PORT"]
    return [
        ("openssl-tls13", ["-alpn", "h2,http/1.1"],
         s_client + ["-servername", "example.test", "-alpn", "h2,http/1.1"]),
        # A ClientHello cut into 256-byte records by the client itself.
        ("openssl-split", [],
         s_client + ["-servername", "example.test", "-max_send_frag", "512",
                     "-split_send_frag", "256"]),
        # TLS 1.2 only, every cipher OpenSSL knows (NULL, anonymous, 3DES, ...), no SNI;
        # the TLS 1.2 server answers with ALPN in its ServerHello.
        ("openssl-tls12-weak", ["-no_tls1_3", "-alpn", "h2", "-cipher", "ALL:@SECLEVEL=0"],
         s_client + ["-tls1_2", "-noservername", "-alpn", "h2,http/1.1",
                     "-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"]),
        ("curl", [],
         ["curl", "-sk", "--max-time", "5", "-o", "/dev/null", "--resolve",
          "example.test:PORT:127.0.0.1", "https://example.test:PORT/"]),
        ("wget-gnutls", [],
         ["wget", "-q", "-t", "1", "-T", "5", "--no-check-certificate", "-O", "/dev/null",
          "https://localhost:PORT/"]),
        ("python", [], [sys.executable, "-c", PYTHON_CLIENT, "PORT"]),
        ("node", [], ["node", "-e", NODE_CLIENT, "PORT"]),
        ("java", [], ["java", "-cp", work, "Hello", "PORT"]),
    ]


def first_message_records(stream):
    """Leading TLS records of `stream` up to the end of its first handshake message."""
    pos, hs = 0, b""
    while True:
        typ, length = stream[pos], int.from_bytes(stream[pos + 3:pos + 5], "big")
        assert typ == 0x16, "not a handshake record"
        hs += stream[pos + 5:pos + 5 + length]
        pos += 5 + length
        if len(hs) >= 4 and len(hs) >= 4 + int.from_bytes(hs[1:4], "big"):
            return stream[:pos]


def streams(pcap):
    """Client and server TCP payload of the first connection in `pcap`."""
    out = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,0"],
                         check=True, capture_output=True, text=True).stdout
    client, server = b"", b""
    for line in out.splitlines():
        body = line.strip()
        if not body or any(c not in "0123456789abcdef" for c in body):
            continue
        if line.startswith("\t"):
            server += bytes.fromhex(body)
        else:
            client += bytes.fromhex(body)
    return client, server


def main():
    work = tempfile.mkdtemp()
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{work}/key.pem",
                        "-out", f"{work}/cert.pem", "-subj", "/CN=example.test", "-days", "2"],
                       check=True, capture_output=True)
        with open(f"{work}/Hello.java", "w") as f:
            f.write(JAVA_CLIENT)
        subprocess.run(["javac", "-d", work, f"{work}/Hello.java"], check=True)
        for i, (name, server_args, client_argv) in enumerate(cases(work)):
            port = 18443 + i
            pcap = f"{work}/{name}.pcap"
            dump = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-w", pcap, f"tcp port {port}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            server = subprocess.Popen(
                ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "1", "-www",
                 "-cert", f"{work}/cert.pem", "-key", f"{work}/key.pem"] + server_args,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            try:
                subprocess.run([a.replace("PORT", str(port)) for a in client_argv],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                pass  # the handshake is done long before; some clients wait for the server

            time.sleep(1)
            server.terminate()
            server.wait(TIMEOUT)
            dump.terminate()
            dump.wait(TIMEOUT)
            client, srv = streams(pcap)
            for suffix, data in (("client", client), ("server", srv)):
                with open(os.path.join(OUT, f"{name}.{suffix}.bin"), "wb") as f:
                    f.write(first_message_records(data))
            ja3 = subprocess.run(
                ["tshark", "-r", pcap, "-Y", "tls.handshake.type == 1", "-T", "fields",
                 "-e", "tls.handshake.ja3_full", "-e", "tls.handshake.ja3"],
                check=True, capture_output=True, text=True).stdout.strip()
            print(f"{name}\t{ja3}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
