//! TLS client fingerprints of a parsed ClientHello: JA3 and JA4.
//!
//! JA3 is defined in the salesforce/ja3 README (BSD-3-Clause). JA4 is the TLS client method of
//! FoxIO's JA4+ suite, defined in FoxIO-LLC/ja4 `technical_details/JA4.md`; JA4 itself is
//! BSD-3-Clause, while the other JA4+ methods (JA4S, JA4H, JA4X, ...) are under the FoxIO License
//! and are deliberately not implemented here.

use md5::{Digest, Md5};
use ring::digest::{SHA256, digest};

use crate::hex;
use crate::tls::{ClientHello, EXT_ALPN, EXT_SERVER_NAME, is_grease};

/// A JA3 fingerprint: the full string and its lowercase MD5 hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ja3 {
    /// The readable form, e.g. `771,4865-4866,0-23-65281,29-23,0`.
    pub full: String,
    /// MD5 of `full`, 32 lowercase hex digits: the form fingerprint databases index.
    pub hash: String,
}

/// The JA3 fingerprint of a ClientHello.
///
/// The string has five comma-separated fields, in this order: the hello's `legacy_version`, the
/// cipher suites, the extension types, the supported groups and the EC point formats. Every value
/// is written in decimal, values within a field are joined with `-` in the order they were sent,
/// GREASE values are left out of every list, and a list that is absent or empty leaves its field
/// empty (so a hello without extensions ends in `,,,`). The hash is the MD5 of that string.
pub fn ja3(ch: &ClientHello) -> Ja3 {
    let mut full = String::with_capacity(256);
    push_decimal(&mut full, ch.legacy_version.into());
    for list in [&ch.cipher_suites, &ch.extensions, &ch.supported_groups] {
        full.push(',');
        join_into(&mut full, without_grease(list), '-', |out, v| {
            push_decimal(out, v.into());
        });
    }
    full.push(',');
    join_into(&mut full, ch.ec_point_formats.iter(), '-', |out, v| {
        push_decimal(out, (*v).into());
    });
    let hash = hex::encode(&Md5::digest(full.as_bytes()));
    Ja3 { full, hash }
}

/// How the ClientHello travelled, the first character of a JA4 fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TLS over TCP: `t`.
    Tcp,
    /// TLS inside QUIC CRYPTO frames: `q`.
    Quic,
}

/// The JA4 fingerprint of a ClientHello, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
///
/// GREASE values are ignored everywhere. The first part, unhashed, is:
/// - `t` or `q` for the transport;
/// - the version as two characters (`13`, `12`, `11`, `10`, `s3`, `s2`, the DTLS codes `d1`,
///   `d2`, `d3`; `00` when unknown),
///   taken from the highest supported_versions entry, or from `legacy_version` when the hello
///   has no supported_versions;
/// - `d` when the hello has a server_name extension (a domain), `i` when it has none;
/// - the number of cipher suites and the number of extensions, two decimal digits each, capped
///   at 99; signalling values count as cipher suites, and server_name and ALPN count as
///   extensions;
/// - two characters for the first ALPN protocol name: its first and last characters when both
///   are ASCII letters or digits (one character is used twice), otherwise the first and last
///   digits of the name written in hex; `00` when there is no ALPN or its first name is empty.
///
/// The second part is the first 12 hex digits of the SHA-256 of the cipher suites as 4-digit
/// lowercase hex, sorted, comma-separated. The third part is the same hash over the extension
/// types, sorted the same way but without server_name and ALPN (already in the first part), then
/// `_` and the signature algorithms in the order sent; with no signature algorithms the `_` is
/// left out too. A part whose list is empty is twelve zeros instead of a hash.
pub fn ja4(ch: &ClientHello, transport: Transport) -> String {
    let ciphers: Vec<u16> = without_grease(&ch.cipher_suites).collect();
    let extensions: Vec<u16> = without_grease(&ch.extensions).collect();
    let a = format!(
        "{}{}{}{:02}{:02}{}",
        match transport {
            Transport::Tcp => 't',
            Transport::Quic => 'q',
        },
        ja4_version(ch.max_version()),
        if extensions.contains(&EXT_SERVER_NAME) {
            'd'
        } else {
            'i'
        },
        ciphers.len().min(99),
        extensions.len().min(99),
        ja4_alpn(ch.alpn_raw.first().map_or(&[], Vec::as_slice)),
    );

    let mut sorted_ciphers = ciphers;
    sorted_ciphers.sort_unstable();
    let b = hash12(&hex_list(sorted_ciphers));

    let mut sorted_extensions: Vec<u16> = extensions
        .into_iter()
        .filter(|&e| e != EXT_SERVER_NAME && e != EXT_ALPN)
        .collect();
    sorted_extensions.sort_unstable();
    let c = if sorted_extensions.is_empty() {
        hash12("")
    } else {
        let mut input = hex_list(sorted_extensions);
        let signatures = hex_list(without_grease(&ch.signature_algorithms));
        if !signatures.is_empty() {
            input.push('_');
            input.push_str(&signatures);
        }
        hash12(&input)
    };
    format!("{a}_{b}_{c}")
}

