//! Tokens sent in clear that stay the same across connections, so that whoever sees them can
//! tell the connections come from the same phone or account: WeChat's MMTLS resumption ticket
//! is the one the dissectors report today.
//!
//! Only a short hash of each token is kept (SHA-256, first 6 bytes), never the token, with the
//! flows that carried it. The table holds a bounded number of tokens.

use crate::app::AppKey;
use ring::digest::{SHA256, digest};
use std::collections::HashMap;
use telltale_wire::Timestamp;

/// Tokens tracked at once; later new tokens are not tracked.
const MAX_TOKENS: usize = 4096;
/// Flow ids listed per token.
const MAX_FLOWS: usize = 32;

/// Where one token was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    /// Short hash of the token, 12 hex digits.
    pub id: String,
    /// What kind of token, for the report (e.g. "MMTLS resumption ticket").
    pub what: &'static str,
    /// The protocol that carries it, by the signatures' protocol id (`mmtls`).
    pub protocol: &'static str,
    /// The app of the first connection that carried it.
    pub app: AppKey,
    /// Connections that carried it.
    pub connections: u64,
    /// Ids of the first of those flows.
    pub flows: Vec<u64>,
    /// First time seen.
    pub first_seen: Timestamp,
    /// Last time seen.
    pub last_seen: Timestamp,
}

/// Tokens by hash.
#[derive(Debug, Clone, Default)]
pub struct TokenTable {
    tokens: HashMap<[u8; 6], TokenUse, foldhash::fast::RandomState>,
}

impl TokenTable {
    /// Records that flow `flow` of `app` carried `token` (of `protocol`, described as `what`) at
    /// `now`; returns the token's short id.
    pub fn observe(
        &mut self,
        token: &[u8],
        (protocol, what): (&'static str, &'static str),
        app: AppKey,
        flow: u64,
        now: Timestamp,
    ) -> String {
        let mut key = [0u8; 6];
        key.copy_from_slice(digest(&SHA256, token).as_ref().get(..6).unwrap_or(&[0; 6]));
        let id = telltale_wire::hex::encode(&key);
        if let Some(t) = self.tokens.get_mut(&key) {
            if !t.flows.contains(&flow) {
                t.connections += 1;
                if t.flows.len() < MAX_FLOWS {
                    t.flows.push(flow);
                }
            }
            t.first_seen = t.first_seen.min(now);
            t.last_seen = t.last_seen.max(now);
        } else if self.tokens.len() < MAX_TOKENS {
            self.tokens.insert(
                key,
                TokenUse {
                    id: id.clone(),
                    what,
                    protocol,
                    app,
                    connections: 1,
                    flows: vec![flow],
                    first_seen: now,
                    last_seen: now,
                },
            );
        }
        id
    }

    /// Tokens seen on more than one connection, in a stable order.
    pub fn linked(&self) -> Vec<&TokenUse> {
        let mut linked: Vec<&TokenUse> =
            self.tokens.values().filter(|t| t.connections > 1).collect();
        linked.sort_by(|a, b| a.id.cmp(&b.id));
        linked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_connections_per_token() {
        let mut t = TokenTable::default();
        let app = AppKey::Uid(10123);
        let now = Timestamp::EPOCH;
        let a = t.observe(b"ticket-1", ("mmtls", "ticket"), app, 1, now);
        assert_eq!(a.len(), 12);
        assert!(t.linked().is_empty());
        assert_eq!(t.observe(b"ticket-1", ("mmtls", "ticket"), app, 1, now), a);
        assert!(
            t.linked().is_empty(),
            "the same flow twice is one connection"
        );
        t.observe(b"ticket-1", ("mmtls", "ticket"), app, 2, now.plus_secs(5));
        t.observe(b"ticket-2", ("mmtls", "ticket"), app, 3, now);
        let linked = t.linked();
        assert_eq!(linked.len(), 1);
        assert_eq!(
            (linked[0].connections, linked[0].flows.clone()),
            (2, vec![1, 2])
        );
        assert_eq!(linked[0].last_seen, now.plus_secs(5));
    }
}
