//! The flow table: flows by key, in least-recently-used order, with a hard limit on their number.
//!
//! Flows live in a slab; a hash map (seeded per process, so crafted inputs cannot force
//! collisions) finds them by key, and an intrusive doubly linked list keeps them ordered by the
//! last packet, so the oldest flow is found in constant time for both idle expiry and eviction.

use crate::flow::{Flow, FlowKey};
use std::collections::HashMap;

const NIL: u32 = u32::MAX;

#[derive(Debug)]
struct Slot {
    flow: Option<(FlowKey, Flow)>,
    prev: u32,
    next: u32,
}

/// Flows by key, least recently used last.
#[derive(Debug)]
pub struct FlowTable {
    map: HashMap<FlowKey, u32, foldhash::fast::RandomState>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Most recently used.
    head: u32,
    /// Least recently used.
    tail: u32,
    limit: usize,
}

/// A handle to a flow in the table, valid until that flow is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowRef(u32);

impl FlowTable {
    /// An empty table holding at most `limit` flows (at least one).
    pub fn new(limit: usize) -> Self {
        let limit = limit.clamp(1, NIL as usize - 1);
        FlowTable {
            map: HashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            limit,
        }
    }

    /// Number of flows held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether inserting one more flow would need an eviction first.
    pub fn is_full(&self) -> bool {
        self.map.len() >= self.limit
    }

    /// Finds a flow by key.
    pub fn find(&self, key: &FlowKey) -> Option<FlowRef> {
        self.map.get(key).map(|&i| FlowRef(i))
    }

    /// The flow behind a handle.
    pub fn get_mut(&mut self, r: FlowRef) -> Option<&mut Flow> {
        self.slots
            .get_mut(r.0 as usize)?
            .flow
            .as_mut()
            .map(|(_, f)| f)
    }

    /// Marks a flow as just used.
    pub fn touch(&mut self, r: FlowRef) {
        if self.head != r.0 {
            self.unlink(r.0);
            self.link_front(r.0);
        }
    }

    /// Inserts a flow as the most recently used. The caller must make room first (see
    /// [`Self::is_full`] and [`Self::pop_oldest`]); a full table, or one already holding the
    /// key, hands the flow back.
    pub fn insert(&mut self, key: FlowKey, flow: Flow) -> Result<FlowRef, Box<Flow>> {
        if self.is_full() || self.map.contains_key(&key) {
            return Err(Box::new(flow));
        }
        let slot = Slot {
            flow: Some((key, flow)),
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                if let Some(s) = self.slots.get_mut(i as usize) {
                    *s = slot;
                }
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.map.insert(key, i);
        self.link_front(i);
        Ok(FlowRef(i))
    }

    /// Removes a flow.
    pub fn remove(&mut self, r: FlowRef) -> Option<Flow> {
        let (key, flow) = self.slots.get_mut(r.0 as usize)?.flow.take()?;
        self.unlink(r.0);
        self.map.remove(&key);
        self.free.push(r.0);
        Some(flow)
    }

    /// The least recently used flow.
    pub fn oldest(&self) -> Option<(FlowRef, &Flow)> {
        let s = self.slots.get(self.tail as usize)?;
        s.flow.as_ref().map(|(_, f)| (FlowRef(self.tail), f))
    }

    /// Removes and returns the least recently used flow.
    pub fn pop_oldest(&mut self) -> Option<Flow> {
        let (r, _) = self.oldest()?;
        self.remove(r)
    }

    /// All flows, most recently used first.
    pub fn iter(&self) -> impl Iterator<Item = &Flow> {
        let mut at = self.head;
        core::iter::from_fn(move || {
            let s = self.slots.get(at as usize)?;
            at = s.next;
            s.flow.as_ref().map(|(_, f)| f)
        })
    }

    /// Removes every flow, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = Flow> + '_ {
        core::iter::from_fn(move || self.pop_oldest())
    }

    fn unlink(&mut self, i: u32) {
        let (prev, next) = match self.slots.get(i as usize) {
            Some(s) => (s.prev, s.next),
            None => return,
        };
        match self.slots.get_mut(prev as usize) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match self.slots.get_mut(next as usize) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
        if let Some(s) = self.slots.get_mut(i as usize) {
            s.prev = NIL;
            s.next = NIL;
        }
    }

    fn link_front(&mut self, i: u32) {
        let old = self.head;
        if let Some(s) = self.slots.get_mut(i as usize) {
            s.prev = NIL;
            s.next = old;
        }
        match self.slots.get_mut(old as usize) {
            Some(h) => h.prev = i,
            None => self.tail = i,
        }
        self.head = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppKey;
    use crate::flow::{Counters, Endpoint, RoleBasis, TcpState};
    use telltale_wire::Timestamp;

    fn flow(id: u64) -> (FlowKey, Flow) {
        let client = Endpoint {
            addr: "10.0.0.1".parse().unwrap(),
            port: id as u16,
        };
        let server = Endpoint {
            addr: "1.1.1.1".parse().unwrap(),
            port: 53,
        };
        let f = Flow {
            id,
            protocol: 17,
            client,
            server,
            role_basis: RoleBasis::Port,
            app: AppKey::Addr(client.addr),
            first_seen: Timestamp::EPOCH,
            last_seen: Timestamp::EPOCH,
            touched: Timestamp::EPOCH,
            up: Counters::default(),
            down: Counters::default(),
            tcp: TcpState::default(),
            obs: Default::default(),
            inspect: None,
            learned_name: None,
        };
        (FlowKey::new(17, client, server), f)
    }

    #[test]
    fn lru_order_and_limit() {
        let mut t = FlowTable::new(3);
        let refs: Vec<_> = (1..=3)
            .map(|i| {
                let (k, f) = flow(i);
                t.insert(k, f).unwrap()
            })
            .collect();
        assert!(t.is_full());
        let (k4, f4) = flow(4);
        assert!(t.insert(k4, f4).is_err());
        t.touch(refs[0]);
        assert_eq!(t.oldest().unwrap().1.id, 2);
        assert_eq!(t.pop_oldest().unwrap().id, 2);
        let (k4, f4) = flow(4);
        t.insert(k4, f4).unwrap();
        assert_eq!(t.iter().map(|f| f.id).collect::<Vec<_>>(), vec![4, 1, 3]);
        assert_eq!(t.find(&flow(1).0), Some(refs[0]));
        assert_eq!(t.drain().map(|f| f.id).collect::<Vec<_>>(), vec![3, 1, 4]);
        assert!(t.is_empty());
    }

    proptest::proptest! {
        /// Random operations keep the map, the list and the limit consistent.
        #[test]
        fn stays_consistent(ops in proptest::collection::vec((0u8..3, 0u64..20), 0..200)) {
            let mut t = FlowTable::new(8);
            for (op, id) in ops {
                let (k, f) = flow(id);
                match op {
                    0 => {
                        if t.find(&k).is_none() {
                            if t.is_full() { t.pop_oldest(); }
                            proptest::prop_assert!(t.insert(k, f).is_ok());
                        }
                    }
                    1 => if let Some(r) = t.find(&k) { t.touch(r); },
                    _ => if let Some(r) = t.find(&k) { t.remove(r); },
                }
                proptest::prop_assert!(t.len() <= 8);
                proptest::prop_assert_eq!(t.iter().count(), t.len());
            }
        }
    }
}