/// JA4's two-character version code.
fn ja4_version(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// JA4's two characters for the first ALPN protocol name.
fn ja4_alpn(name: &[u8]) -> String {
    match (name.first(), name.last()) {
        (Some(&first), Some(&last))
            if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() =>
        {
            [char::from(first), char::from(last)].iter().collect()
        }
        (Some(&first), Some(&last)) => [hex::digit(first >> 4), hex::digit(last & 0x0f)]
            .iter()
            .collect(),
        _ => "00".to_owned(),
    }
}

fn without_grease(values: &[u16]) -> impl Iterator<Item = u16> + '_ {
    values.iter().copied().filter(|&v| !is_grease(v))
}

/// Appends the values to `out`, each written by `write`, separated by `sep`; one buffer for the
/// whole list, since fingerprints are computed for every TLS connection.
fn join_into<T>(
    out: &mut String,
    values: impl IntoIterator<Item = T>,
    sep: char,
    write: impl Fn(&mut String, T),
) {
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        write(out, v);
    }
}

/// Appends `v` in decimal. Written out rather than through `fmt`, whose machinery costs more
/// than the digits on these short lists.
fn push_decimal(out: &mut String, v: u32) {
    let mut digits = [0u8; 10];
    let mut n = v;
    let mut len = 0;
    loop {
        if let Some(d) = digits.get_mut(len) {
            *d = b'0' + (n % 10) as u8;
        }
        len += 1;
        n /= 10;
        if n == 0 || len == digits.len() {
            break;
        }
    }
    for d in digits.iter().take(len).rev() {
        out.push(char::from(*d));
    }
}

/// The values as 4-digit lowercase hex, comma-separated.
fn hex_list(values: impl IntoIterator<Item = u16>) -> String {
    let values = values.into_iter();
    // Five bytes a value: four digits and a comma.
    let mut out = String::with_capacity(values.size_hint().0.saturating_mul(5));
    join_into(&mut out, values, ',', |out, v| {
        for shift in [12, 8, 4, 0] {
            out.push(hex::digit((v >> shift) as u8));
        }
    });
    out
}

