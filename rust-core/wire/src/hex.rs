//! Lowercase hex text of bytes, as fingerprints, digests and token ids are shown.

/// The bytes as lowercase hex, two digits each.
pub fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|&b| [digit(b >> 4), digit(b & 0x0f)])
        .collect()
}

/// The lowercase hex digit of the low four bits of `nibble`.
pub(crate) fn digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble & 0x0f), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_every_byte() {
        assert_eq!(super::encode(&[]), "");
        assert_eq!(super::encode(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::digit(0x1c), 'c');
    }
}
