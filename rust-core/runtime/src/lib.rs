//! Telltale's live monitor I/O, the only crate of Telltale that touches the system: the TUN
//! device, the upstream sockets, the event loop around the sans-IO
//! [`telltale_netstack::Netstack`], and the tap that hands every packet to the
//! [`telltale_engine::Engine`] and, when asked, to a pcapng capture.
//!
//! ```text
//! apps -> TUN -> Relay: tap (engine, pcapng) -> Netstack -> events -> upstream sockets
//! apps <- TUN <- Relay: tap (engine, pcapng) <- Netstack <- answers <- upstream sockets
//! ```
//!
//! Start with [`Tun`] ([`Tun::open`] by name, [`Tun::from_fd`] for a descriptor handed over),
//! then [`Relay::new`] with [`Settings`], an engine and the platform [`Hooks`] ([`Protector`],
//! [`UidResolver`], [`AppInfoSource`]); [`Relay::run`] blocks until a [`StopHandle`] stops it
//! and returns the engine's report.
//!
//! Memory is bounded: each TCP connection holds two fixed buffers of [`Settings::tcp_chunk`]
//! bytes (reading upstream only as fast as the netstack accepts, and reading the app only as
//! fast as upstream takes it), and everything else is capped by the netstack's
//! [`telltale_netstack::Config`].
//!
//! ICMP echo requests are relayed ([`telltale_netstack::EchoMode::Relay`]) through an ICMP
//! socket: an unprivileged ping socket where `net.ipv4.ping_group_range` allows it (Android),
//! else a raw socket (root); with neither, pings go unanswered.
//!
//! [`netns`] holds the Linux network-namespace helpers `telltale run` uses.
#![warn(missing_docs)]

mod dns;
mod error;
mod hooks;
pub mod netns;
mod output;
mod ping;
mod relay;
pub mod signals;
mod tun;

pub use dns::{first_nameserver, host_resolver};
pub use error::{Error, Result};
pub use hooks::{
    AppInfoSource, ConstUid, FixedAppInfo, FlowTuple, NoProtect, Protector, UidResolver,
};
pub use output::create_private;
pub use relay::{Capture, DnsForward, Hooks, Outcome, Relay, ReportHandle, Settings, StopHandle};
pub use tun::Tun;
