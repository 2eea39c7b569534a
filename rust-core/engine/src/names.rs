//! Names learned for addresses from DNS answers, so that a later flow to an address can be
//! named even when it carries no name of its own.
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

#[derive(Debug, Clone)]
struct Entry {
    app: AppKey,
    name: Arc<str>,
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
        NameCache { map: HashMap::default(), order: VecDeque::new(), limit: limit.max(1) }
    }

    /// Records that `app` was told `addr` for `name` at `now`, valid for `ttl` seconds.
    pub fn learn(&mut self, addr: IpAddr, name: &str, app: AppKey, now: Timestamp, ttl: u32) {
        let expires = now.plus_secs(u64::from(ttl).clamp(MIN_KEEP, MAX_KEEP));
        if let Some(entries) = self.map.get_mut(&addr) {
            entries.retain(|e| !(e.app == app && &*e.name == name));
            if entries.len() >= PER_ADDRESS {
                entries.remove(0);
            }
            entries.push(Entry { app, name: name.into(), expires });
            return;
        }
        if self.map.len() >= self.limit {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.map.insert(addr, vec![Entry { app, name: name.into(), expires }]);
        self.order.push_back(addr);
    }

    /// The most recent unexpired name for `addr`, preferring one `app` itself looked up.
    pub fn lookup(&self, addr: IpAddr, app: AppKey, now: Timestamp) -> Option<Arc<str>> {
        let live = self.map.get(&addr)?.iter().rev().filter(|e| e.expires >= now);
        let mut any = None;
        for e in live {
            if e.app == app {
                return Some(e.name.clone());
            }
            any.get_or_insert_with(|| e.name.clone());
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
        c.learn(ip, "web.wechat.com", a, t(0), 60);
        c.learn(ip, "other.example", b, t(1), 60);
        assert_eq!(c.lookup(ip, a, t(2)).as_deref(), Some("web.wechat.com"));
        assert_eq!(c.lookup(ip, AppKey::Uid(3), t(2)).as_deref(), Some("other.example"));
        // Kept an hour despite the 60 s TTL, gone after.
        assert!(c.lookup(ip, a, t(3600)).is_some());
        assert_eq!(c.lookup(ip, a, t(3602)), None);
    }

    #[test]
    fn bounded() {
        let mut c = NameCache::new(2);
        for i in 0..5u8 {
            c.learn(IpAddr::from([10, 0, 0, i]), "x.example", AppKey::Uid(0), t(0), 0);
        }
        assert_eq!(c.len(), 2);
        assert!(c.lookup(IpAddr::from([10, 0, 0, 4]), AppKey::Uid(0), t(1)).is_some());
        assert!(c.lookup(IpAddr::from([10, 0, 0, 0]), AppKey::Uid(0), t(1)).is_none());
        let ip = IpAddr::from([1, 1, 1, 1]);
        for i in 0..10 {
            c.learn(ip, &format!("n{i}.example"), AppKey::Uid(0), t(0), 0);
        }
        assert_eq!(c.map.get(&ip).map(Vec::len), Some(PER_ADDRESS));
    }
}
