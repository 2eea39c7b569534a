//! Stop signals (SIGINT, SIGTERM, SIGHUP) delivered to a callback on a thread of their own.

use crate::error::{Error, Result};
use std::io;

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and so in every thread it starts
/// afterwards (call it before starting any), and starts a thread that calls `on_signal` with
/// each one as it arrives. Child processes start with no signal blocked (the standard
/// library resets the mask), so Ctrl-C still reaches a monitored command.
pub fn on_stop_signal(on_signal: impl Fn(i32) + Send + 'static) -> Result<()> {
    let set = stop_set()?;
    // SAFETY: `set` is an initialised signal set; the old mask is not wanted.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    if rc != 0 {
        return Err(Error::Io {
            what: "cannot block stop signals",
            source: io::Error::from_raw_os_error(rc),
        });
    }
    std::thread::Builder::new()
        .name("telltale-signals".into())
        .spawn(move || {
            loop {
                let mut sig = 0;
                // SAFETY: `set` is initialised and `sig` is a valid place for the answer.
                if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
                    on_signal(sig);
                }
            }
        })
        .map_err(|source| Error::Io {
            what: "cannot start the signal thread",
            source,
        })?;
    Ok(())
}

fn stop_set() -> Result<libc::sigset_t> {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigemptyset initialises the set; sigaddset takes valid signal numbers.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(set.as_mut_ptr(), sig);
        }
        Ok(set.assume_init())
    }
}

/// Makes `cmd`'s process start with the stop signals unblocked (the standard library does
/// not always clear the mask [`on_stop_signal`] set) and SIGINT and SIGTERM at their default
/// action (a shell starting a background job may have left them ignored), so that the
/// monitored command stops when told to.
pub fn reset_in_child(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure calls only async-signal-safe functions (sigemptyset, sigaddset,
    // pthread_sigmask, signal) and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
            libc::sigemptyset(set.as_mut_ptr());
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaddset(set.as_mut_ptr(), sig);
            }
            libc::pthread_sigmask(libc::SIG_UNBLOCK, set.as_ptr(), std::ptr::null_mut());
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
}

/// Sends signal `sig` to process `pid` (e.g. forwards a stop signal to the monitored command).
pub fn kill(pid: u32, sig: i32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill has no memory preconditions; a vanished process is harmless.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Raises this process's soft limit on open descriptors to its hard limit (every relayed
/// connection and UDP entry holds a socket); whether it is now the hard limit.
pub fn raise_fd_limit() -> bool {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read or write the struct given, nothing else.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return false;
        }
        let wanted = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        lim.rlim_cur == lim.rlim_max || libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) == 0
    }
}
