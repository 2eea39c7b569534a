//! Bounded reassembly of a byte stream from pieces that arrive out of order, repeated or
//! overlapping: TCP segments of one direction, or the CRYPTO frames of QUIC Initial packets.
//!
//! Pieces are placed by their offset in the stream. Bytes become readable once every earlier
//! byte has arrived; the reader consumes them as it parses, so only bytes it still needs are held.
//! Where pieces overlap, the bytes that arrived first win (later copies are ignored), so a
//! retransmission with different content cannot rewrite what was already parsed.
//!
//! Memory is bounded twice: each stream holds at most `window` bytes (readable plus waiting),
//! and every stream draws its bytes from a [`Budget`] shared by the whole engine, so no input can
//! make the engine hold more than the budget however many flows it opens.

/// Out-of-order pieces held per stream before the stream gives up waiting for a gap.
const MAX_PIECES: usize = 32;

/// A shared allowance of buffered bytes, drawn on by every [`Reassembler`].
#[derive(Debug)]
pub struct Budget {
    available: usize,
}

impl Budget {
    /// A budget of `bytes` in total.
    pub fn new(bytes: usize) -> Self {
        Budget { available: bytes }
    }

    fn take(&mut self, n: usize) {
        self.available = self.available.saturating_sub(n);
    }

    fn give(&mut self, n: usize) {
        self.available = self.available.saturating_add(n);
    }

    /// Bytes still available.
    pub fn available(&self) -> usize {
        self.available
    }
}

/// What [`Reassembler::push`] did with a piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// New bytes became readable.
    Readable,
    /// Held until the bytes before it arrive.
    Waiting,
    /// Nothing new: a repeat, empty, or entirely before what was already read.
    Nothing,
    /// Dropped for lack of room (window or budget); the stream now has a gap.
    Dropped,
}

/// One direction of a stream being put back in order.
#[derive(Debug, Default)]
pub struct Reassembler {
    /// Stream offset just past the last readable byte.
    next: u64,
    /// Readable bytes not yet consumed: offsets `next - ready.len() .. next`.
    ready: Vec<u8>,
    /// Pieces past `next`, sorted by offset, not overlapping each other.
    pieces: Vec<(u64, Vec<u8>)>,
    /// Bytes held in `ready` and `pieces`, as charged to the budget.
    held: usize,
    /// Some bytes were lost; what is readable may not continue what was read before.
    gap: bool,
}

impl Reassembler {
    /// Places `data` found at stream `offset`, holding at most `window` bytes in this stream.
    pub fn push(&mut self, offset: u64, data: &[u8], window: usize, budget: &mut Budget) -> Pushed {
        let end = offset.saturating_add(data.len() as u64);
        if end <= self.next || data.is_empty() {
            return Pushed::Nothing;
        }
        // Trim what was already read; the first copy of a byte wins.
        let skip = usize::try_from(self.next.saturating_sub(offset)).unwrap_or(usize::MAX);
        let (offset, data) = (offset.max(self.next), data.get(skip..).unwrap_or_default());
        if offset == self.next {
            let data = self.trim_to_room(data, window, budget);
            if data.is_empty() {
                self.gap = true;
                return Pushed::Dropped;
            }
            self.ready.extend_from_slice(data);
            self.next += data.len() as u64;
            self.drain_pieces(budget);
            return Pushed::Readable;
        }
        self.hold(offset, data, window, budget)
    }

    /// Bytes readable now, in stream order.
    pub fn ready(&self) -> &[u8] {
        &self.ready
    }

    /// Drops the first `n` readable bytes once they are parsed.
    pub fn consume(&mut self, n: usize, budget: &mut Budget) {
        let n = n.min(self.ready.len());
        self.ready.drain(..n);
        self.held -= n;
        budget.give(n);
    }

    /// Stream offset just past the last readable byte (how far the stream got in order).
    pub fn offset(&self) -> u64 {
        self.next
    }

    /// Whether bytes were lost (dropped for room, or skipped over with [`Self::skip_gap`]).
    pub fn has_gap(&self) -> bool {
        self.gap
    }

