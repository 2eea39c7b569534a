//! The monitor without JNI: one relay at a time on a background thread, its report and
//! capture exported to descriptors. The JNI layer in `lib.rs` is a thin shell over this.

use crate::config::Config;
use crate::error::{BridgeError, Result, panic_message};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use telltale_capture::{PcapngWriter, WriterOptions};
use telltale_engine::{Engine, Report};
use telltale_runtime::{
    Capture, DnsForward, Hooks, Relay, ReportHandle, Settings, StopHandle, Tun,
};

/// How long `snapshot` waits for the relay's answer.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(5);

/// Takes ownership of a descriptor handed over by Java (after `ParcelFileDescriptor.detachFd()`):
/// from here on Rust closes it, also when the call fails. Negative or closed numbers are refused.
pub fn adopt_fd(fd: RawFd, what: &'static str) -> Result<OwnedFd> {
    // SAFETY: F_GETFD only reads the descriptor's flags; it fails for a number that is not open.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(BridgeError::BadFd { what, fd });
    }
    // SAFETY: the descriptor is open, and Java detached it: nothing else owns or closes it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The capture file, shared between the relay (appending whole blocks) and exports.
#[derive(Clone)]
pub struct CaptureFile {
    path: PathBuf,
    out: Arc<Mutex<BufWriter<File>>>,
}

/// The relay's end of a [`CaptureFile`]: every `write` is one whole pcapng block
/// ([`PcapngWriter`] writes each block with one call when the sink takes it all), so a flush
/// under the lock always ends at a block boundary.
struct CaptureSink(Arc<Mutex<BufWriter<File>>>);

impl Write for CaptureSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        lock(&self.0).flush()
    }
}

