//! DNS messages over UDP and TCP: the questions asked, and the answers that teach names for
//! addresses.

use super::Ctx;
use crate::names::NameSource;
use crate::observation::{DnsObs, MAX_ITEMS, Observations};
use crate::stream::Reassembler;
use core::net::IpAddr;
use telltale_wire::dns;

/// DNS over TCP: every length-prefixed message.
pub(super) fn dns_tcp(stream: &mut Reassembler, obs: &mut Observations, ctx: &mut Ctx<'_>) -> bool {
    while let Some((msg, used)) = dns::tcp_message(stream.ready()) {
        on_dns_message(msg, obs, ctx);
        stream.consume(used, ctx.budget);
    }
    false
}

/// Records the questions of a DNS message and feeds answered addresses to the name map.
pub(super) fn on_dns_message(msg: &[u8], obs: &mut Observations, ctx: &mut Ctx<'_>) {
    let Ok(m) = dns::parse(msg) else { return };
    for q in &m.questions {
        let mut o = match obs
            .dns
            .iter()
            .position(|o| o.name == q.name && o.qtype == q.qtype)
        {
            Some(i) => obs.dns.get_mut(i),
            None if obs.dns.len() < MAX_ITEMS => {
                obs.dns.push(DnsObs {
                    name: q.name.clone(),
                    qtype: q.qtype,
                    addresses: Vec::new(),
                    cnames: Vec::new(),
                    rcode: None,
                });
                obs.dns.last_mut()
            }
            None => {
                obs.dropped_items += 1;
                None
            }
        };
        if !m.response {
            continue;
        }
        if let Some(o) = o.as_deref_mut() {
            o.rcode = Some(m.rcode);
        }
        for a in &m.answers {
            let addrs: Vec<IpAddr> = match &a.data {
                dns::RecordData::A(v4) => vec![IpAddr::V4(*v4)],
                dns::RecordData::Aaaa(v6) => vec![IpAddr::V6(*v6)],
                dns::RecordData::Svcb(s) => s
                    .ipv4_hints
                    .iter()
                    .map(|&v| IpAddr::V4(v))
                    .chain(s.ipv6_hints.iter().map(|&v| IpAddr::V6(v)))
                    .collect(),
                dns::RecordData::Cname(c) => {
                    if let Some(o) = o.as_deref_mut()
                        && o.cnames.len() < MAX_ITEMS
                        && !o.cnames.contains(c)
                    {
                        o.cnames.push(c.clone());
                    }
                    continue;
                }
                dns::RecordData::Other => continue,
            };
            for addr in addrs {
                // The name the app asked for is what its later connection is about, not the
                // CDN alias the answer went through.
                ctx.names.learn(
                    addr,
                    &q.name,
                    NameSource::DnsAnswer,
                    ctx.app,
                    ctx.now,
                    a.ttl,
                );
                if let Some(o) = o.as_deref_mut()
                    && o.addresses.len() < MAX_ITEMS
                    && !o.addresses.contains(&addr)
                {
                    o.addresses.push(addr);
                }
            }
        }
    }
}
