//! IP prefixes: parsing and a binary trie for longest-prefix lookup.
//!
//! One trie type serves both families: addresses are keys of 128 bits, an IPv4 address sitting
//! in the top 32 bits, and each family gets its own trie.

use std::net::IpAddr;

/// Shortest IPv4 prefix a list may hold; anything shorter would sweep in other owners.
const MIN_V4_LEN: u8 = 8;
/// Shortest IPv6 prefix a list may hold.
const MIN_V6_LEN: u8 = 16;

/// A parsed `address/length` prefix with no host bits set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Prefix {
    /// The network address.
    pub(super) addr: IpAddr,
    /// The prefix length in bits.
    pub(super) len: u8,
}

impl Prefix {
    /// The address as a left-aligned 128-bit trie key.
    pub(super) fn key(&self) -> u128 {
        key(self.addr)
    }

    /// Whether the address with trie key `key` (same family) lies in the prefix.
    pub(super) fn contains(&self, key: u128) -> bool {
        let mask = u128::MAX
            .checked_shl(128 - u32::from(self.len))
            .unwrap_or(0);
        key & mask == self.key() & mask
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// The left-aligned 128-bit trie key of an address.
pub(super) fn key(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)) << 96,
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Parses `a.b.c.d/len` or `ipv6/len`, rejecting bad lengths and set host bits.
pub(super) fn parse_prefix(text: &str) -> Result<Prefix, String> {
    let Some((addr_text, len_text)) = text.split_once('/') else {
        return Err(format!(
            "prefix `{text}` has no length; write it as address/length"
        ));
    };
    let addr: IpAddr = addr_text
        .parse()
        .map_err(|_| format!("prefix `{text}` does not start with an IPv4 or IPv6 address"))?;
    if len_text.is_empty() || len_text.len() > 3 || !len_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("prefix `{text}` has a bad length `{len_text}`"));
    }
    let len: u16 = len_text
        .parse()
        .map_err(|_| format!("prefix `{text}` has a bad length `{len_text}`"))?;
    let (family, min, max) = match addr {
        IpAddr::V4(_) => ("IPv4", MIN_V4_LEN, 32u8),
        IpAddr::V6(_) => ("IPv6", MIN_V6_LEN, 128u8),
    };
    let Ok(len) = u8::try_from(len) else {
        return Err(format!(
            "prefix `{text}` has length {len}, out of range for {family} ({min}-{max})"
        ));
    };
    if len < min || len > max {
        return Err(format!(
            "prefix `{text}` has length {len}, out of range for {family} ({min}-{max})"
        ));
    }
    let prefix = Prefix { addr, len };
    let host_bits = u128::MAX.checked_shr(u32::from(len)).unwrap_or(0);
    if prefix.key() & host_bits != 0 {
        let network = match addr {
            IpAddr::V4(_) => {
                let bits = (prefix.key() & !host_bits) >> 96;
                IpAddr::V4(u32::try_from(bits).unwrap_or_default().into())
            }
            IpAddr::V6(_) => IpAddr::V6((prefix.key() & !host_bits).into()),
        };
        return Err(format!(
            "prefix `{text}` has host bits set (the network is {network}/{len})"
        ));
    }
    Ok(prefix)
}

/// A set of prefixes of one address family, each with a value, answering longest-prefix
/// queries.
#[derive(Debug, Clone)]
pub(super) struct PrefixTrie {
    /// Node 0 is the root (the empty prefix); a child index of 0 means "no child".
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    children: [usize; 2],
    value: Option<usize>,
}

/// Bit `i` of `key`, counted from the most significant; `i` is below 128.
fn bit(key: u128, i: u8) -> usize {
    usize::from((key >> (127 - u32::from(i))) & 1 == 1)
}

impl Default for PrefixTrie {
    /// An empty trie: the root alone.
    fn default() -> Self {
        PrefixTrie {
            nodes: vec![Node::default()],
        }
    }
}

