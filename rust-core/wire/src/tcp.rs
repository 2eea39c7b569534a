//! TCP segment headers.

use crate::{Error, Result};

/// TCP header flags, as the low byte of the flags field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN: the sender has finished sending.
    pub const FIN: u8 = 0x01;
    /// SYN: synchronise sequence numbers (connection opening).
    pub const SYN: u8 = 0x02;
    /// RST: reset the connection.
    pub const RST: u8 = 0x04;
    /// ACK: the acknowledgement field is valid.
    pub const ACK: u8 = 0x10;

    /// Whether every bit of `mask` is set.
    pub fn has(self, mask: u8) -> bool {
        self.0 & mask == mask
    }
}

/// The parts of a TCP segment the engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number of the first payload byte (of the SYN itself when SYN is set).
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Header flags.
    pub flags: TcpFlags,
    /// Segment payload.
    pub payload: &'a [u8],
}

/// Parses a TCP header and returns the segment; options are skipped.
pub fn parse(data: &[u8]) -> Result<TcpSegment<'_>> {
    let h = data.get(..20).ok_or(Error::Truncated("tcp header"))?;
    let header_len = usize::from(h[12] >> 4) * 4;
    if header_len < 20 {
        return Err(Error::Malformed {
            what: "tcp header",
            why: "data offset below 5 words",
        });
    }
    let payload = data
        .get(header_len..)
        .ok_or(Error::Truncated("tcp options"))?;
    Ok(TcpSegment {
        src_port: u16::from_be_bytes([h[0], h[1]]),
        dst_port: u16::from_be_bytes([h[2], h[3]]),
        seq: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
        ack: u32::from_be_bytes([h[8], h[9], h[10], h[11]]),
        flags: TcpFlags(h[13]),
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_syn_with_options() {
        let mut seg = vec![
            0xc0, 0x01, 0x01, 0xbb, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0,
        ];
        seg.extend_from_slice(&[2, 4, 5, 0xb4]); // MSS option
        let s = parse(&seg).unwrap();
        assert_eq!(
            (s.src_port, s.dst_port, s.seq, s.ack),
            (49153, 443, 4096, 0)
        );
        assert!(s.flags.has(TcpFlags::SYN));
        assert!(!s.flags.has(TcpFlags::ACK));
        assert!(s.payload.is_empty());
    }

    #[test]
    fn rejects_bad_offsets() {
        let mut seg = [0u8; 20];
        seg[12] = 0x40;
        assert!(matches!(parse(&seg), Err(Error::Malformed { .. })));
        seg[12] = 0xf0;
        assert_eq!(parse(&seg), Err(Error::Truncated("tcp options")));
        assert_eq!(parse(&seg[..19]), Err(Error::Truncated("tcp header")));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let _ = parse(&data);
        }
    }
}
