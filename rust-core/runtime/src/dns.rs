//! The host's resolver, for forwarding the apps' DNS.

use std::net::{IpAddr, SocketAddr};

/// The first `nameserver` in resolv.conf text, on port 53. Scoped IPv6 addresses (`%eth0`)
/// are skipped: a scope names an interface of the host, which a socket address here cannot.
pub fn first_nameserver(resolv_conf: &str) -> Option<SocketAddr> {
    resolv_conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next()? != "nameserver" {
            return None;
        }
        let ip: IpAddr = words.next()?.parse().ok()?;
        Some(SocketAddr::new(ip, 53))
    })
}

/// The first `nameserver` of `/etc/resolv.conf`, if it can be read and has one.
pub fn host_resolver() -> Option<SocketAddr> {
    first_nameserver(&std::fs::read_to_string("/etc/resolv.conf").ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_usable_nameserver() {
        let text = "# c\nsearch x\nnameserver fe80::1%eth0\nnameserver 10.0.0.53\nnameserver ::1\n";
        assert_eq!(first_nameserver(text), "10.0.0.53:53".parse().ok());
        assert_eq!(first_nameserver("nameserver\n"), None);
        assert_eq!(first_nameserver("nameserver ::1"), "[::1]:53".parse().ok());
    }
}
