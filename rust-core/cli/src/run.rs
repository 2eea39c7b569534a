//! `telltale run -- CMD` and `telltale monitor --tun NAME`: live monitoring through a TUN
//! device, the report out when it ends.

use crate::Failure;
use crate::signatures::SetChoice;
use anyhow::{Context, anyhow};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};
use telltale_capture::{PcapngWriter, WriterOptions};
use telltale_engine::{Config, Engine};
use telltale_runtime::create_private;
use telltale_runtime::netns::{Addresses, Namespace};
use telltale_runtime::{
    Capture, ConstUid, DnsForward, FixedAppInfo, Hooks, NoProtect, Outcome, Relay, Settings, Tun,
};

/// How long the command gets to end after a forwarded stop signal before it is killed.
const GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
struct Options {
    pcap: Option<PathBuf>,
    json: Option<PathBuf>,
    signatures: SetChoice,
    show_identifiers: bool,
    tun: Option<String>,
    dns: Option<std::net::SocketAddr>,
    command: Vec<String>,
}

fn parse(mut args: lexopt::Parser, monitor: bool) -> Result<Options, lexopt::Error> {
    use lexopt::Arg::{Long, Value};
    use lexopt::ValueExt;
    let mut o = Options::default();
    while let Some(arg) = args.next()? {
        match arg {
            Long("pcap") => o.pcap = Some(args.value()?.into()),
            Long("json") => o.json = Some(args.value()?.into()),
            Long("signatures") => o.signatures.replace = Some(args.value()?.into()),
            Long("extra-signatures") => o.signatures.extra = Some(args.value()?.into()),
            Long("show-identifiers") => o.show_identifiers = true,
            Long("dns") => o.dns = Some(args.value()?.parse()?),
            Long("tun") if monitor => o.tun = Some(args.value()?.string()?),
            Value(v) if !monitor => {
                o.command.push(v.string()?);
                for rest in args.raw_args()? {
                    o.command.push(rest.string()?);
                }
            }
            other => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

fn capture(path: &Path, interface: &str) -> Result<Capture, Failure> {
    let file = create_private(path).with_context(|| format!("cannot create {}", path.display()))?;
    let out: Box<dyn Write + Send> = Box::new(BufWriter::new(file));
    let options = WriterOptions {
        interface_name: Some(interface.to_owned()),
        ..WriterOptions::default()
    };
    PcapngWriter::new(out, options)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(Failure::Other)
}

fn engine(o: &Options) -> Result<Engine, Failure> {
    let sigs = o.signatures.load()?;
    let config = Config {
        show_identifiers: o.show_identifiers,
        ..Config::default()
    };
    Ok(Engine::new(config, Arc::new(sigs)))
}

fn settings(dns: Option<DnsForward>) -> Settings {
    let mut s = Settings {
        dns,
        ..Settings::default()
    };
    // Initial sequence numbers need not be secret here, only different from run to run.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    s.netstack.random_seed = seed ^ u64::from(std::process::id()).rotate_left(32);
    s
}

/// The user the command runs as: the one who called sudo, when that is how we were started.
fn sudo_user() -> Option<(u32, u32)> {
    let uid = std::env::var("SUDO_UID").ok()?.parse().ok()?;
    let gid = std::env::var("SUDO_GID").ok()?.parse().ok()?;
    (uid != 0).then_some((uid, gid))
}

/// Writes the outputs of a finished run: JSON when asked, and the readable summary on
/// standard error (standard output belongs to the monitored command).
fn outputs(o: &Options, outcome: &Outcome) -> Result<(), Failure> {
    if let Some(e) = &outcome.loop_error {
        eprintln!("telltale: warning: the relay stopped early: {e}");
    }
    if let Some(e) = &outcome.capture_error {
        eprintln!("telltale: warning: the capture stopped early: {e}");
    }
    if let Some(path) = &o.json {
        let file =
            create_private(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = BufWriter::new(file);
        serde_json::to_writer(&mut w, &outcome.report).context("cannot write the report")?;
        w.write_all(b"\n")
            .and_then(|()| w.flush())
            .context("cannot write the report")?;
    }
    let mut w = BufWriter::new(std::io::stderr().lock());
    crate::text::render(&outcome.report, &mut w).context("cannot write the summary")?;
    w.flush().context("cannot write the summary")?;
    Ok(())
}

fn need_root(what: &str) -> Result<(), Failure> {
    if telltale_runtime::netns::is_root() {
        Ok(())
    } else {
        Err(Failure::Input(anyhow!(
            "telltale {what} needs root (network namespace and TUN device); try sudo"
        )))
    }
}

/// Runs `telltale run`: CMD in a network namespace whose only way out is the relay.
pub fn run(args: lexopt::Parser) -> Result<ExitCode, Failure> {
    let o = parse(args, false).map_err(|e| Failure::Input(e.into()))?;
    let Some(program) = o.command.first().cloned() else {
        return Err(Failure::Input(anyhow!(
            "run needs a command: telltale run [OPTIONS] -- CMD ARGS..."
        )));
    };
    need_root("run")?;
    let engine = engine(&o)?;
    telltale_runtime::signals::raise_fd_limit();
    // Signals are blocked before any thread starts, so that only the signal thread gets them.
    let signal = Arc::new(AtomicI32::new(0));
    let seen = Arc::clone(&signal);
    telltale_runtime::signals::on_stop_signal(move |sig| seen.store(sig, Ordering::SeqCst))?;

    let addrs = Addresses::default();
    let mut ns = Namespace::create()?;
    let tun_name = format!("tt{}", std::process::id());
    let tun = Tun::open(&tun_name)?;
    let v6 = ns.adopt_tun(&tun_name, &addrs, Settings::default().netstack.mtu)?;
    if !v6 {
        eprintln!("telltale: warning: no IPv6 in the namespace (IPv6 disabled on this host?)");
    }
    let upstream = o.dns.or_else(telltale_runtime::host_resolver);
    let dns = match upstream {
        Some(upstream) => {
            ns.set_resolver(addrs.dns)?;
            Some(DnsForward {
                listen: addrs.dns,
                upstream,
            })
        }
        None => {
            eprintln!("telltale: warning: no resolver found in /etc/resolv.conf; DNS will fail");
            None
        }
    };
    let capture = o
        .pcap
        .as_deref()
        .map(|p| capture(p, &tun_name))
        .transpose()?;
    let user = sudo_user();
    let uid = user.map_or(0, |(u, _)| i32::try_from(u).unwrap_or(-1));
    let base = Path::new(&program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.clone());
    let hooks = Hooks {
        protector: Box::new(NoProtect),
        uids: Box::new(ConstUid(uid)),
        apps: Box::new(FixedAppInfo {
            package: base,
            name: o.command.join(" "),
        }),
    };
    let relay = Relay::new(tun, settings(dns), engine, hooks, capture)?;
    let stop = relay.stop_handle();
    let relay = std::thread::Builder::new()
        .name("telltale-relay".into())
        .spawn(move || relay.run())
        .context("cannot start the relay thread")?;

    let args = o.command.get(1..).unwrap_or(&[]);
    let status = match ns.command(&program, args, user).spawn() {
        Ok(mut child) => Some(wait(&mut child, &signal)),
        Err(e) => {
            eprintln!("telltale: cannot run {program}: {e}");
            None
        }
    };
    stop.stop();
    let outcome = relay
        .join()
        .map_err(|_| anyhow!("the relay thread panicked"))?;
    drop(ns);
    outputs(&o, &outcome)?;
    Ok(match status {
        Some(code) => ExitCode::from(code),
        None => ExitCode::from(127),
    })
}

/// Waits for the command, forwarding stop signals; its exit code (128 + signal when killed).
fn wait(child: &mut std::process::Child, signal: &AtomicI32) -> u8 {
    let mut kill_at: Option<Instant> = None;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                use std::os::unix::process::ExitStatusExt;
                return match (status.code(), status.signal()) {
                    (Some(c), _) => u8::try_from(c).unwrap_or(1),
                    (None, Some(s)) => u8::try_from(128 + s).unwrap_or(1),
                    _ => 1,
                };
            }
            Ok(None) => {}
            Err(_) => return 1,
        }
        let sig = signal.swap(0, Ordering::SeqCst);
        if sig != 0 {
            telltale_runtime::signals::kill(child.id(), sig);
            kill_at.get_or_insert(Instant::now() + GRACE);
        }
        if kill_at.is_some_and(|t| Instant::now() >= t) {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `telltale monitor --tun NAME`: relays an existing TUN device until a stop signal.
pub fn monitor(args: lexopt::Parser) -> Result<ExitCode, Failure> {
    let o = parse(args, true).map_err(|e| Failure::Input(e.into()))?;
    let Some(name) = o.tun.clone() else {
        return Err(Failure::Input(anyhow!("monitor needs --tun NAME")));
    };
    let engine = engine(&o)?;
    telltale_runtime::signals::raise_fd_limit();
    let signal = Arc::new(AtomicI32::new(0));
    let stop_slot: Arc<std::sync::Mutex<Option<telltale_runtime::StopHandle>>> = Arc::default();
    let slot = Arc::clone(&stop_slot);
    let seen = Arc::clone(&signal);
    telltale_runtime::signals::on_stop_signal(move |sig| {
        seen.store(sig, Ordering::SeqCst);
        if let Ok(guard) = slot.lock()
            && let Some(stop) = guard.as_ref()
        {
            stop.stop();
        }
    })?;
    let tun = Tun::open(&name).map_err(|e| Failure::Input(e.into()))?;
    let dns = o.dns.map(|upstream| DnsForward {
        listen: Addresses::default().dns,
        upstream,
    });
    let capture = o.pcap.as_deref().map(|p| capture(p, &name)).transpose()?;
    let hooks = Hooks {
        protector: Box::new(NoProtect),
        uids: Box::new(ConstUid(0)),
        apps: Box::new(FixedAppInfo {
            package: name.clone(),
            name: format!("traffic through {name}"),
        }),
    };
    let relay = Relay::new(tun, settings(dns), engine, hooks, capture)?;
    if let Ok(mut guard) = stop_slot.lock() {
        *guard = Some(relay.stop_handle());
    }
    // A signal that came before the handle was stored.
    if signal.load(Ordering::SeqCst) != 0 {
        relay.stop_handle().stop();
    }
    let outcome = relay.run();
    outputs(&o, &outcome)?;
    Ok(ExitCode::SUCCESS)
}
