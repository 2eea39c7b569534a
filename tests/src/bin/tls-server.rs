//! A small HTTPS server on rustls for the live tests:
//! `tls-server CERT.pem KEY.pem ADDR [CONNECTIONS]`.
//!
//! Serves one connection at a time: completes the TLS handshake, reads one HTTP request head
//! and answers `200 OK` with the body [`BODY`], then closes. Bounded in count and time: it
//! exits after `CONNECTIONS` connections (default 100) or [`LIFETIME`], whichever comes first,
//! and gives each client [`CLIENT_TIMEOUT`]. Binding `[::]:PORT` also serves IPv4 on Linux.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// What every request gets back.
const BODY: &[u8] = b"hello over rustls\n";
/// The longest the server lives.
const LIFETIME: Duration = Duration::from_secs(300);
/// The longest a client may take to send its request.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !(3..=4).contains(&args.len()) {
        eprintln!("usage: tls-server CERT.pem KEY.pem ADDR [CONNECTIONS]");
        std::process::exit(2);
    }
    if let Err(e) = serve(&args) {
        eprintln!("tls-server: {e}");
        std::process::exit(1);
    }
}

fn serve(args: &[String]) -> Result<(), String> {
    let certs = CertificateDer::pem_file_iter(&args[0])
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", args[0]))?;
    let key = PrivateKeyDer::from_pem_file(&args[1]).map_err(|e| format!("{}: {e}", args[1]))?;
    let connections: usize = match args.get(3) {
        Some(n) => n.parse().map_err(|e| format!("{n}: {e}"))?,
        None => 100,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| format!("TLS configuration: {e}"))?;
    let config = Arc::new(config);
    let listener = TcpListener::bind(&args[2]).map_err(|e| format!("{}: {e}", args[2]))?;
    std::thread::spawn(|| {
        std::thread::sleep(LIFETIME);
        std::process::exit(0);
    });
    for stream in listener.incoming().take(connections) {
        match stream {
            // One client's failure (a reset, a bad handshake) does not stop the server.
            Ok(s) => {
                if let Err(e) = answer(s, &config) {
                    eprintln!("tls-server: client: {e}");
                }
            }
            Err(e) => eprintln!("tls-server: accept: {e}"),
        }
    }
    Ok(())
}

/// One client: the handshake, a request head, the answer.
fn answer(tcp: TcpStream, config: &Arc<rustls::ServerConfig>) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    tcp.set_write_timeout(Some(CLIENT_TIMEOUT))?;
    let conn = rustls::ServerConnection::new(Arc::clone(config)).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        BODY.len()
    );
    tls.write_all(reply.as_bytes())?;
    tls.write_all(BODY)?;
    tls.conn.send_close_notify();
    tls.flush()
}
