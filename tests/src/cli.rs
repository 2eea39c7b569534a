//! Running the `telltale` binary from end-to-end tests and reading its JSON.

use crate::{Capture, Scratch};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// Exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs the binary `bin` with `args`.
pub fn run<I, S>(bin: &str, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(bin).args(args).output().expect("run telltale");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The JSON report of a file; the run must succeed.
pub fn report_of(bin: &str, path: &Path, extra: &[&str]) -> Value {
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["analyze".as_ref(), "--json".as_ref(), path.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let run = run(bin, args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("report is JSON")
}

/// The JSON report of a capture, written as pcapng.
pub fn report(bin: &str, c: &Capture) -> Value {
    let dir = Scratch::new("report");
    report_of(bin, &dir.file("c.pcapng", &c.pcapng_bytes()), &[])
}

/// The flow records of a capture.
pub fn flows(bin: &str, c: &Capture, extra: &[&str]) -> Vec<Value> {
    let dir = Scratch::new("flows");
    let path = dir.file("c.pcapng", &c.pcapng_bytes());
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["analyze".as_ref(), "--flows".as_ref(), path.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let run = run(bin, args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON line"))
        .collect()
}

/// The app with this id in a report.
pub fn app<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["apps"]
        .as_array()
        .and_then(|apps| apps.iter().find(|a| a["id"] == id))
        .unwrap_or_else(|| panic!("no app {id} in {r:#}"))
}

/// The findings of `kind` of an app or a flow record.
pub fn findings_of<'a>(v: &'a Value, kind: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// The first finding of `kind` of an app or a flow record.
pub fn finding<'a>(v: &'a Value, kind: &str) -> &'a Value {
    findings_of(v, kind)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no {kind} finding in {v:#}"))
}

/// One evidence field of every finding of `kind` of an app or a flow record.
pub fn evidence<'a>(v: &'a Value, kind: &str, field: &str) -> BTreeSet<&'a str> {
    findings_of(v, kind)
        .iter()
        .map(|f| f["evidence"][field].as_str().expect("evidence field"))
        .collect()
}

/// (kind, severity, service or "-") of every finding of an app.
pub fn kinds(app: &Value) -> BTreeSet<(String, String, String)> {
    app["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["service"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

/// A set of (kind, severity, service) triples for comparisons.
pub fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// The only app of a one-device capture.
pub fn only_app(r: &Value) -> &Value {
    let apps = r["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1, "{r:#}");
    &apps[0]
}

/// (id, connections, lookups, basis) of every service an app reached or looked up.
pub fn services(app: &Value) -> Vec<(String, u64, u64, Vec<String>)> {
    app["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["services"].as_array().unwrap().iter())
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["connections"].as_u64().unwrap(),
                s["lookups"].as_u64().unwrap(),
                s["basis"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}
