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
/// with its `<ip>` and `<ipv6>` children (IPv4 ones first). A document cut short yields the
/// hosts before the cut.
///
/// One pass over the tags: answers run to tens of kilobytes, and a phone fetches them often.
pub fn newgetdns_hosts(xml: &[u8]) -> Vec<HostAddrs> {
    /// The domain being read: name, ttl, its `<ip>` and its `<ipv6>` addresses.
    type Open = (String, Option<u32>, Vec<IpAddr>, Vec<IpAddr>);
    fn flush(open: &mut Option<Open>, out: &mut Vec<HostAddrs>) {
        if let Some((name, ttl, mut addrs, v6)) = open.take() {
            for a in v6 {
                if !addrs.contains(&a) && addrs.len() < MAX_ADDRS {
                    addrs.push(a);
                }
            }
            if !addrs.is_empty() && out.len() < MAX_HOSTS {
                out.push(HostAddrs { name, addrs, ttl });
            }
        }
    }
    let find = |from: usize, byte: u8| {
        xml.get(from..)
            .and_then(|rest| memchr::memchr(byte, rest))
            .map(|i| from + i)
    };
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let mut at = 0;
    while let Some(lt) = find(at, b'<') {
        let Some(gt) = find(lt + 1, b'>') else {
            break;
        };
        let tag = xml.get(lt + 1..gt).unwrap_or_default();
        at = gt + 1;
        if let Some(attrs) = tag.strip_prefix(b"domain ") {
            flush(&mut open, &mut out);
            if out.len() >= MAX_HOSTS {
                break;
            }
            let attrs = String::from_utf8_lossy(attrs);
            open = attribute(&attrs, "name").map(|name| {
                let ttl = attribute(&attrs, "timeout").and_then(|t| t.parse().ok());
                (normalise(name), ttl, Vec::new(), Vec::new())
            });
        } else if tag == b"/domain" {
            flush(&mut open, &mut out);
        } else if let (Some((_, _, v4, v6)), true) = (open.as_mut(), tag == b"ip" || tag == b"ipv6")
        {
            // The text up to the next tag; a document cut inside it has no address there.
            let Some(end) = find(at, b'<') else {
                break;
            };
            let list = if tag == b"ip" { v4 } else { v6 };
            let text = xml.get(at..end).and_then(|t| core::str::from_utf8(t).ok());
            if let Some(a) = text.and_then(address)
                && !list.contains(&a)
                && list.len() < MAX_ADDRS
            {
                list.push(a);
            }
        }
    }
    // A domain cut short before its end tag still counts with what it gave.
    flush(&mut open, &mut out);
    out
}

/// The value of `key="value"` in an XML start tag's attribute text (values without spaces, as
/// host names and numbers are).
fn attribute<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    attrs.split_ascii_whitespace().find_map(|a| {
        let value = a.strip_prefix(key)?.strip_prefix("=\"")?;
        value.get(..value.find('"')?)
    })
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
        // A domain cut short after a whole address keeps it; attributes match whole keys.
        let cut = b"<domain hostname=\"x\" name=\"A.Example.\"><ip>192.0.2.1</ip><ip>192.0";
        assert_eq!(
            newgetdns_hosts(cut),
            [HostAddrs {
                name: "a.example".into(),
                addrs: vec![ip("192.0.2.1")],
                ttl: None
            }]
        );
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
