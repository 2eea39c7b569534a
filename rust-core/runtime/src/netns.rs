//! Linux network namespaces for `telltale run`, set up with iproute2's `ip` command.
//!
//! The monitored command runs in a namespace of its own whose only interfaces are loopback
//! and the TUN device, with IPv4 and IPv6 default routes into the TUN and a resolv.conf naming
//! the in-TUN resolver (`ip netns exec` bind-mounts `/etc/netns/NAME/resolv.conf` over
//! `/etc/resolv.conf`). The TUN is created in the caller's namespace and moved in; its
//! descriptor stays valid there, so the relay's upstream sockets live outside.

use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Prefix of the namespaces Telltale makes; the creating process id follows.
pub const NAME_PREFIX: &str = "telltale-";

/// Runs `ip ARGS`; an error carries its exit status and standard error.
pub fn ip(args: &[&str]) -> Result<()> {
    let shown = args.join(" ");
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::IpCommand {
            args: shown.clone(),
            why: format!("cannot run ip (is iproute2 installed?): {e}"),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::IpCommand {
            args: shown,
            why: format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        })
    }
}

/// Addresses inside the namespace: the apps' side of the TUN and the in-TUN resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    /// The namespace's IPv4 address on the TUN (a /24 around it goes to the TUN).
    pub v4: Ipv4Addr,
    /// The namespace's IPv6 address on the TUN (a /64).
    pub v6: Ipv6Addr,
    /// The resolver address the namespace's resolv.conf names; routed into the TUN.
    pub dns: IpAddr,
}

impl Default for Addresses {
    fn default() -> Self {
        Addresses {
            v4: Ipv4Addr::new(10, 111, 0, 2),
            v6: Ipv6Addr::new(0xfd74, 0x7400, 0, 0, 0, 0, 0, 2),
            dns: IpAddr::V4(Ipv4Addr::new(10, 111, 0, 53)),
        }
    }
}

/// A network namespace this process made; deleted (with its resolv.conf) when dropped.
#[derive(Debug)]
pub struct Namespace {
    name: String,
    etc_dir: Option<PathBuf>,
}

impl Namespace {
    /// Creates the namespace `telltale-<pid>` after deleting those left by Telltale processes
    /// that no longer run (a process killed with SIGKILL cannot clean up).
    pub fn create() -> Result<Namespace> {
        remove_stale();
        let name = format!("{NAME_PREFIX}{}", std::process::id());
        Self::create_named(&name)
    }

    /// Creates the namespace `name`.
    pub fn create_named(name: &str) -> Result<Namespace> {
        ip(&["netns", "add", name])?;
        Ok(Namespace {
            name: name.to_owned(),
            etc_dir: None,
        })
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Moves the TUN device `tun` into the namespace and configures it: addresses, up, and
    /// default routes for both families. IPv6 is best effort (a host with IPv6 disabled cannot
    /// have it); false when it could not be set up.
    pub fn adopt_tun(&mut self, tun: &str, addrs: &Addresses, mtu: usize) -> Result<bool> {
        let n = self.name.as_str();
        let mtu = mtu.to_string();
        ip(&["link", "set", tun, "netns", n])?;
        ip(&["-n", n, "link", "set", "lo", "up"])?;
        // The kernel's own router solicitations would show in the report as the command's
        // traffic; best effort (IPv6 may be off).
        let _ = Command::new("ip")
            .args(["netns", "exec", n, "sh", "-c"])
            .arg("echo 0 > /proc/sys/net/ipv6/conf/$1/router_solicitations")
            .args(["sh", tun])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        ip(&["-n", n, "link", "set", tun, "mtu", &mtu, "up"])?;
        let v4 = format!("{}/24", addrs.v4);
        ip(&["-n", n, "addr", "add", &v4, "dev", tun])?;
        ip(&["-n", n, "route", "add", "default", "dev", tun])?;
        let v6 = format!("{}/64", addrs.v6);
        let v6_ok = ip(&["-n", n, "-6", "addr", "add", &v6, "dev", tun, "nodad"]).is_ok()
            && ip(&["-n", n, "-6", "route", "add", "default", "dev", tun]).is_ok();
        if let IpAddr::V6(dns) = addrs.dns {
            // The resolver must be routed into the TUN even without an IPv6 default route.
            let _ = ip(&["-n", n, "-6", "route", "add", &dns.to_string(), "dev", tun]);
        }
        Ok(v6_ok)
    }

    /// Writes `/etc/netns/NAME/resolv.conf` naming `dns`, which `ip netns exec` shows the
    /// command as its `/etc/resolv.conf`.
    pub fn set_resolver(&mut self, dns: IpAddr) -> Result<()> {
        let dir = PathBuf::from("/etc/netns").join(&self.name);
        let io = |what| move |source| Error::Io { what, source };
        std::fs::create_dir_all(&dir).map_err(io("cannot create /etc/netns/NAME"))?;
        self.etc_dir = Some(dir.clone());
        std::fs::write(dir.join("resolv.conf"), format!("nameserver {dns}\n"))
            .map_err(io("cannot write /etc/netns/NAME/resolv.conf"))
    }

    /// A command that runs `program args` inside the namespace, as `user` (uid, gid) when
    /// given (through util-linux's `setpriv`, with that user's groups).
    pub fn command(&self, program: &str, args: &[String], user: Option<(u32, u32)>) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name]);
        if let Some((uid, gid)) = user {
            cmd.arg("setpriv")
                .arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--init-groups")
                .arg("--");
        }
        cmd.arg(program).args(args);
        crate::signals::reset_in_child(&mut cmd);
        cmd
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting the namespace also removes the TUN inside it.
        let _ = ip(&["netns", "del", &self.name]);
        if let Some(dir) = self.etc_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Deletes `telltale-<pid>` namespaces whose process is gone.
fn remove_stale() {
    let Ok(entries) = std::fs::read_dir("/run/netns") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(NAME_PREFIX)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !PathBuf::from(format!("/proc/{pid}")).exists() {
            let _ = ip(&["netns", "del", &name]);
            let _ = std::fs::remove_dir_all(PathBuf::from("/etc/netns").join(&name));
        }
    }
}

/// Whether this process runs as root (namespace and TUN setup need it).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_failure_names_the_command() {
        match ip(&["no-such-object"]) {
            Err(Error::IpCommand { args, .. }) => assert_eq!(args, "no-such-object"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn command_drops_privileges_through_setpriv() {
        let ns = Namespace {
            name: "x".into(),
            etc_dir: None,
        };
        let cmd = ns.command("curl", &["-s".into()], Some((1000, 1000)));
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "netns",
                "exec",
                "x",
                "setpriv",
                "--reuid=1000",
                "--regid=1000",
                "--init-groups",
                "--",
                "curl",
                "-s"
            ]
        );
        std::mem::forget(ns);
    }
}
