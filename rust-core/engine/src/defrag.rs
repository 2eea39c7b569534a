//! IP fragment reassembly, bounded in the number of packets being reassembled, their size and
//! their age.
//!
//! Fragments are pieces placed by offset, so the stream [`Reassembler`] does the work; the first
//! copy of overlapping bytes wins. A packet is complete when every byte up to the end given by
//! its last fragment has arrived.

use crate::stream::{Budget, Pushed, Reassembler};
use core::net::IpAddr;
use std::collections::{HashMap, VecDeque};
use telltale_wire::Timestamp;

/// Packets being reassembled at once; more evicts the oldest.
const MAX_PENDING: usize = 256;
/// Seconds a partial packet waits for its other fragments (RFC 791 suggests 15 s up to 2 min).
const TIMEOUT_SECS: u64 = 30;
/// Largest reassembled IP payload.
const MAX_PAYLOAD: usize = 65_535;

/// Identity of the packet a fragment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragKey {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Upper-layer protocol.
    pub protocol: u8,
    /// Identification.
    pub id: u32,
}

#[derive(Debug)]
struct Pending {
    started: Timestamp,
    data: Reassembler,
    end: Option<u64>,
}

/// Outcome of offering a fragment.
#[derive(Debug, PartialEq, Eq)]
pub enum Defragged {
    /// The whole upper-layer payload.
    Complete(Vec<u8>),
    /// Waiting for more fragments.
    Incomplete,
    /// The fragment was dropped (too large, inconsistent, or no room).
    Dropped,
}

/// Reassembles fragmented IP packets.
#[derive(Debug, Default)]
pub struct Defrag {
    pending: HashMap<FragKey, Pending, foldhash::fast::RandomState>,
    order: VecDeque<(FragKey, Timestamp)>,
}

impl Defrag {
    /// Offers one fragment: its payload sits at `offset`; `more` is false on the last one.
    pub fn push(
        &mut self,
        key: FragKey,
        offset: usize,
        more: bool,
        payload: &[u8],
        now: Timestamp,
        budget: &mut Budget,
    ) -> Defragged {
        self.expire(now, budget);
        let end = offset.saturating_add(payload.len());
        if end > MAX_PAYLOAD {
            return Defragged::Dropped;
        }
        if !self.pending.contains_key(&key) {
            if self.pending.len() >= MAX_PENDING {
                self.evict_oldest(budget);
            }
            self.pending.insert(
                key,
                Pending {
                    started: now,
                    data: Reassembler::default(),
                    end: None,
                },
            );
            self.order.push_back((key, now));
        }
        let Some(p) = self.pending.get_mut(&key) else {
            return Defragged::Dropped;
        };
        if !more {
            if p.end.is_some_and(|e| e != end as u64) {
                return Defragged::Dropped;
            }
            p.end = Some(end as u64);
        }
        if p.data.push(offset as u64, payload, MAX_PAYLOAD, budget) == Pushed::Dropped {
            return Defragged::Dropped;
        }
        match p.end {
            Some(e) if p.data.offset() >= e => {
                let whole = p.data.ready().get(..e as usize).map(<[u8]>::to_vec);
                if let Some(mut p) = self.pending.remove(&key) {
                    p.data.clear(budget);
                }
                whole.map_or(Defragged::Dropped, Defragged::Complete)
            }
            _ => Defragged::Incomplete,
        }
    }

    /// Drops every partial packet, returning its bytes to the budget.
    pub fn clear(&mut self, budget: &mut Budget) {
        for (_, mut p) in self.pending.drain() {
            p.data.clear(budget);
        }
        self.order.clear();
    }

    /// Packets waiting for fragments.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether no packet is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn expire(&mut self, now: Timestamp, budget: &mut Budget) {
        while let Some(&(key, started)) = self.order.front() {
            let live = self.pending.get(&key).is_some_and(|p| p.started == started);
            if live && started.plus_secs(TIMEOUT_SECS) > now {
                break;
            }
            self.order.pop_front();
            if live && let Some(mut p) = self.pending.remove(&key) {
                p.data.clear(budget);
            }
        }
    }

    fn evict_oldest(&mut self, budget: &mut Budget) {
        while let Some((key, started)) = self.order.pop_front() {
            if self.pending.get(&key).is_some_and(|p| p.started == started) {
                if let Some(mut p) = self.pending.remove(&key) {
                    p.data.clear(budget);
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u32) -> FragKey {
        FragKey {
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            protocol: 17,
            id,
        }
    }

    #[test]
    fn reassembles_out_of_order() {
        let mut b = Budget::new(1 << 20);
        let mut d = Defrag::default();
        let now = Timestamp::EPOCH;
        assert_eq!(
            d.push(key(1), 16, false, b"tail", now, &mut b),
            Defragged::Incomplete
        );
        assert_eq!(
            d.push(key(1), 0, true, b"0123456789abcdef", now, &mut b),
            Defragged::Complete(b"0123456789abcdeftail".to_vec())
        );
        assert!(d.is_empty());
        assert_eq!(b.available(), 1 << 20);
    }

    #[test]
    fn expires_and_bounds() {
        let mut b = Budget::new(1 << 20);
        let mut d = Defrag::default();
        d.push(key(1), 0, true, b"abcdefgh", Timestamp::EPOCH, &mut b);
        let later = Timestamp::EPOCH.plus_secs(31);
        assert_eq!(
            d.push(key(2), 0, true, b"x", later, &mut b),
            Defragged::Incomplete
        );
        assert_eq!(d.len(), 1);
        for i in 0..1000 {
            d.push(key(100 + i), 0, true, b"y", later, &mut b);
        }
        assert_eq!(d.len(), MAX_PENDING);
        assert_eq!(
            d.push(key(5), 65_530, false, b"toolong", later, &mut b),
            Defragged::Dropped
        );
    }
}
