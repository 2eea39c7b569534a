//! UDP datagram headers.

use crate::{Error, Result};

/// The parts of a UDP datagram the engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpDatagram<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Datagram payload, cut to the UDP length field when the capture holds more.
    pub payload: &'a [u8],
}

/// Parses a UDP header. A length field larger than the bytes present (a short capture) keeps the
/// bytes present; a length of zero (IPv6 jumbograms, offloaded captures) means "all of it".
pub fn parse(data: &[u8]) -> Result<UdpDatagram<'_>> {
    let h = data.get(..8).ok_or(Error::Truncated("udp header"))?;
    let len = usize::from(u16::from_be_bytes([h[4], h[5]]));
    if len != 0 && len < 8 {
        return Err(Error::Malformed {
            what: "udp header",
            why: "length below 8 bytes",
        });
    }
    let end = if len == 0 {
        data.len()
    } else {
        len.min(data.len())
    };
    Ok(UdpDatagram {
        src_port: u16::from_be_bytes([h[0], h[1]]),
        dst_port: u16::from_be_bytes([h[2], h[3]]),
        payload: data.get(8..end).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_cuts_to_length() {
        let d = [0x30, 0x39, 0, 53, 0, 10, 0, 0, b'h', b'i', 0, 0];
        let u = parse(&d).unwrap();
        assert_eq!((u.src_port, u.dst_port), (12345, 53));
        assert_eq!(u.payload, b"hi");
        let short = parse(&d[..9]).unwrap();
        assert_eq!(short.payload, b"h");
    }

    #[test]
    fn rejects_bad_length() {
        assert!(matches!(
            parse(&[0, 1, 0, 2, 0, 4, 0, 0]),
            Err(Error::Malformed { .. })
        ));
        assert_eq!(parse(&[0; 7]), Err(Error::Truncated("udp header")));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let _ = parse(&data);
        }
    }
}
