//! GTP-U (GPRS Tunnelling Protocol, user plane, version 1; 3GPP TS 29.281), as mobile-network
//! captures carry subscriber traffic inside it on UDP port 2152.

use crate::{Error, Result};

/// The UDP port GTP-U uses.
pub const PORT: u16 = 2152;

/// Message type of a G-PDU: a tunnelled user packet.
const G_PDU: u8 = 0xff;

/// The most extension headers followed; TS 29.281 defines a handful of types.
const MAX_EXTENSIONS: usize = 8;

/// Returns the inner IP packet of a GTP-U G-PDU. Other message types (echo, error indication,
/// end marker) and payloads that are not IPv4/IPv6 are `Unsupported`.
pub fn decapsulate(data: &[u8]) -> Result<&[u8]> {
    let h = data.get(..8).ok_or(Error::Truncated("gtp-u header"))?;
    let flags = h[0];
    if flags >> 5 != 1 || flags & 0x10 == 0 {
        return Err(Error::Malformed {
            what: "gtp-u header",
            why: "not GTP version 1 with protocol type GTP",
        });
    }
    if h[1] != G_PDU {
        return Err(Error::Unsupported("gtp-u message type"));
    }
    let length = usize::from(u16::from_be_bytes([h[2], h[3]]));
    // The length counts everything after the 8 mandatory bytes; keep what was captured.
    let body = data.get(8..).unwrap_or_default();
    let body = body.get(..length).unwrap_or(body);
    let mut rest = body;
    // E, S or PN set: a 4-byte block (sequence, N-PDU, next extension type) follows.
    if flags & 0x07 != 0 {
        let (opt, after) = rest
            .split_at_checked(4)
            .ok_or(Error::Truncated("gtp-u optional fields"))?;
        rest = after;
        let mut next = if flags & 0x04 != 0 { opt[3] } else { 0 };
        let mut seen = 0;
        while next != 0 {
            seen += 1;
            if seen > MAX_EXTENSIONS {
                return Err(Error::Malformed {
                    what: "gtp-u extension headers",
                    why: "too many",
                });
            }
            let units = usize::from(*rest.first().ok_or(Error::Truncated("gtp-u extension"))?);
            if units == 0 {
                return Err(Error::Malformed {
                    what: "gtp-u extension",
                    why: "zero length",
                });
            }
            let (ext, after) = rest
                .split_at_checked(units * 4)
                .ok_or(Error::Truncated("gtp-u extension"))?;
            next = ext.last().copied().unwrap_or(0);
            rest = after;
        }
    }
    match rest.first().map(|b| b >> 4) {
        Some(4 | 6) => Ok(rest),
        Some(_) => Err(Error::Unsupported("gtp-u payload that is not IP")),
        None => Err(Error::Truncated("gtp-u payload")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_g_pdu() {
        let mut d = vec![0x30, 0xff, 0, 4, 0, 0, 0, 1];
        d.extend_from_slice(&[0x45, 1, 2, 3]);
        assert_eq!(decapsulate(&d).unwrap(), &[0x45, 1, 2, 3]);
    }

    #[test]
    fn with_sequence_and_extension() {
        // E and S set; one PDU session container extension (type 0x85, 1 unit), then IPv6.
        let mut d = vec![0x36, 0xff, 0, 13, 0, 0, 0, 1, 0, 7, 0, 0x85, 1, 0x10, 0x00];
        d.push(0); // next extension: none
        d.extend_from_slice(&[0x60, 0, 0, 0, 0]);
        assert_eq!(decapsulate(&d).unwrap(), &[0x60, 0, 0, 0, 0]);
    }

    #[test]
    fn rejects_other_messages() {
        let d = [0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            decapsulate(&d),
            Err(Error::Unsupported("gtp-u message type"))
        );
        assert!(decapsulate(&[0x50, 0xff, 0, 0, 0, 0, 0, 0]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = decapsulate(&data);
        }
    }
}