/// Locks `m`, taking the data of a lock poisoned by a panic (the data stays consistent: every
/// critical section here is a single write or read).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl CaptureFile {
    fn create(path: PathBuf) -> Result<(CaptureFile, Capture)> {
        let io = |source| BridgeError::Io {
            what: "cannot create the capture file",
            source,
        };
        let file = telltale_runtime::create_private(&path).map_err(io)?;
        let out = Arc::new(Mutex::new(BufWriter::new(file)));
        let sink: Box<dyn Write + Send> = Box::new(CaptureSink(Arc::clone(&out)));
        let options = WriterOptions {
            interface_name: Some("tun".to_owned()),
            ..WriterOptions::default()
        };
        let writer = PcapngWriter::new(sink, options).map_err(|e| BridgeError::Io {
            what: "cannot write the capture header",
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok((CaptureFile { path, out }, writer))
    }

    /// Writes the capture as of now (whole blocks; the last run's when stopped) to `fd`, which
    /// is then closed.
    pub fn export(&self, fd: OwnedFd) -> Result<()> {
        let mut out = File::from(fd);
        let io = |what| move |source| BridgeError::Io { what, source };
        let len = {
            let mut w = lock(&self.out);
            w.flush().map_err(io("cannot flush the capture"))?;
            w.get_mut()
                .stream_position()
                .map_err(io("cannot read the capture"))?
        };
        let mut file = File::open(&self.path).map_err(io("cannot open the capture"))?;
        file.seek(SeekFrom::Start(0))
            .map_err(io("cannot read the capture"))?;
        std::io::copy(&mut file.take(len), &mut out).map_err(io("cannot write the capture"))?;
        Ok(())
    }
}

/// A relay running on its thread.
struct Running {
    stop: StopHandle,
    reports: ReportHandle,
    thread: JoinHandle<std::result::Result<Report, String>>,
}

/// The monitor: at most one relay at a time, and what the last one left.
#[derive(Default)]
pub struct Monitor {
    running: Option<Running>,
    /// The final report of the last relay that ended.
    last: Option<Report>,
    /// Why the last relay's thread failed (a panic), if it did.
    last_failure: Option<String>,
    capture: Option<CaptureFile>,
}

impl Monitor {
    /// An idle monitor.
    pub fn new() -> Monitor {
        Monitor::default()
    }

    /// Whether a relay runs.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts a relay over `tun` on a background thread. The TUN descriptor is owned (and
    /// closed when the relay ends) whether or not this succeeds.
    pub fn start(&mut self, tun: OwnedFd, config: &Config, hooks: Hooks) -> Result<()> {
        if self.running.is_some() {
            return Err(BridgeError::AlreadyRunning);
        }
        let tun = Tun::from_fd(tun)?;
        let sigs = telltale_engine::Signatures::builtin()
            .map_err(|e| BridgeError::Signatures(e.to_string()))?;
        let engine_config = telltale_engine::Config {
            show_identifiers: config.show_identifiers,
            ..telltale_engine::Config::default()
        };
        let engine = Engine::new(engine_config, Arc::new(sigs));
        let mut settings = Settings {
            dns: config.dns.as_ref().map(|d| DnsForward {
                listen: d.listen,
                upstream: d.upstream,
            }),
            ..Settings::default()
        };
        if let Some(mtu) = config.mtu {
            settings.netstack.mtu = mtu;
        }
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        settings.netstack.random_seed = seed ^ u64::from(std::process::id()).rotate_left(32);
        let (capture_file, capture) = match &config.capture_path {
            Some(path) => {
                let (file, writer) = CaptureFile::create(path.clone())?;
                (Some(file), Some(writer))
            }
            None => (None, None),
        };
        let relay = Relay::new(tun, settings, engine, hooks, capture)?;
        let stop = relay.stop_handle();
        let reports = relay.report_handle();
        let thread = std::thread::Builder::new()
            .name("telltale-relay".into())
            .spawn(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| relay.run()))
                    .map(|outcome| outcome.report)
                    .map_err(|p| panic_message(p.as_ref()))
            })
            .map_err(|source| BridgeError::Io {
                what: "cannot start the relay thread",
                source,
            })?;
        self.running = Some(Running {
            stop,
            reports,
            thread,
        });
        self.capture = capture_file;
        self.last = None;
        self.last_failure = None;
        Ok(())
    }

    /// Stops the relay and waits for its thread; harmless when none runs.
    pub fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop.stop();
            match r.thread.join() {
                Ok(Ok(report)) => self.last = Some(report),
                Ok(Err(why)) => self.last_failure = Some(why),
                Err(p) => self.last_failure = Some(panic_message(p.as_ref())),
            }
        }
    }

    /// Where the report comes from now: the running relay, else the last run's final report
    /// (or why its thread failed). A relay that ended on its own (its TUN closed, a panic) is
    /// reaped first, so its outcome is reported rather than a timeout. Cheap: the caller can
    /// wait for the report after letting go of the monitor.
    pub fn report_source(&mut self) -> Result<ReportSource> {
        if self
            .running
            .as_ref()
            .is_some_and(|r| r.thread.is_finished())
        {
            self.stop();
        }
        match (&self.running, &self.last, &self.last_failure) {
            (Some(r), _, _) => Ok(ReportSource::Live(r.reports.clone())),
            (None, Some(report), _) => Ok(ReportSource::Final(Box::new(report.clone()))),
            (None, None, Some(why)) => Err(BridgeError::Panic(why.clone())),
            (None, None, None) => Err(BridgeError::NotStarted),
        }
    }

    /// The capture file of the running or last relay, for an export.
    pub fn capture(&self) -> Result<CaptureFile> {
        self.capture.clone().ok_or(BridgeError::NoCapture)
    }
}

/// A report to come: asked of the running relay, or the final one of a finished run.
pub enum ReportSource {
    /// The running relay, asked through its handle.
    Live(ReportHandle),
    /// A finished run's final report.
    Final(Box<Report>),
}

impl ReportSource {
    /// The report: a running relay's as of now (waiting up to [`SNAPSHOT_WAIT`]).
    pub fn report(self) -> Result<Report> {
        match self {
            ReportSource::Live(handle) => {
                handle.snapshot(SNAPSHOT_WAIT).ok_or(BridgeError::Timeout)
            }
            ReportSource::Final(report) => Ok(*report),
        }
    }

    /// The report as JSON, the schema of `telltale analyze --json`.
    pub fn json(self) -> Result<String> {
        Ok(serde_json::to_string(&self.report()?)?)
    }