/// First 12 hex digits of the SHA-256 of `input`, or twelve zeros for an empty list.
fn hash12(input: &str) -> String {
    if input.is_empty() {
        return "000000000000".to_owned();
    }
    let d = digest(&SHA256, input.as_bytes());
    hex::encode(d.as_ref().get(..6).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits() {
        for v in [0u32, 7, 10, 771, 65_535, u32::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, v);
            assert_eq!(out, format!("x{v}"));
        }
        assert_eq!(hex_list([0x0a0a, 0x1301, 0xffff]), "0a0a,1301,ffff");
    }
    use crate::tls::tests::{
        CURL_CLIENT, JAVA_CLIENT, NODE_CLIENT, OPENSSL_SPLIT_CLIENT, OPENSSL_TLS12_WEAK_CLIENT,
        OPENSSL_TLS13_CLIENT, PYTHON_CLIENT, WGET_GNUTLS_CLIENT, client_hello_of,
    };

    /// The ClientHello of FoxIO's worked example (technical_details/JA4.md), with GREASE values
    /// added where a browser would put them; JA4 must ignore them.
    fn foxio_example() -> ClientHello {
        ClientHello {
            legacy_version: 0x0303,
            supported_versions: vec![0x6a6a, 0x0304, 0x0303],
            cipher_suites: vec![
                0x4a4a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
            ],
            extensions: vec![
                0x0a0a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
                0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0xfafa,
            ],
            server_name: Some("example.com".to_owned()),
            alpn: vec!["h2".to_owned(), "http/1.1".to_owned()],
            alpn_raw: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            supported_groups: vec![0x2a2a, 0x001d, 0x0017, 0x0018],
            ec_point_formats: vec![0],
            signature_algorithms: vec![
                0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
            ],
            ech: false,
            esni: false,
        }
    }

    #[test]
    fn ja4_documented_example() {
        let ch = foxio_example();
        assert_eq!(
            ja4(&ch, Transport::Tcp),
            "t13d1516h2_8daaf6152771_e5627efa2ab1"
        );
        assert_eq!(
            ja4(&ch, Transport::Quic),
            "q13d1516h2_8daaf6152771_e5627efa2ab1"
        );
        // "If there are no signature algorithms ... the string ends without an underscore".
        let no_sigs = ClientHello {
            signature_algorithms: vec![],
            ..ch
        };
        assert_eq!(
            ja4(&no_sigs, Transport::Tcp),
            "t13d1516h2_8daaf6152771_6d807ffa2a79"
        );
    }

    #[test]
    fn ja4_first_part_rules() {
        let ch = foxio_example();
        // Without supported_versions the legacy version decides; no server_name is "i".
        let tls12 = ClientHello {
            supported_versions: vec![],
            extensions: ch.extensions.iter().copied().filter(|&e| e != 0).collect(),
            ..ch.clone()
        };
        assert!(ja4(&tls12, Transport::Tcp).starts_with("t12i1515h2_8daaf6152771_"));
        for (version, code) in [
            (0x0302, "11"),
            (0x0301, "10"),
            (0x0300, "s3"),
            (0x0002, "s2"),
            (0x7f1c, "00"),
        ] {
            let ch = ClientHello {
                legacy_version: version,
                ..tls12.clone()
            };
            assert_eq!(&ja4(&ch, Transport::Tcp)[1..3], code);
        }
        // Counts stop at 99; the cipher hash covers them all.
        let many = ClientHello {
            cipher_suites: (1..=120).collect(),
            extensions: (0x100..0x100 + 120).collect(),
            ..ch.clone()
        };
        assert!(ja4(&many, Transport::Tcp).starts_with("t13i9999h2_"));
    }

    #[test]
    fn ja4_alpn_characters() {
        // The cases listed in JA4.md, then the ordinary ones.
        for (name, code) in [
            (&[0xab][..], "ab"),
            (&[0x20], "20"),
            (&[0xab, 0xcd], "ad"),
            (&[0x20, 0x61], "21"),
            (&[0x30, 0xab], "3b"),
            (&[0x61, 0x20], "60"),
            (&[0x30, 0x31, 0xab, 0xcd], "3d"),
            (&[0x30, 0xab, 0xcd, 0x31], "01"),
            (b"h2", "h2"),
            (b"http/1.1", "h1"),
            (b"h3-29", "h9"),
            (b"a", "aa"),
            (b"", "00"),
        ] {
            assert_eq!(ja4_alpn(name), code, "{name:?}");
        }
        let none = ClientHello {
            alpn: vec![],
            alpn_raw: vec![],
            ..foxio_example()
        };
        assert_eq!(&ja4(&none, Transport::Tcp)[8..10], "00");
    }

    #[test]
    fn empty_lists_hash_to_zeros() {
        let ch = ClientHello {
            legacy_version: 0x0303,
            ..ClientHello::default()
        };
        assert_eq!(
            ja4(&ch, Transport::Tcp),
            "t12i000000_000000000000_000000000000"
        );
        // Only server_name and ALPN: both are counted but leave nothing to hash.
        let ch = ClientHello {
            extensions: vec![0x0000, 0x0010],
            ..ch
        };
        assert_eq!(
            ja4(&ch, Transport::Tcp),
            "t12d000200_000000000000_000000000000"
        );
        let j = ja3(&ch);
        assert_eq!(j.full, "771,,0-16,,");
        assert_eq!(j.hash.len(), 32);
    }

    #[test]
    fn ja3_drops_grease() {
        let j = ja3(&foxio_example());
        assert_eq!(
            j.full,
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,\
             27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
        );
        // MD5 of the string above (python3 hashlib.md5).
        assert_eq!(j.hash, "c000e2caf3a25423f9de6c8a4b12a975");
    }

    /// Fixture, tshark 4.0's `tls.handshake.ja3_full` and `tls.handshake.ja3` for the same
    /// bytes, and the JA4 that FoxIO's own python/ja4.py (FoxIO-LLC/ja4@0e54bc8) prints for them.
    const REAL_HELLOS: [(&str, &[u8], &str, &str, &str); 8] = [
        (
            "openssl s_client 3.0.19",
            OPENSSL_TLS13_CLIENT,
            "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
            "5a1edc7f170af1014fc65c994878e63c",
            "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4",
        ),
        (
            "openssl s_client, two records",
            OPENSSL_SPLIT_CLIENT,
            "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
            "a3afc2c46ba4a7d7fbe1cfb7a3031c2f",
            "t13d311000_e8f1e7e78f70_1f22a2ca17c4",
        ),
        (
            "openssl s_client -tls1_2, all ciphers",
            OPENSSL_TLS12_WEAK_CLIENT,
            "771,49196-49200-163-159-52393-52392-52394-49327-49325-49315-49311-49245-49249-49239-49235-167-49195-49199-162-158-49326-49324-49314-49310-49244-49248-49238-49234-166-49188-49192-107-106-49267-49271-196-195-109-197-49187-49191-103-64-49266-49270-190-189-108-191-49162-49172-57-56-136-135-49177-58-137-49161-49171-51-50-69-68-49176-52-70-157-49313-49309-49233-156-49312-49308-49232-61-192-60-186-53-132-47-65-49158-49168-49173-59-2-1-255,11-10-35-16-22-23-13,29-23-30-25-24,0-1-2",
            "fb831c6785eb7277a03a48a761c27e09",
            "t12i9007h2_3a9b1be58a3d_3c5a66c06c35",
        ),
        (
            "curl 7.88.1 (OpenSSL)",
            CURL_CLIENT,
            "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-16-22-23-49-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2",
            "0149f47eabf9a20d0893e2a44e5a6323",
            "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6",
        ),
        (
            "wget 1.21.3 (GnuTLS)",
            WGET_GNUTLS_CLIENT,
            "771,4866-4867-4865-4868-49196-52393-49325-49162-49195-49324-49161-49200-52392-49172-49199-49171-157-49309-53-156-49308-47-159-52394-49311-57-158-49310-51,5-10-11-13-35-51-43-49-65281-0-45-28-21,23-24-25-29-30-256-257-258-259-260,0",
            "bb4f9fef542ff6b4b29aa653bf0c1d31",
            "t13d291300_723694b0fccc_899037bd0b8c",
        ),
        (
            "python 3 ssl",
            PYTHON_CLIENT,
            "771,4866-4867-4865-49196-49200-49195-49199-52393-52392-49188-49192-49187-49191-159-158-107-103-255,0-11-10-35-16-22-23-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2",
            "304734bb1c086c3453b387400cf83f11",
            "t13d1812h1_85036bcba153_d41ae481755e",
        ),
        (
            "node 20 tls",
            NODE_CLIENT,
            "771,4866-4867-4865-49199-49195-49200-49196-158-49191-103-49192-107-163-159-52393-52392-52394-49327-49325-49315-49311-49245-49249-49239-49235-162-49326-49324-49314-49310-49244-49248-49238-49234-49188-106-49187-64-49162-49172-57-56-49161-49171-51-50-157-49313-49309-49233-156-49312-49308-49232-61-60-53-47-255,0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
            "1a28e69016765d92e3b381168d68922c",
            "t13d5911h2_a33745022dd6_1f22a2ca17c4",
        ),
        (
            "OpenJDK 17 JSSE",
            JAVA_CLIENT,
            "771,4866-4865-4867-49196-49195-52393-49200-52392-49199-159-52394-163-158-162-49188-49192-49187-49191-107-106-103-64-49162-49172-49161-49171-57-56-51-50-157-156-61-60-53-47-255,0-5-10-11-16-17-23-35-13-43-45-50-51,29-23-24-25-30-256-257-258-259-260,0",
            "eea0a26d87c4721f5818bb176368f238",
            "t13d3713h1_db35923f8641_7c76daad20ec",
        ),
    ];

    #[test]
    fn real_hellos_match_tshark_and_foxio() {
        for (client, stream, ja3_full, ja3_hash, ja4_expected) in REAL_HELLOS {
            let ch = client_hello_of(stream);
            let j = ja3(&ch);
            assert_eq!(j.full, ja3_full, "{client}");
            assert_eq!(j.hash, ja3_hash, "{client}");
            assert_eq!(ja4(&ch, Transport::Tcp), ja4_expected, "{client}");
        }
    }
}