    /// Gives up on missing bytes: makes the earliest waiting piece readable, dropping whatever
    /// is unread. Returns false when nothing was waiting.
    pub fn skip_gap(&mut self, budget: &mut Budget) -> bool {
        if self.pieces.is_empty() {
            return false;
        }
        let unread = self.ready.len();
        self.consume(unread, budget);
        let (offset, data) = self.pieces.remove(0);
        self.next = offset + data.len() as u64;
        self.ready = data;
        self.gap = true;
        self.drain_pieces(budget);
        true
    }

    /// Releases everything held back to the budget.
    pub fn clear(&mut self, budget: &mut Budget) {
        budget.give(self.held);
        *self = Reassembler {
            next: self.next,
            gap: self.gap,
            ..Reassembler::default()
        };
    }

    fn trim_to_room<'d>(&mut self, data: &'d [u8], window: usize, budget: &mut Budget) -> &'d [u8] {
        let room = window
            .saturating_sub(self.held)
            .min(data.len())
            .min(budget.available());
        budget.take(room);
        self.held += room;
        data.get(..room).unwrap_or_default()
    }

    fn hold(&mut self, offset: u64, data: &[u8], window: usize, budget: &mut Budget) -> Pushed {
        let end = offset + data.len() as u64;
        let at = self.pieces.partition_point(|(o, _)| *o < offset);
        let clear_before = at == 0
            || self
                .pieces
                .get(at - 1)
                .is_none_or(|(o, d)| o + d.len() as u64 <= offset);
        let clear_after = self.pieces.get(at).is_none_or(|(o, _)| *o >= end);
        if clear_before && clear_after {
            // The usual case: a piece that overlaps nothing held.
            if self.pieces.len() >= MAX_PIECES {
                self.gap = true;
                return Pushed::Dropped;
            }
            let d = self.trim_to_room(data, window, budget);
            if d.is_empty() {
                self.gap = true;
                return Pushed::Dropped;
            }
            self.pieces.insert(at, (offset, d.to_vec()));
            return Pushed::Waiting;
        }
        // Cut the piece around the ones already held: earlier copies win.
        let mut parts: Vec<(u64, &[u8])> = vec![(offset, data)];
        for (p_off, p_data) in &self.pieces {
            let p_end = p_off + p_data.len() as u64;
            parts = parts
                .into_iter()
                .flat_map(|(o, d)| {
                    let e = o + d.len() as u64;
                    let mut out = Vec::with_capacity(2);
                    if o < *p_off {
                        let n = usize::try_from(e.min(*p_off) - o).unwrap_or(0);
                        out.push((o, d.get(..n).unwrap_or_default()));
                    }
                    if e > p_end {
                        let start = o.max(p_end);
                        let from = usize::try_from(start - o).unwrap_or(0);
                        out.push((start, d.get(from..).unwrap_or_default()));
                    }
                    out
                })
                .filter(|(_, d)| !d.is_empty())
                .collect();
        }
        if parts.is_empty() {
            return Pushed::Nothing;
        }
        let mut stored = false;
        for (o, d) in parts {
            if self.pieces.len() >= MAX_PIECES {
                self.gap = true;
                return Pushed::Dropped;
            }
            let d = self.trim_to_room(d, window, budget);
            if d.is_empty() {
                self.gap = true;
                return Pushed::Dropped;
            }
            let at = self.pieces.partition_point(|(po, _)| *po < o);
            self.pieces.insert(at, (o, d.to_vec()));
            stored = true;
        }
        if stored {
            Pushed::Waiting
        } else {
            Pushed::Nothing
        }
    }

    fn drain_pieces(&mut self, budget: &mut Budget) {
        while let Some((offset, _)) = self.pieces.first() {
            if *offset > self.next {
                break;
            }
            let (offset, data) = self.pieces.remove(0);
            let skip = usize::try_from(self.next - offset).unwrap_or(usize::MAX);
            match data.get(skip..) {
                Some(rest) if !rest.is_empty() => {
                    self.ready.extend_from_slice(rest);
                    self.next += rest.len() as u64;
                    self.held -= skip;
                    budget.give(skip);
                }
                _ => {
                    self.held -= data.len();
                    budget.give(data.len());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const W: usize = 64 * 1024;

    #[test]
    fn in_order_and_consume() {
        let mut b = Budget::new(1 << 20);
        let mut r = Reassembler::default();
        assert_eq!(r.push(0, b"hello ", W, &mut b), Pushed::Readable);
        assert_eq!(r.push(6, b"world", W, &mut b), Pushed::Readable);
        assert_eq!(r.ready(), b"hello world");
        r.consume(6, &mut b);
        assert_eq!(r.ready(), b"world");
        assert_eq!(b.available(), (1 << 20) - 5);
        r.clear(&mut b);
        assert_eq!(b.available(), 1 << 20);
        assert_eq!(r.offset(), 11);
    }

    #[test]
    fn out_of_order_retransmit_overlap() {
        let mut b = Budget::new(1 << 20);
        let mut r = Reassembler::default();
        assert_eq!(r.push(10, b"KLMNO", W, &mut b), Pushed::Waiting);
        assert_eq!(r.push(5, b"fghij", W, &mut b), Pushed::Waiting);
        assert_eq!(r.push(10, b"KLMNO", W, &mut b), Pushed::Nothing);
        // Overlaps both held pieces; only its uncovered tail is new. Earlier copies win.
        assert_eq!(r.push(8, b"xxxxxxxxxPQ", W, &mut b), Pushed::Waiting);
        assert_eq!(r.push(0, b"abcde", W, &mut b), Pushed::Readable);
        assert_eq!(r.ready(), b"abcdefghijKLMNOxxPQ");
        assert_eq!(r.push(3, b"zzzz", W, &mut b), Pushed::Nothing);
        let held = 19;
        assert_eq!(b.available(), (1 << 20) - held);
    }

    #[test]
    fn window_and_budget_bound_memory() {
        let mut b = Budget::new(100);
        let mut r = Reassembler::default();
        assert_eq!(r.push(0, &[1; 60], 80, &mut b), Pushed::Readable);
        assert_eq!(r.push(60, &[2; 60], 80, &mut b), Pushed::Readable);
        assert_eq!(r.ready().len(), 80);
        assert_eq!(r.push(80, &[3; 10], 80, &mut b), Pushed::Dropped);
        assert!(r.has_gap());
        let mut other = Reassembler::default();
        assert_eq!(other.push(0, &[4; 50], 80, &mut b), Pushed::Readable);
        assert_eq!(other.ready().len(), 20);
        assert_eq!(b.available(), 0);
    }

    #[test]
    fn skip_gap_resumes_at_next_piece() {
        let mut b = Budget::new(1 << 20);
        let mut r = Reassembler::default();
        r.push(0, b"ab", W, &mut b);
        r.push(5, b"fg", W, &mut b);
        r.push(7, b"hi", W, &mut b);
        assert!(r.skip_gap(&mut b));
        assert_eq!(r.ready(), b"fghi");
        assert_eq!(r.offset(), 9);
        assert!(!r.skip_gap(&mut b));
    }

    proptest! {
        /// Any arrival order of the pieces of a stream gives the stream back, byte-exact, and
        /// returns every byte to the budget when cleared.
        #[test]
        fn reorders_to_the_original(
            data in proptest::collection::vec(any::<u8>(), 1..400),
            cuts in proptest::collection::vec((0usize..400, 1usize..60), 1..40),
            seed in any::<u64>(),
        ) {
            let mut b = Budget::new(1 << 20);
            let mut r = Reassembler::default();
            let mut pieces: Vec<(usize, usize)> = cuts
                .iter()
                .map(|&(s, l)| (s % data.len(), l))
                .map(|(s, l)| (s, (s + l).min(data.len())))
                .collect();
            pieces.push((0, data.len()));
            let mut x = seed | 1;
            for i in (1..pieces.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                pieces.swap(i, (x % (i as u64 + 1)) as usize);
            }
            for (s, e) in pieces {
                r.push(s as u64, &data[s..e], W, &mut b);
            }
            prop_assert_eq!(r.ready(), &data[..]);
            r.clear(&mut b);
            prop_assert_eq!(b.available(), 1 << 20);
        }
    }
}
