//! Domain suffixes: validation and a reversed-label trie for longest-suffix lookup.
//!
//! The trie is keyed by labels from the right (`com` → `qq` → `weixin`). A lookup walks the
//! borrowed name's labels with `rsplit('.')` and compares them ASCII case-insensitively against
//! the stored lowercase labels, so it allocates nothing.

use std::cmp::Ordering;

/// Longest host name DNS allows, in text form without the trailing dot.
const MAX_NAME_LEN: usize = 253;
/// Longest label DNS allows.
const MAX_LABEL_LEN: usize = 63;

/// Checks that `suffix` is a lowercase domain name of at least two labels, each of letters,
/// digits and inner hyphens, with a top-level label that is not all digits.
pub(super) fn check_suffix(suffix: &str) -> Result<(), String> {
    if suffix.is_empty() {
        return Err("empty domain suffix".into());
    }
    if suffix.len() > MAX_NAME_LEN {
        return Err(format!(
            "domain suffix is {} characters long (at most {MAX_NAME_LEN})",
            suffix.len()
        ));
    }
    if suffix.ends_with('.') {
        return Err(format!(
            "domain suffix `{suffix}` has a trailing dot; write it without one"
        ));
    }
    let mut labels = 0usize;
    for label in suffix.split('.') {
        labels += 1;
        check_label(suffix, label)?;
    }
    if labels < 2 {
        return Err(format!(
            "domain suffix `{suffix}` is a bare top-level domain; name at least two labels"
        ));
    }
    let tld = suffix.rsplit('.').next().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "domain suffix `{suffix}` has an all-digit top-level label; IP addresses belong in a [[network]] list"
        ));
    }
    Ok(())
}

fn check_label(suffix: &str, label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err(format!("domain suffix `{suffix}` has an empty label"));
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(format!(
            "domain suffix `{suffix}` has a label longer than {MAX_LABEL_LEN} characters"
        ));
    }
    if let Some(bad) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let hint = if bad.is_ascii_uppercase() {
            " (write domain suffixes in lowercase)"
        } else {
            ""
        };
        return Err(format!(
            "domain suffix `{suffix}` has a bad character {bad:?}{hint}"
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!(
            "domain suffix `{suffix}` has a label that starts or ends with a hyphen"
        ));
    }
    Ok(())
}

/// A set of domain suffixes, each with a value, answering longest-suffix queries.
#[derive(Debug, Clone)]
pub(super) struct NameTrie {
    /// Node 0 is the root (the empty suffix).
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// Child labels (lowercase) sorted by bytes, with the child's node index.
    children: Vec<(Box<str>, usize)>,
    value: Option<usize>,
}

/// Orders a stored lowercase label against a probe label of any case.
fn cmp_label(stored: &str, probe: &str) -> Ordering {
    stored
        .bytes()
        .cmp(probe.bytes().map(|b| b.to_ascii_lowercase()))
}

impl Default for NameTrie {
    /// An empty trie: the root alone.
    fn default() -> Self {
        NameTrie {
            nodes: vec![Node::default()],
        }
    }
}

