//! Names learned for addresses, so that a flow to an address can be named even when it carries
//! no name of its own: from DNS answers, and from the server names (TLS SNI, HTTP Host) that
//! other connections to the same address carried.
//!
//! Entries are kept per app where the input says which app asked, and for at least an hour past
//! the answer whatever its TTL: apps and system resolvers keep using addresses well past short
//! TTLs. The map holds a bounded number of addresses; the oldest learned address goes first.

use crate::app::AppKey;
use core::net::IpAddr;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use telltale_wire::Timestamp;

/// Shortest time a learned name is kept, seconds.
const MIN_KEEP: u64 = 3600;
/// Longest time a learned name is kept, seconds.
const MAX_KEEP: u64 = 86_400;
/// Names kept per address (one address can serve several names and apps).
const PER_ADDRESS: usize = 4;

/// Where a learned name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// A DNS answer gave the address for the name.
    DnsAnswer,
    /// Another connection to the address carried the name (TLS SNI, HTTP Host).
    ServerName,
    /// A lookup over HTTP (Tencent HTTPDNS, WeChat's newgetdns) answered with the address.
    HttpLookup,
}

/// A name known for an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    /// The name.
    pub name: Arc<str>,
    /// How it was learned.
    pub source: NameSource,
}

#[derive(Debug, Clone)]
struct Entry {
    app: AppKey,
    learned: Learned,
    expires: Timestamp,
}

/// Address-to-name map with expiry and a size limit.
#[derive(Debug)]
pub struct NameCache {
    map: HashMap<IpAddr, Vec<Entry>, foldhash::fast::RandomState>,
    order: VecDeque<IpAddr>,
    limit: usize,
}

impl NameCache {
    /// An empty cache for at most `limit` addresses.
    pub fn new(limit: usize) -> Self {
        NameCache {
            map: HashMap::default(),
            order: VecDeque::new(),
            limit: limit.max(1),
        }
    }

    /// Records that `app` associated `addr` with `name` at `now` (a DNS answer valid for `ttl`
    /// seconds, or a connection carrying the name).
    pub fn learn(
        &mut self,
        addr: IpAddr,
        name: &str,
        source: NameSource,
        app: AppKey,
        now: Timestamp,
        ttl: u32,
    ) {
        let expires = now.plus_secs(u64::from(ttl).clamp(MIN_KEEP, MAX_KEEP));
        let entry = Entry {
            app,
            learned: Learned {
                name: name.into(),
                source,
            },
            expires,
        };
        if let Some(entries) = self.map.get_mut(&addr) {
            entries.retain(|e| !(e.app == app && &*e.learned.name == name));
            if entries.len() >= PER_ADDRESS {
                entries.remove(0);
            }
            entries.push(entry);
            return;
        }
        if self.map.len() >= self.limit
            && let Some(old) = self.order.pop_front()
        {
            self.map.remove(&old);
        }
        self.map.insert(addr, vec![entry]);
        self.order.push_back(addr);
    }

    /// The most recent unexpired name for `addr`, preferring one `app` itself learned. Names
    /// from other apps' DNS answers count too (a system resolver asks on an app's behalf), but
    /// names other apps' connections carried do not: a shared server may serve both.
    pub fn lookup(&self, addr: IpAddr, app: AppKey, now: Timestamp) -> Option<Learned> {
        let live = self
            .map
            .get(&addr)?
            .iter()
            .rev()
            .filter(|e| e.expires >= now);
        let mut any = None;
        for e in live {
            if e.app == app {
                return Some(e.learned.clone());
            }
            if e.learned.source != NameSource::ServerName {
                any.get_or_insert_with(|| e.learned.clone());
            }
        }
        any
    }

    /// Number of addresses held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no address is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_secs_nanos(s, 0)
    }

    #[test]
    fn prefers_own_app_then_any_and_expires() {
        let ip: IpAddr = "203.205.147.171".parse().unwrap();
        let (a, b) = (AppKey::Uid(1), AppKey::Uid(2));
        let mut c = NameCache::new(10);
        c.learn(ip, "web.wechat.com", NameSource::DnsAnswer, a, t(0), 60);
        c.learn(ip, "other.example", NameSource::ServerName, b, t(1), 60);
        let name = |l: Option<Learned>| l.map(|l| (l.name.to_string(), l.source));
        assert_eq!(
            name(c.lookup(ip, a, t(2))),
            Some(("web.wechat.com".into(), NameSource::DnsAnswer))
        );
        assert_eq!(
            name(c.lookup(ip, b, t(2))),
            Some(("other.example".into(), NameSource::ServerName))
        );
        // Another app gets the DNS answer, not the name b's connection carried.
        assert_eq!(
            name(c.lookup(ip, AppKey::Uid(3), t(2))),
            Some(("web.wechat.com".into(), NameSource::DnsAnswer))
        );
        // Kept an hour despite the 60 s TTL, gone after.
        assert!(c.lookup(ip, a, t(3600)).is_some());
        assert_eq!(c.lookup(ip, a, t(3602)), None);
    }

    #[test]
    fn bounded() {
        let mut c = NameCache::new(2);
        for i in 0..5u8 {
            c.learn(
                IpAddr::from([10, 0, 0, i]),
                "x.example",
                NameSource::DnsAnswer,
                AppKey::Uid(0),
                t(0),
                0,
            );
        }
        assert_eq!(c.len(), 2);
        assert!(
            c.lookup(IpAddr::from([10, 0, 0, 4]), AppKey::Uid(0), t(1))
                .is_some()
        );
        assert!(
            c.lookup(IpAddr::from([10, 0, 0, 0]), AppKey::Uid(0), t(1))
                .is_none()
        );
        let ip = IpAddr::from([1, 1, 1, 1]);
        for i in 0..10 {
            c.learn(
                ip,
                &format!("n{i}.example"),
                NameSource::DnsAnswer,
                AppKey::Uid(0),
                t(0),
                0,
            );
        }
        assert_eq!(c.map.get(&ip).map(Vec::len), Some(PER_ADDRESS));
    }
}
