//! Which app a flow belongs to.

use core::fmt;
use core::net::IpAddr;

/// An app's identity: the Android uid when the input carries one (live on Android, PCAPdroid
/// captures), otherwise the device's own address in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AppKey {
    /// Android app id (10123); 0 is root, 1000 the system, -1 unknown.
    Uid(i32),
    /// The local (device) address, for inputs without app metadata.
    Addr(IpAddr),
}

impl fmt::Display for AppKey {
    /// The stable id used in reports: `uid:10123` or `addr:10.0.2.16`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppKey::Uid(uid) => write!(f, "uid:{uid}"),
            AppKey::Addr(addr) => write!(f, "addr:{addr}"),
        }
    }
}

/// Names an app is known by, from the capture or the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppInfo {
    /// Android package name, e.g. `com.tencent.mm`.
    pub package: Option<String>,
    /// Human-readable label, e.g. `WeChat`.
    pub name: Option<String>,
}

/// Whether an address belongs to a local network rather than the internet: private, shared
/// (carrier-grade NAT), link-local, loopback, unique-local or unspecified. Used to tell the
/// device's side of a flow when there is no app metadata.
pub fn is_local(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let o = a.octets();
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(a) => {
            let s = a.segments();
            a.is_loopback()
                || a.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ranges() {
        for a in [
            "10.0.2.16",
            "192.168.1.103",
            "100.64.0.1",
            "fe80::1",
            "fd00::1",
            "fec0::3",
        ] {
            assert!(is_local(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "100.128.0.1", "2001:db8::1", "203.205.147.171"] {
            assert!(!is_local(a.parse().unwrap()), "{a}");
        }
        assert_eq!(AppKey::Uid(10123).to_string(), "uid:10123");
        assert_eq!(
            AppKey::Addr("10.0.2.16".parse().unwrap()).to_string(),
            "addr:10.0.2.16"
        );
    }
}
