//! Name lookups made over plain HTTP instead of DNS, whose answers name later connections:
//! Tencent HTTPDNS (`GET /d?dn=<names>`, answered with `ip;ip,ttl`) and WeChat's `newgetdns`
//! (`GET /cgi-bin/micromsg-bin/newgetdns?...`, answered with a deflated XML host map).
//!
//! Formats: Tencent's HTTPDNS documentation (cloud.tencent.com/document/product/213/3522; batch
//! queries of up to 8 names, `ttl=1` appends `,<ttl>`) and the newgetdns answer in the Citizen
//! Lab WeChat capture, as research/tencent-facts.md section 1.5 describes it
//! (`<dns><domainlist><domain name=".." timeout=".."><ip>..</ip><ipv6>..</ipv6></domain>`).

use core::net::IpAddr;

/// Names kept from one lookup; HTTPDNS batches hold up to 8, newgetdns about 80.
const MAX_HOSTS: usize = 256;
/// Addresses kept per name.
const MAX_ADDRS: usize = 16;

/// A name and the addresses an answer gave for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAddrs {
    /// The name, lower-cased, without a trailing dot.
    pub name: String,
    /// Its addresses (IPv4-mapped IPv6 addresses given as IPv4).
    pub addrs: Vec<IpAddr>,
    /// Seconds the answer is valid for, when it says.
    pub ttl: Option<u32>,
}

fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn address(text: &str) -> Option<IpAddr> {
    let ip: IpAddr = text.trim().parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

/// The names of an HTTPDNS `dn` parameter: comma-separated, trailing dots dropped. Names that
/// are not host names (HTTPDNS's encrypted form sends hex ciphertext instead) are left out.
pub fn dn_names(dn: &str) -> Vec<String> {
    dn.split(',')
        .map(normalise)
        .filter(|n| {
            n.contains('.')
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })
        .take(MAX_HOSTS)
        .collect()
}

/// Parses an HTTPDNS answer for the `names` asked. A single-name answer is `ip;ip[,ttl]`; a
/// batch answer has a line per name, `name.:ip;ip[,ttl]`. Lines that hold no address are
/// skipped (an empty answer means the name does not exist).
pub fn httpdns_answer(body: &[u8], names: &[String]) -> Vec<HostAddrs> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .take(MAX_HOSTS)
    {
        let (name, rest) = match line.split_once(".:").or_else(|| {
            // `name:addrs` without the dot; an IPv6 address alone also holds colons.
            line.split_once(':')
                .filter(|(n, _)| address(n).is_none() && n.contains('.'))
        }) {
            Some((n, rest)) => (normalise(n), rest),
            None => match names.get(i) {
                Some(n) => (n.clone(), line),
                None => continue,
            },
        };
        let (addrs, ttl) = match rest.rsplit_once(',') {
            Some((a, t)) => (a, t.trim().parse().ok()),
            None => (rest, None),
        };
        let addrs: Vec<IpAddr> = addrs
            .split(';')
            .filter_map(address)
            .take(MAX_ADDRS)
            .collect();
        if !addrs.is_empty() {
            out.push(HostAddrs { name, addrs, ttl });
        }
    }
    out
}

/// The host map of a (decoded) WeChat newgetdns answer: every `<domain name=".." timeout="..">`
/// with its `<ip>` and `<ipv6>` children. A document cut short yields the hosts before the cut.
pub fn newgetdns_hosts(xml: &[u8]) -> Vec<HostAddrs> {
    let text = String::from_utf8_lossy(xml);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("<domain ") {
        let after = rest.get(start + 8..).unwrap_or_default();
        let Some(open_end) = after.find('>') else {
            break;
        };
        let (attrs, body) = after.split_at(open_end);
        let (body, next) = match body.find("</domain>") {
            Some(end) => body.split_at(end),
            None => (body, ""),
        };
        rest = next;
        let Some(name) = attribute(attrs, "name").map(normalise) else {
            continue;
        };
        let ttl = attribute(attrs, "timeout").and_then(|t| t.parse().ok());
        let mut addrs = Vec::new();
        for tag in ["<ip>", "<ipv6>"] {
            let close = tag.replacen('<', "</", 1);
            for piece in body.split(tag).skip(1) {
                if let Some(a) = piece.split(close.as_str()).next().and_then(address)
                    && !addrs.contains(&a)
                    && addrs.len() < MAX_ADDRS
                {
                    addrs.push(a);
                }
            }
        }
        if !addrs.is_empty() {
            out.push(HostAddrs { name, addrs, ttl });
        }
        if out.len() >= MAX_HOSTS {
            break;
        }
    }
    out
}

/// The value of `key="value"` in an XML start tag's attribute text.
fn attribute<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let at = attrs.find(&format!("{key}=\""))? + key.len() + 2;
    let value = attrs.get(at..)?;
    value.get(..value.find('"')?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn dn_parameter() {
        assert_eq!(
            dn_names("www.qq.com.,Api.Example.org"),
            ["www.qq.com", "api.example.org"]
        );
        // Encrypted HTTPDNS requests carry hex ciphertext, not names.
        assert!(dn_names("8f2a9c01d4e5").is_empty());
    }

    #[test]
    fn single_and_batch_answers() {
        let names = vec!["api.example.org".to_owned()];
        assert_eq!(
            httpdns_answer(b"1.2.3.4;5.6.7.8,120", &names),
            [HostAddrs {
                name: "api.example.org".into(),
                addrs: vec![ip("1.2.3.4"), ip("5.6.7.8")],
                ttl: Some(120)
            }]
        );
        let batch = b"a.example.:1.1.1.1,60\nb.example.:2001:db8::1;2.2.2.2\nc.example.:0\n";
        let got = httpdns_answer(batch, &[]);
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[1],
            HostAddrs {
                name: "b.example".into(),
                addrs: vec![ip("2001:db8::1"), ip("2.2.2.2")],
                ttl: None
            }
        );
        assert!(httpdns_answer(b"", &names).is_empty());
    }

    #[test]
    fn newgetdns_host_map() {
        let xml = b"<?xml version=\"1.0\"?>\n<dns>\n<retcode>0</retcode>\n<domainlist>\n\
<domain name=\"long.weixin.qq.com\" timeout=\"1860\">\n<ipv6>::ffff:198.51.100.7</ipv6>\n\
<ip>198.51.100.7</ip>\n</domain>\n<domain name=\"udns.weixin.qq.com\" timeout=\"1860\">\n\
<ipv6>2001:db8::f3</ipv6>\n<ip>198.51.100.9</ip>\n</domain>\n<domain name=\"cut.weixin.qq.com\" timeout=\"1\">\n<ip>198.51";
        let hosts = newgetdns_hosts(xml);
        assert_eq!(hosts.len(), 2);
        assert_eq!(
            hosts[0],
            HostAddrs {
                name: "long.weixin.qq.com".into(),
                addrs: vec![ip("198.51.100.7")],
                ttl: Some(1860)
            }
        );
        assert_eq!(hosts[1].addrs, [ip("198.51.100.9"), ip("2001:db8::f3")]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let text = String::from_utf8_lossy(&data);
            let _ = dn_names(&text);
            proptest::prop_assert!(httpdns_answer(&data, &["x.example".into()]).len() <= MAX_HOSTS);
            for h in newgetdns_hosts(&data) {
                proptest::prop_assert!(h.addrs.len() <= MAX_ADDRS);
            }
        }
    }
}