impl PrefixTrie {
    /// Adds the first `len` bits of `key` (at most 128). Returns the value already stored for
    /// the same prefix, if any, and leaves it in place.
    pub(super) fn insert(&mut self, key: u128, len: u8, value: usize) -> Option<usize> {
        let mut at = 0usize;
        for i in 0..len.min(128) {
            let b = bit(key, i);
            let next_free = self.nodes.len();
            let node = self.nodes.get_mut(at)?;
            let slot = node.children.get_mut(b)?;
            if *slot == 0 {
                *slot = next_free;
                at = next_free;
                self.nodes.push(Node::default());
            } else {
                at = *slot;
            }
        }
        let node = self.nodes.get_mut(at)?;
        match node.value {
            Some(existing) => Some(existing),
            None => {
                node.value = Some(value);
                None
            }
        }
    }

    /// The value of the longest stored prefix that contains `key`.
    pub(super) fn longest_match(&self, key: u128) -> Option<usize> {
        let mut node = self.nodes.first()?;
        let mut best = node.value;
        for i in 0..128u8 {
            let child = *node.children.get(bit(key, i))?;
            if child == 0 {
                break;
            }
            node = self.nodes.get(child)?;
            if node.value.is_some() {
                best = node.value;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_prefixes() {
        let p = parse_prefix("43.130.0.0/16").unwrap();
        assert_eq!(p.to_string(), "43.130.0.0/16");
        assert_eq!(p.key(), 0x2b82_0000u128 << 96);
        let p = parse_prefix("2402:4e00::/32").unwrap();
        assert_eq!(p.to_string(), "2402:4e00::/32");
        assert_eq!(p.key(), 0x2402_4e00u128 << 96);
        assert_eq!(
            parse_prefix("2402:4E00:0000::/32").unwrap().to_string(),
            "2402:4e00::/32"
        );
        assert_eq!(parse_prefix("1.2.3.4/32").unwrap().len, 32);
        assert_eq!(parse_prefix("::1/128").unwrap().to_string(), "::1/128");
    }

    #[test]
    fn rejects_bad_prefixes() {
        let bad = [
            (
                "1.2.3.0",
                "prefix `1.2.3.0` has no length; write it as address/length",
            ),
            (
                "1.2.3/24",
                "prefix `1.2.3/24` does not start with an IPv4 or IPv6 address",
            ),
            (
                "01.2.3.0/24",
                "prefix `01.2.3.0/24` does not start with an IPv4 or IPv6 address",
            ),
            (
                "qq.com/24",
                "prefix `qq.com/24` does not start with an IPv4 or IPv6 address",
            ),
            ("1.2.3.0/", "prefix `1.2.3.0/` has a bad length ``"),
            ("1.2.3.0/+8", "prefix `1.2.3.0/+8` has a bad length `+8`"),
            ("1.2.3.0/2x", "prefix `1.2.3.0/2x` has a bad length `2x`"),
            (
                "1.2.3.0/1000",
                "prefix `1.2.3.0/1000` has a bad length `1000`",
            ),
            (
                "1.2.3.0/33",
                "prefix `1.2.3.0/33` has length 33, out of range for IPv4 (8-32)",
            ),
            (
                "1.2.3.0/300",
                "prefix `1.2.3.0/300` has length 300, out of range for IPv4 (8-32)",
            ),
            (
                "0.0.0.0/0",
                "prefix `0.0.0.0/0` has length 0, out of range for IPv4 (8-32)",
            ),
            (
                "1.0.0.0/7",
                "prefix `1.0.0.0/7` has length 7, out of range for IPv4 (8-32)",
            ),
            (
                "2400::/129",
                "prefix `2400::/129` has length 129, out of range for IPv6 (16-128)",
            ),
            (
                "::/0",
                "prefix `::/0` has length 0, out of range for IPv6 (16-128)",
            ),
            (
                "43.130.1.0/16",
                "prefix `43.130.1.0/16` has host bits set (the network is 43.130.0.0/16)",
            ),
            (
                "1.12.0.1/14",
                "prefix `1.12.0.1/14` has host bits set (the network is 1.12.0.0/14)",
            ),
            (
                "2402:4e00::1/32",
                "prefix `2402:4e00::1/32` has host bits set (the network is 2402:4e00::/32)",
            ),
        ];
        for (text, reason) in bad {
            assert_eq!(parse_prefix(text), Err(reason.to_string()), "{text}");
        }
    }

    fn trie(prefixes: &[&str]) -> PrefixTrie {
        let mut t = PrefixTrie::default();
        for (i, p) in prefixes.iter().enumerate() {
            let p = parse_prefix(p).unwrap();
            assert_eq!(t.insert(p.key(), p.len, i), None);
        }
        t
    }

    fn lookup(t: &PrefixTrie, addr: &str) -> Option<usize> {
        t.longest_match(key(addr.parse().unwrap()))
    }

    #[test]
    fn longest_prefix_wins() {
        let t = trie(&["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32"]);
        assert_eq!(lookup(&t, "10.200.0.1"), Some(0));
        assert_eq!(lookup(&t, "10.1.0.0"), Some(1));
        assert_eq!(lookup(&t, "10.1.255.255"), Some(1));
        assert_eq!(lookup(&t, "10.1.2.4"), Some(2));
        assert_eq!(lookup(&t, "10.1.2.3"), Some(3));
        assert_eq!(lookup(&t, "9.255.255.255"), None);
        assert_eq!(lookup(&t, "11.0.0.0"), None);
    }

    #[test]
    fn ipv6_and_boundaries() {
        let t = trie(&["2402:4e00::/32", "240d:c010:14::/48", "240d:c010::/47"]);
        assert_eq!(lookup(&t, "2402:4e00::"), Some(0));
        assert_eq!(
            lookup(&t, "2402:4e00:ffff:ffff:ffff:ffff:ffff:ffff"),
            Some(0)
        );
        assert_eq!(lookup(&t, "2402:4dff:ffff:ffff:ffff:ffff:ffff:ffff"), None);
        assert_eq!(lookup(&t, "2402:4e01::"), None);
        assert_eq!(lookup(&t, "240d:c010:14::1"), Some(1));
        assert_eq!(lookup(&t, "240d:c010:1:ffff::"), Some(2));
        assert_eq!(lookup(&t, "240d:c010:2::"), None);
        assert_eq!(lookup(&t, "240d:c010:15::"), None);
    }

    #[test]
    fn duplicate_insert_keeps_the_first() {
        let mut t = trie(&["1.12.0.0/14"]);
        let p = parse_prefix("1.12.0.0/14").unwrap();
        assert_eq!(t.insert(p.key(), p.len, 9), Some(0));
        assert_eq!(lookup(&t, "1.13.1.1"), Some(0));
    }

    proptest! {
        #[test]
        fn agrees_with_a_linear_scan(
            prefixes in proptest::collection::vec((any::<u32>(), 8u8..=32), 1..40),
            probes in proptest::collection::vec(any::<u32>(), 1..40),
        ) {
            let mut t = PrefixTrie::default();
            let mut stored: Vec<(u32, u8)> = Vec::new();
            for (addr, len) in prefixes {
                let network = addr & (u32::MAX << (32 - len));
                let key = u128::from(network) << 96;
                if t.insert(key, len, stored.len()).is_none() {
                    stored.push((network, len));
                }
            }
            // Probe the stored networks, their last addresses and the addresses just outside.
            let mut all = probes;
            for &(network, len) in &stored {
                let last = network | !(u32::MAX << (32 - len));
                all.extend([network, last, network.wrapping_sub(1), last.wrapping_add(1)]);
            }
            for probe in all {
                let want = stored
                    .iter()
                    .enumerate()
                    .filter(|(_, (network, len))| probe & (u32::MAX << (32 - len)) == *network)
                    .max_by_key(|(_, (_, len))| *len)
                    .map(|(i, _)| i);
                prop_assert_eq!(t.longest_match(u128::from(probe) << 96), want);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse_prefix(&text);
        }

        #[test]
        fn prefix_like_text_never_panics(text in "[0-9a-f:.]{0,20}/[0-9]{0,4}") {
            let _ = parse_prefix(&text);
        }
    }
}