    /// Writes the report JSON (and a newline) to `fd`, which is then closed.
    pub fn export_json(self, fd: OwnedFd) -> Result<()> {
        let json = self.json()?;
        let mut out = File::from(fd);
        out.write_all(json.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(|source| BridgeError::Io {
                what: "cannot write the report",
                source,
            })
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use telltale_runtime::{ConstUid, FixedAppInfo, NoProtect};

    fn hooks() -> Hooks {
        Hooks {
            protector: Box::new(NoProtect),
            uids: Box::new(ConstUid(10123)),
            apps: Box::new(FixedAppInfo {
                package: "com.example.app".into(),
                name: "Example".into(),
            }),
        }
    }

    fn pair(kind: libc::c_int) -> (OwnedFd, OwnedFd) {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two descriptors.
        assert_eq!(
            unsafe { libc::socketpair(libc::AF_UNIX, kind, 0, fds.as_mut_ptr()) },
            0
        );
        // SAFETY: both were just created and are owned here only.
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
    }

    #[test]
    fn refuses_bad_descriptors() {
        assert!(matches!(adopt_fd(-1, "x"), Err(BridgeError::BadFd { .. })));
        assert!(matches!(
            adopt_fd(999_999, "x"),
            Err(BridgeError::BadFd { .. })
        ));
    }

    #[test]
    fn lifecycle_reports_and_exports() {
        let mut m = Monitor::new();
        assert!(matches!(m.report_source(), Err(BridgeError::NotStarted)));
        m.stop();
        let dir = std::env::temp_dir().join(format!("tt-android-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = Config {
            capture_path: Some(dir.join("c.pcapng")),
            ..Config::default()
        };
        let (_ours, theirs) = pair(libc::SOCK_DGRAM);
        m.start(theirs, &config, hooks()).unwrap();
        let (_o2, t2) = pair(libc::SOCK_DGRAM);
        assert!(matches!(
            m.start(t2, &config, hooks()),
            Err(BridgeError::AlreadyRunning)
        ));
        let json = m.report_source().unwrap().json().unwrap();
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["totals"]["packets"], 0);
        let (r, w) = pair(libc::SOCK_STREAM);
        m.capture().unwrap().export(w).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut File::from(r), &mut bytes).unwrap();
        assert_eq!(
            bytes.get(..4),
            Some(&[0x0a, 0x0d, 0x0d, 0x0a][..]),
            "a pcapng SHB"
        );
        m.stop();
        assert!(!m.is_running());
        let (r2, w2) = pair(libc::SOCK_STREAM);
        m.report_source().unwrap().export_json(w2).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut File::from(r2), &mut text).unwrap();
        assert!(text.ends_with("}\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A uid resolver that panics, as a bug on the relay thread would.
    struct PanickingUids;

    impl telltale_runtime::UidResolver for PanickingUids {
        fn uid(&mut self, _flow: &telltale_runtime::FlowTuple) -> Option<i32> {
            panic!("uid resolver exploded");
        }
    }

    #[test]
    fn a_panic_on_the_relay_thread_is_reported_not_raised() {
        let mut m = Monitor::new();
        let (ours, theirs) = pair(libc::SOCK_DGRAM);
        let panicking = Hooks {
            uids: Box::new(PanickingUids),
            ..hooks()
        };
        m.start(theirs, &Config::default(), panicking).unwrap();
        // IPv4 UDP 10.0.0.2:1234 -> 192.0.2.1:53: the tap asks for its uid.
        let mut packet = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 192, 0, 2, 1,
        ];
        packet.extend_from_slice(&[0x04, 0xd2, 0, 53, 0, 8, 0, 0]);
        // SAFETY: `packet` is valid for its length; `ours` is an open descriptor.
        let n = unsafe { libc::write(ours.as_raw_fd(), packet.as_ptr().cast(), packet.len()) };
        assert_eq!(n, 28);
        let mut outcome = None;
        for _ in 0..500 {
            match m.report_source() {
                Ok(_) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => {
                    outcome = Some(e);
                    break;
                }
            }
        }
        let e = outcome.expect("the relay thread ended");
        assert!(!m.is_running());
        assert_eq!(
            e.to_string(),
            "internal error (panic): uid resolver exploded"
        );
        // The monitor stays usable.
        let (_o2, t2) = pair(libc::SOCK_DGRAM);
        m.start(t2, &Config::default(), hooks()).unwrap();
        m.stop();
        assert!(matches!(m.report_source(), Ok(ReportSource::Final(_))));
    }
}
