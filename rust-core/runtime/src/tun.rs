//! The TUN device: opened by name through `/dev/net/tun`, or adopted from a descriptor.

use crate::error::{Error, Result};
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// `TUNSETIFF`: `_IOW('T', 202, int)`.
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const IFF_TUN: libc::c_short = 0x0001;
const IFF_NO_PI: libc::c_short = 0x1000;
/// Longest interface name, without the terminating NUL (`IFNAMSIZ - 1`).
const MAX_NAME: usize = 15;

/// `struct ifreq` as `TUNSETIFF` reads it: the name, then the flags, padded to the union's size.
#[repr(C)]
struct IfReq {
    name: [libc::c_char; 16],
    flags: libc::c_short,
    _pad: [u8; 22],
}

/// A TUN device carrying raw IP packets (no packet-information header), non-blocking.
/// Closes its descriptor when dropped.
#[derive(Debug)]
pub struct Tun {
    fd: OwnedFd,
    name: Option<String>,
}

impl Tun {
    /// Opens the TUN device `name`, creating it when it does not exist (needs `CAP_NET_ADMIN`;
    /// an existing persistent device may also be opened by its owner). An empty name lets the
    /// kernel choose one (`tun0` ...). The device is not configured: addresses, routes and
    /// "up" are the caller's business (e.g. `ip link set NAME up`).
    pub fn open(name: &str) -> Result<Tun> {
        if name.len() > MAX_NAME || name.contains('\0') {
            return Err(Error::TunName(name.to_owned()));
        }
        let tun_err = |source| Error::Tun {
            name: name.to_owned(),
            source,
        };
        let path = CString::new("/dev/net/tun").map_err(|_| Error::TunName(name.to_owned()))?;
        // SAFETY: a valid C string; the result is checked.
        let raw = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
        if raw < 0 {
            return Err(tun_err(io::Error::last_os_error()));
        }
        // SAFETY: `raw` is a descriptor just opened and owned by no one else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut req = IfReq {
            name: [0; 16],
            flags: IFF_TUN | IFF_NO_PI,
            _pad: [0; 22],
        };
        for (dst, src) in req.name.iter_mut().zip(name.bytes()) {
            *dst = src as libc::c_char;
        }
        // SAFETY: TUNSETIFF reads and writes a `struct ifreq`, which `IfReq` lays out.
        let rc = unsafe { libc::ioctl(fd.as_raw_fd(), TUNSETIFF as _, &mut req as *mut IfReq) };
        if rc < 0 {
            return Err(tun_err(io::Error::last_os_error()));
        }
        let actual: Vec<u8> = req
            .name
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| *c as u8)
            .collect();
        let tun = Tun {
            fd,
            name: Some(String::from_utf8_lossy(&actual).into_owned()),
        };
        tun.set_nonblocking().map_err(tun_err)?;
        Ok(tun)
    }

    /// Adopts a TUN descriptor opened elsewhere (Android's `VpnService` hands one over, after
    /// `detachFd()`): it must carry raw IP packets without a packet-information header. The
    /// `Tun` owns it from now on and closes it when dropped; it is made non-blocking.
    pub fn from_fd(fd: OwnedFd) -> Result<Tun> {
        let tun = Tun { fd, name: None };
        tun.set_nonblocking().map_err(|source| Error::Tun {
            name: format!("fd {}", tun.fd.as_raw_fd()),
            source,
        })?;
        Ok(tun)
    }

    /// The interface name, when the device was opened by name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn set_nonblocking(&self) -> io::Result<()> {
        let fd = self.fd.as_raw_fd();
        // SAFETY: fcntl on a descriptor this value owns.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads one packet into `buf`; `WouldBlock` when none is waiting.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for `buf.len()` bytes.
        let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        usize::try_from(n).map_err(|_| io::Error::last_os_error())
    }

    /// Writes one packet.
    pub fn send(&self, packet: &[u8]) -> io::Result<usize> {
        // SAFETY: `packet` is valid for `packet.len()` bytes.
        let n = unsafe { libc::write(self.fd.as_raw_fd(), packet.as_ptr().cast(), packet.len()) };
        usize::try_from(n).map_err(|_| io::Error::last_os_error())
    }
}

impl AsRawFd for Tun {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_long_names() {
        assert!(matches!(
            Tun::open("a-name-far-too-long"),
            Err(Error::TunName(_))
        ));
    }

    #[test]
    fn adopts_a_descriptor_and_reads_nothing() {
        // A pipe stands in for a TUN fd: adoption only needs a descriptor.
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just created and are owned here only.
        let (r, _w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let tun = Tun::from_fd(r).unwrap();
        assert_eq!(tun.name(), None);
        let e = tun.recv(&mut [0; 16]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn opens_a_tun_as_root() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: creating a TUN device needs root");
            return;
        }
        let name = format!("tttest{}", std::process::id() % 100_000);
        match Tun::open(&name) {
            Ok(tun) => assert_eq!(tun.name(), Some(name.as_str())),
            Err(Error::Tun { source, .. }) if source.raw_os_error() == Some(libc::ENOENT) => {
                eprintln!("skipped: no /dev/net/tun");
            }
            Err(e) => panic!("{e}"),
        }
    }
}
