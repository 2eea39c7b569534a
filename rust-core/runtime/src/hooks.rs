//! The platform hooks: socket protection, uid lookup and app names.

use std::net::SocketAddr;
use std::os::fd::RawFd;

/// Keeps an upstream socket out of the monitored network, so that the relay's own traffic does
/// not loop back into the TUN. Called on every upstream socket before it connects or sends.
///
/// Android: `VpnService.protect(fd)`. Linux: the relay's sockets already live outside the
/// monitored network namespace, so [`NoProtect`] suffices.
pub trait Protector: Send {
    /// Protects `fd`; false when that failed (the socket is then not used).
    fn protect(&self, fd: RawFd) -> bool;
}

/// A [`Protector`] that does nothing (Linux: the upstream sockets are outside the namespace).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProtect;

impl Protector for NoProtect {
    fn protect(&self, _fd: RawFd) -> bool {
        true
    }
}

/// A flow as the uid lookup sees it: protocol and both endpoints, the app's first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowTuple {
    /// IP protocol number (6 TCP, 17 UDP, 1/58 ICMP).
    pub protocol: u8,
    /// The app's endpoint (port 0 for ICMP).
    pub local: SocketAddr,
    /// The other end.
    pub remote: SocketAddr,
}

/// Names the app (Android uid) behind a flow. Called once per new flow; the answer is cached.
pub trait UidResolver: Send {
    /// The uid of the app owning `flow`, if known.
    fn uid(&mut self, flow: &FlowTuple) -> Option<i32>;
}

/// A [`UidResolver`] giving every flow the same uid: `telltale run` monitors one command.
#[derive(Debug, Clone, Copy)]
pub struct ConstUid(pub i32);

impl UidResolver for ConstUid {
    fn uid(&mut self, _flow: &FlowTuple) -> Option<i32> {
        Some(self.0)
    }
}

/// Package name and label of an app, for reports and pcapng UID-map blocks.
pub trait AppInfoSource: Send {
    /// `(package, name)` of `uid`, if known.
    fn app_info(&mut self, uid: i32) -> Option<(String, String)>;
}

/// An [`AppInfoSource`] with one fixed answer for every uid.
#[derive(Debug, Clone)]
pub struct FixedAppInfo {
    /// Package name.
    pub package: String,
    /// Label.
    pub name: String,
}

impl AppInfoSource for FixedAppInfo {
    fn app_info(&mut self, _uid: i32) -> Option<(String, String)> {
        Some((self.package.clone(), self.name.clone()))
    }
}
