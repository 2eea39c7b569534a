//! The smoltcp `phy::Device` the interface runs on: no hardware, just queues.
//!
//! Receiving borrows the one packet being fed in (no copy); transmitting appends to a bounded
//! output queue the runtime drains into the TUN. When the queue is full, `transmit` says so and
//! smoltcp keeps the data in its socket buffers for a later poll.

use std::collections::VecDeque;

use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::time::Instant;

/// Packets waiting to be written to the TUN, at most `limit` of them.
#[derive(Debug)]
pub(crate) struct TxQueue {
    packets: VecDeque<Vec<u8>>,
    limit: usize,
    /// Packets dropped because the queue was full.
    pub(crate) dropped: u64,
}

impl TxQueue {
    pub(crate) fn new(limit: usize) -> Self {
        TxQueue {
            packets: VecDeque::new(),
            limit,
            dropped: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.packets.len() >= self.limit
    }

    pub(crate) fn len(&self) -> usize {
        self.packets.len()
    }

    /// Queue a packet; false (and counted) when the queue is full.
    pub(crate) fn push(&mut self, packet: Vec<u8>) -> bool {
        if self.is_full() {
            self.dropped += 1;
            false
        } else {
            self.packets.push_back(packet);
            true
        }
    }

    pub(crate) fn pop(&mut self) -> Option<Vec<u8>> {
        self.packets.pop_front()
    }
}

/// The capabilities the interface is created and driven with: IP medium, the TUN's MTU, and
/// checksums computed and verified in software (a TUN offloads nothing).
pub(crate) fn capabilities(mtu: usize) -> DeviceCapabilities {
    let mut caps = DeviceCapabilities::default();
    caps.medium = Medium::Ip;
    caps.max_transmission_unit = mtu;
    caps
}

/// A device over at most one input packet and the output queue.
pub(crate) struct QueueDevice<'a> {
    rx: Option<&'a [u8]>,
    tx: &'a mut TxQueue,
    mtu: usize,
}

impl<'a> QueueDevice<'a> {
    /// A device that delivers `packet` once, then nothing.
    pub(crate) fn ingress(packet: &'a [u8], tx: &'a mut TxQueue, mtu: usize) -> Self {
        QueueDevice {
            rx: Some(packet),
            tx,
            mtu,
        }
    }

    /// A device that only transmits.
    pub(crate) fn egress(tx: &'a mut TxQueue, mtu: usize) -> Self {
        QueueDevice { rx: None, tx, mtu }
    }
}

/// Hands smoltcp the packet being fed in.
pub(crate) struct Rx<'a> {
    packet: &'a [u8],
}

/// Lets smoltcp build one packet into the output queue.
pub(crate) struct Tx<'a> {
    queue: &'a mut TxQueue,
}

impl RxToken for Rx<'_> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.packet)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let mut packet = vec![0; len];
        let result = f(&mut packet);
        // A reply produced while receiving may find the queue full: dropping it is what a
        // congested link does, and TCP recovers.
        self.queue.push(packet);
        result
    }
}

impl Device for QueueDevice<'_> {
    type RxToken<'b>
        = Rx<'b>
    where
        Self: 'b;
    type TxToken<'b>
        = Tx<'b>
    where
        Self: 'b;

    fn receive(&mut self, _timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let packet = self.rx.take()?;
        Some((Rx { packet }, Tx { queue: self.tx }))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<Self::TxToken<'_>> {
        if self.tx.is_full() {
            None
        } else {
            Some(Tx { queue: self.tx })
        }
    }

    fn capabilities(&self) -> DeviceCapabilities {
        capabilities(self.mtu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_bounded_and_counts_drops() {
        let mut q = TxQueue::new(2);
        assert!(q.push(vec![1]));
        assert!(q.push(vec![2]));
        assert!(!q.push(vec![3]));
        assert_eq!(q.dropped, 1);
        assert_eq!(q.pop(), Some(vec![1]));
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn device_delivers_once_and_refuses_transmit_when_full() {
        let mut q = TxQueue::new(1);
        let packet = [0x45u8, 0];
        let mut dev = QueueDevice::ingress(&packet, &mut q, 1500);
        let (rx, tx) = dev.receive(Instant::ZERO).expect("one packet");
        assert_eq!(rx.consume(|p| p.to_vec()), packet.to_vec());
        tx.consume(3, |b| b.copy_from_slice(&[7, 8, 9]));
        assert!(dev.receive(Instant::ZERO).is_none());
        assert!(
            dev.transmit(Instant::ZERO).is_none(),
            "queue of one is full"
        );
        assert_eq!(dev.capabilities().max_transmission_unit, 1500);
        assert_eq!(q.pop(), Some(vec![7, 8, 9]));
    }
}
