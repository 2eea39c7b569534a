//! TLS and QUIC handshakes: the ClientHello and ServerHello of TLS over TCP, and the ClientHello
//! inside a QUIC client's Initial packets.

use super::{Ctx, MAX_HANDSHAKE, learn_server_name};
use crate::observation::{Observations, ServerHelloObs, TlsObs, TlsTransport};
use crate::stream::Reassembler;
use telltale_wire::{ja, quic, tls};

/// Client datagrams searched for a complete QUIC ClientHello.
pub(super) const QUIC_MAX_DATAGRAMS: u8 = 8;

/// A QUIC connection whose client Initials are being read.
#[derive(Debug)]
pub(super) struct QuicState {
    /// DCID of the client's first Initial: the Initial keys derive from it.
    pub(super) key_dcid: Vec<u8>,
    pub(super) keys: quic::KeyCache,
    /// CRYPTO frames put back in order.
    pub(super) crypto: Reassembler,
    pub(super) datagrams: u8,
}

/// One side of a TLS handshake: the first handshake message (ClientHello up, ServerHello down).
pub(super) fn tls_side(
    d: usize,
    stream: &mut Reassembler,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> bool {
    let msg = match tls::first_handshake_message(stream.ready(), MAX_HANDSHAKE) {
        Ok(Some(msg)) => msg,
        Ok(None) => return false,
        Err(_) => return true,
    };
    match (d, tls::parse_handshake(&msg)) {
        (0, Ok(tls::Handshake::ClientHello(ch))) => {
            let t = tls_obs(&ch, TlsTransport::Tcp, None);
            // With Encrypted Client Hello the visible name is the front's, not the server's.
            if let (Some(sni), false) = (&t.sni, t.ech) {
                learn_server_name(ctx, sni);
            }
            obs.tls = Some(Box::new(t));
        }
        (1, Ok(tls::Handshake::ServerHello(sh))) => {
            if let Some(t) = obs.tls.as_mut() {
                t.server = Some(ServerHelloObs {
                    version: sh.version(),
                    cipher: sh.cipher_suite,
                    alpn: sh.alpn.clone(),
                });
            }
        }
        _ => {}
    }
    true
}

/// The observation of a ClientHello, over TCP or QUIC.
fn tls_obs(ch: &tls::ClientHello, transport: TlsTransport, quic_version: Option<u32>) -> TlsObs {
    let ja_transport = match transport {
        TlsTransport::Tcp => ja::Transport::Tcp,
        TlsTransport::Quic => ja::Transport::Quic,
    };
    TlsObs {
        transport,
        quic_version,
        sni: ch.server_name.clone(),
        ech: ch.ech || ch.esni,
        client_version: ch.max_version(),
        alpn: ch.alpn.clone(),
        weak_ciphers_offered: ch
            .cipher_suites
            .iter()
            .copied()
            .filter(|&c| tls::weak_cipher(c).is_some())
            .collect(),
        ja3: (transport == TlsTransport::Tcp).then(|| ja::ja3(ch).hash),
        ja4: ja::ja4(ch, ja_transport),
        server: None,
    }
}

/// Adds the CRYPTO frames of a client datagram; true once the ClientHello was parsed (or can
/// never be).
pub(super) fn quic_datagram(
    payload: &[u8],
    q: &mut QuicState,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> bool {
    let Ok(initials) = quic::client_initials_cached(payload, Some(&q.key_dcid), &mut q.keys) else {
        return false;
    };
    let version = initials.first().map(|i| i.version);
    for frag in initials.iter().flat_map(|i| &i.crypto) {
        q.crypto
            .push(frag.offset, &frag.data, MAX_HANDSHAKE, ctx.budget);
    }
    let ready = q.crypto.ready();
    let Some(&[_, a, b, c]) = ready.get(..4) else {
        return false;
    };
    let len = 4 + usize::from(a) * 65_536 + usize::from(b) * 256 + usize::from(c);
    let Some(msg) = ready.get(..len) else {
        return len > MAX_HANDSHAKE;
    };
    if let Ok(tls::Handshake::ClientHello(ch)) = tls::parse_handshake(msg) {
        let t = tls_obs(&ch, TlsTransport::Quic, version);
        if let (Some(sni), false) = (&t.sni, t.ech) {
            learn_server_name(ctx, sni);
        }
        obs.tls = Some(Box::new(t));
    }
    true
}
