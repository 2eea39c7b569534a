//! The third-party captures in `../shared/captures` (never copied into this repository) through
//! `telltale analyze`: every one is read without a failure, and what Telltale extracts is checked
//! against two independent readings of the same files, tshark's (names) and nDPI's (JA3).
//! Skipped, with a message, where the captures are not present. `TELLTALE_CAPTURES` points
//! elsewhere.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_telltale");

/// Names tshark reads that Telltale does not, each with the reason.
const KNOWN_MISSING_NAMES: &[(&str, &str, &str)] = &[(
    "quic_0RTT.pcap",
    "abcd",
    "QUIC draft 28, whose Initial keys rustls does not derive",
)];

fn root() -> Option<PathBuf> {
    let dir = std::env::var_os("TELLTALE_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures"));
    if dir.join("reference.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: no third-party captures at {}", dir.display());
        None
    }
}

/// Every capture with the folder holding its derived files.
fn captures(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let mut add = |dir: PathBuf, derived: PathBuf| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
        files.sort();
        out.extend(files.into_iter().map(|f| (f, derived.clone())));
    };
    add(root.join("ndpi/pcap"), root.join("ndpi/derived"));
    if let Ok(others) = std::fs::read_dir(root.join("other")) {
        for d in others.flatten() {
            add(d.path(), d.path().join("derived"));
        }
    }
    out
}

fn flows(capture: &Path) -> (i32, String, Vec<Value>) {
    let out = Command::new(BIN)
        .args(["analyze", "--flows", "--no-progress"])
        .arg(capture)
        .output()
        .expect("run telltale");
    let records = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON line"))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        records,
    )
}

fn name(capture: &Path) -> String {
    capture.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_capture_is_analysed() {
    let Some(root) = root() else { return };
    let all = captures(&root);
    assert!(all.len() >= 38, "found only {} captures", all.len());
    for (capture, _) in all {
        let (code, stderr, records) = flows(&capture);
        assert_eq!(code, 0, "{}: {stderr}", capture.display());
        let ids: BTreeSet<u64> = records.iter().map(|r| r["id"].as_u64().unwrap()).collect();
        assert_eq!(
            ids.len(),
            records.len(),
            "{}: duplicate flow ids",
            capture.display()
        );
        if name(&capture) == "fuzz-2021-10-13.pcap" {
            // tshark also stops here: the file is cut short in its second record.
            assert!(
                stderr.contains("at byte 237: file ends inside a record"),
                "{stderr}"
            );
        } else {
            assert_eq!(stderr, "", "{}", capture.display());
        }
    }
}

/// DNS query names, TLS and QUIC server names and HTTP hosts that tshark found in a capture
/// (`<capture>.tshark_names.psv`, see the captures README), by kind.
fn tshark_names(psv: &Path) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut names: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let text = std::fs::read_to_string(psv).unwrap_or_default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('|').collect();
        let field = |i: usize| f.get(i).copied().unwrap_or("");
        let mut add = |kind, value: &str, strip_port: bool| {
            for v in value.split(',').filter(|v| !v.is_empty()) {
                let v = if strip_port {
                    v.split(':').next().unwrap_or(v)
                } else {
                    v
                };
                names
                    .entry(kind)
                    .or_default()
                    .insert(v.to_ascii_lowercase());
            }
        };
        if field(14) == "0" {
            add("dns", field(15), false);
        }
        add(
            if field(12).is_empty() { "tls" } else { "quic" },
            field(11),
            false,
        );
        add("http", field(16), true);
    }
    names
}

fn our_names(records: &[Value]) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut names: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for r in records {
        for q in r["dns"].as_array().into_iter().flatten() {
            names
                .entry("dns")
                .or_default()
                .insert(q["name"].as_str().unwrap().to_owned());
        }
        if let Some(sni) = r["tls"]["sni"].as_str() {
            let kind = if r["tls"]["transport"] == "quic" {
                "quic"
            } else {
                "tls"
            };
            names
                .entry(kind)
                .or_default()
                .insert(sni.to_ascii_lowercase());
        }
        for h in r["http"].as_array().into_iter().flatten() {
            if let Some(host) = h["host"].as_str() {
                names.entry("http").or_default().insert(host.to_owned());
            }
        }
    }
    names
}

#[test]
fn names_agree_with_tshark() {
    let Some(root) = root() else { return };
    for (capture, derived) in captures(&root) {
        let theirs = tshark_names(&derived.join(format!("{}.tshark_names.psv", name(&capture))));
        let (_, _, records) = flows(&capture);
        let ours = our_names(&records);
        for (kind, names) in theirs {
            for n in names {
                let known = KNOWN_MISSING_NAMES
                    .iter()
                    .any(|(c, k, _)| *c == name(&capture) && *k == n);
                let found = ours.get(kind).is_some_and(|o| o.contains(&n));
                assert!(
                    found || known,
                    "{}: tshark reads {kind} name {n:?}, Telltale does not",
                    capture.display()
                );
                assert!(
                    !(found && known),
                    "{}: {n:?} is listed as missing but was found",
                    capture.display()
                );
            }
        }
    }
}

#[test]
fn ja3_agrees_with_ndpi() {
    let Some(root) = root() else { return };
    let mut compared = 0;
    for (capture, _) in captures(&root) {
        let out = root
            .join("ndpi/result")
            .join(format!("{}.out", name(&capture)));
        let Ok(text) = std::fs::read_to_string(&out) else {
            continue;
        };
        // nDPI prints one flow a line: "<n>\tTCP a:p <-> b:p [...][JA3C: <md5>]...".
        let theirs: BTreeSet<String> = text
            .lines()
            .filter(|l| l.split_whitespace().nth(1) == Some("TCP"))
            .filter_map(|l| l.split("[JA3C: ").nth(1))
            .filter_map(|rest| rest.split(']').next())
            .map(|h| h.trim().to_owned())
            .collect();
        if theirs.is_empty() {
            continue;
        }
        let (_, _, records) = flows(&capture);
        let ours: BTreeSet<String> = records
            .iter()
            .filter_map(|r| r["tls"]["ja3"].as_str().map(str::to_owned))
            .collect();
        for h in &theirs {
            assert!(
                ours.contains(h),
                "{}: nDPI's JA3 {h} not found; ours: {ours:?}",
                capture.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} JA3 values compared");
}