impl NameTrie {
    /// Adds a suffix already accepted by [`check_suffix`]. Returns the value already stored
    /// for the same suffix, if any, and leaves it in place.
    pub(super) fn insert(&mut self, suffix: &str, value: usize) -> Option<usize> {
        let mut at = 0usize;
        for label in suffix.rsplit('.') {
            let next_free = self.nodes.len();
            let node = self.nodes.get_mut(at)?;
            at = match node
                .children
                .binary_search_by(|(stored, _)| cmp_label(stored, label))
            {
                Ok(i) => node.children.get(i).map(|(_, child)| *child)?,
                Err(i) => {
                    node.children.insert(i, (label.into(), next_free));
                    self.nodes.push(Node::default());
                    next_free
                }
            };
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

    /// The value of the longest suffix of `name` in the trie, by whole labels.
    ///
    /// `name` is compared ASCII case-insensitively and one trailing dot is ignored. A name with
    /// an empty label anywhere (`.qq.com`, `a..qq.com`, `qq.com..`) matches nothing.
    pub(super) fn longest_match(&self, name: &str) -> Option<usize> {
        self.matches(name).last()
    }

    /// The values of every suffix of `name` in the trie, shortest suffix first; the same
    /// reading of `name` as [`NameTrie::longest_match`].
    pub(super) fn matches<'t>(&'t self, name: &'t str) -> impl Iterator<Item = usize> + 't {
        let name = name.strip_suffix('.').unwrap_or(name);
        let bad =
            name.is_empty() || name.starts_with('.') || name.ends_with('.') || name.contains("..");
        let mut node = if bad { None } else { self.nodes.first() };
        name.rsplit('.')
            .map_while(move |label| {
                let here = node?;
                let i = here
                    .children
                    .binary_search_by(|(stored, _)| cmp_label(stored, label))
                    .ok()?;
                let (_, child) = here.children.get(i)?;
                node = self.nodes.get(*child);
                Some(node.and_then(|n| n.value))
            })
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn suffix_checks() {
        for good in [
            "qq.com",
            "weixin.qq.com",
            "we.chat",
            "cdn-go.cn",
            "3g.qq.com",
            "xn--fiqs8s.cn",
        ] {
            assert_eq!(check_suffix(good), Ok(()), "{good}");
        }
        let bad = [
            ("", "empty domain suffix"),
            (
                "com",
                "domain suffix `com` is a bare top-level domain; name at least two labels",
            ),
            ("qq..com", "domain suffix `qq..com` has an empty label"),
            (".qq.com", "domain suffix `.qq.com` has an empty label"),
            (
                "qq.com.",
                "domain suffix `qq.com.` has a trailing dot; write it without one",
            ),
            (
                "QQ.com",
                "domain suffix `QQ.com` has a bad character 'Q' (write domain suffixes in lowercase)",
            ),
            ("q_q.com", "domain suffix `q_q.com` has a bad character '_'"),
            (
                "qq.com/x",
                "domain suffix `qq.com/x` has a bad character '/'",
            ),
            (
                "*.qq.com",
                "domain suffix `*.qq.com` has a bad character '*'",
            ),
            (
                "-qq.com",
                "domain suffix `-qq.com` has a label that starts or ends with a hyphen",
            ),
            (
                "1.2.3.4",
                "domain suffix `1.2.3.4` has an all-digit top-level label; IP addresses belong in a [[network]] list",
            ),
        ];
        for (suffix, reason) in bad {
            assert_eq!(check_suffix(suffix), Err(reason.to_string()), "{suffix}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert_eq!(
            check_suffix(&long_label),
            Err(format!(
                "domain suffix `{long_label}` has a label longer than 63 characters"
            ))
        );
        let long_name = format!("{}com", "abcdefgh.".repeat(29));
        assert_eq!(
            check_suffix(&long_name),
            Err("domain suffix is 264 characters long (at most 253)".to_string())
        );
    }

    fn trie(suffixes: &[&str]) -> NameTrie {
        let mut t = NameTrie::default();
        for (i, s) in suffixes.iter().enumerate() {
            assert_eq!(t.insert(s, i), None);
        }
        t
    }

    #[test]
    fn longest_suffix_wins_by_whole_labels() {
        let t = trie(&[
            "qq.com",
            "weixin.qq.com",
            "wx.qq.com",
            "dns.weixin.qq.com",
            "qq.com.cn",
        ]);
        let cases = [
            ("qq.com", Some(0)),
            ("www.qq.com", Some(0)),
            ("weixin.qq.com", Some(1)),
            ("szshort.weixin.qq.com", Some(1)),
            ("res.wx.qq.com", Some(2)),
            ("dns.weixin.qq.com", Some(3)),
            ("a.dns.weixin.qq.com", Some(3)),
            ("weixin.qq.com.cn", Some(4)),
            ("QQ.COM", Some(0)),
            ("Dns.WeiXin.qq.com.", Some(3)),
            ("notqq.com", None),
            ("xqq.com", None),
            ("qq.com.evil.example", None),
            ("com", None),
            ("", None),
            (".", None),
            (".qq.com", None),
            ("a..qq.com", None),
            ("qq.com..", None),
            ("q q.com", None),
        ];
        for (name, want) in cases {
            assert_eq!(t.longest_match(name), want, "{name}");
        }
    }

    #[test]
    fn duplicate_insert_keeps_the_first() {
        let mut t = trie(&["qq.com"]);
        assert_eq!(t.insert("qq.com", 7), Some(0));
        assert_eq!(t.longest_match("qq.com"), Some(0));
    }

    proptest! {
        #[test]
        fn lookups_never_panic_and_match_at_label_boundaries(name in "[a-zA-Z0-9.\\-_ ]{0,40}") {
            let t = trie(&["qq.com", "weixin.qq.com", "a.b"]);
            if let Some(i) = t.longest_match(&name) {
                let suffix = ["qq.com", "weixin.qq.com", "a.b"][i];
                let lower = name.to_ascii_lowercase();
                let lower = lower.strip_suffix('.').unwrap_or(&lower);
                let dotted = format!(".{suffix}");
                prop_assert!(lower == suffix || lower.ends_with(&dotted));
            }
        }

        #[test]
        fn arbitrary_text_never_panics(name in any::<String>()) {
            let t = trie(&["qq.com"]);
            let _ = t.longest_match(&name);
            let _ = check_suffix(&name);
        }
    }
}
