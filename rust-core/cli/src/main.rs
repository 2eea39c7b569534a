//! The `telltale` command: analyse captures for what apps expose and send to Tencent.

mod analyze;
mod progress;
mod run;
mod signatures;
mod text;

use std::process::ExitCode;

const USAGE: &str = "\
telltale: see what apps send to Tencent, and what the network can read

Usage:
  telltale analyze [OPTIONS] FILE     analyse a pcap or pcapng capture
  telltale run [OPTIONS] -- CMD ARGS...
                                      run CMD in a network namespace of its own and
                                      monitor all its traffic live (root; needs iproute2)
  telltale monitor --tun NAME [OPTIONS]
                                      monitor what is routed into the TUN device NAME
                                      until Ctrl-C (root)
  telltale signatures check           check the signature data (exit 1 on errors)
  telltale signatures list            services per vendor, with their rule counts
  telltale signatures lookup NAME|ADDRESS...
                                      which rule names a host or address, and why
  telltale signatures stats           how much data there is, per vendor
  telltale --version

Options for analyze:
  --json[=OUT]          the exposure report as JSON (to OUT, or standard output)
  --flows[=OUT]         every flow as a JSON line (NDJSON), as flows end
  --signatures DIR      use the signature files in DIR instead of the built-in set
  --extra-signatures DIR
                        lay the signature files in DIR over the built-in set: their
                        entries are added, and replace built-in ones with the same key
  --show-identifiers    show identifiers (query values ...) in full instead of masked
  --max-flows N         flows tracked at once (default 131072)
  --no-progress         no progress bar on standard error

Without --json or --flows, a readable summary goes to standard output.

Options for run and monitor:
  --pcap FILE           also write every packet as pcapng, with the app of each
  --json FILE           the exposure report as JSON
  --dns ADDR:PORT       the resolver the apps' DNS goes to (default: the first
                        nameserver of /etc/resolv.conf); for monitor, DNS sent to
                        10.111.0.53 is forwarded only when this is given
  --signatures DIR, --extra-signatures DIR, --show-identifiers (as for analyze)

The readable summary goes to standard error when the command ends (or on Ctrl-C);
run exits with the command's status.

Options for signatures: --signatures DIR, --extra-signatures DIR (as for analyze) and
--json (the answer as one JSON object).

Exit status: 0 done, 2 bad input or usage (a signature file that does not load), 1 any
other failure (for signatures check: errors found).
";

/// Failures the command reports: a usage or input problem (exit 2) or anything else (exit 1).
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments, or an input that is not what it should be.
    Input(anyhow::Error),
    /// Anything else (writing output ...).
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Other(e.into())
    }
}

fn main() -> ExitCode {
    let mut args = lexopt::Parser::from_env();
    let done = |r: Result<(), Failure>| r.map(|()| ExitCode::SUCCESS);
    let result = match args.next() {
        Ok(Some(lexopt::Arg::Value(cmd))) if cmd == "analyze" || cmd == "analyse" => {
            done(analyze::run(args))
        }
        Ok(Some(lexopt::Arg::Value(cmd))) if cmd == "signatures" => done(signatures::run(args)),
        Ok(Some(lexopt::Arg::Value(cmd))) if cmd == "run" => run::run(args),
        Ok(Some(lexopt::Arg::Value(cmd))) if cmd == "monitor" => run::monitor(args),
        Ok(Some(lexopt::Arg::Long("version"))) => {
            println!("telltale {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Ok(Some(lexopt::Arg::Long("help") | lexopt::Arg::Short('h'))) => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Some(other)) => Err(Failure::Input(anyhow::anyhow!(
            "unknown command {}; try telltale --help",
            match other {
                lexopt::Arg::Value(v) => v.to_string_lossy().into_owned(),
                lexopt::Arg::Long(l) => format!("--{l}"),
                lexopt::Arg::Short(s) => format!("-{s}"),
            }
        ))),
        Ok(None) => Err(Failure::Input(anyhow::anyhow!(
            "no command given\n\n{USAGE}"
        ))),
        Err(e) => Err(Failure::Input(e.into())),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Input(e)) => {
            eprintln!("telltale: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("telltale: {e:#}");
            ExitCode::from(1)
        }
    }
}
