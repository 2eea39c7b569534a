//! `telltale signatures`: check, list, look up and count the signature data, and the loading of
//! a set (built-in, replaced by a directory, or with a directory laid over it) that `analyze`
//! shares.

use crate::Failure;
use anyhow::{Context, anyhow};
use serde_json::{Value, json};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use telltale_engine::signatures::{
    Layer, Level, NameMatch, NetMatch, RuleMatch, ServiceCounts, Signatures,
};

/// Which signature set to load: `--signatures DIR` replaces the built-in set,
/// `--extra-signatures DIR` is laid over it.
#[derive(Debug, Default)]
pub struct SetChoice {
    /// `--signatures DIR`.
    pub replace: Option<PathBuf>,
    /// `--extra-signatures DIR`.
    pub extra: Option<PathBuf>,
}

impl SetChoice {
    /// Loads the chosen set; a bad file is an input error naming the directory, file and line.
    pub fn load(&self) -> Result<Signatures, Failure> {
        let (dir, loaded) = match (&self.replace, &self.extra) {
            (Some(_), Some(_)) => {
                return Err(Failure::Input(anyhow!(
                    "give --signatures (replace the built-in set) or --extra-signatures (add to it), not both"
                )));
            }
            (Some(dir), None) => (dir, Signatures::from_layers([read_dir(dir)?])),
            (None, Some(dir)) => (dir, Signatures::builtin_with(read_dir(dir)?)),
            (None, None) => {
                return Ok(Signatures::builtin().map_err(|e| anyhow!("built-in signatures: {e}"))?);
            }
        };
        loaded.map_err(|e| Failure::Input(anyhow!("signatures in {}: {e}", dir.display())))
    }
}

/// Reads every `*.toml` file under `dir` as one layer named after the directory; each file is
/// named by its path, so that errors and `lookup` point at it.
fn read_dir(dir: &Path) -> Result<Layer, Failure> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d)
            .with_context(|| format!("cannot read signature directory {}", d.display()))
            .map_err(Failure::Input)?;
        for entry in entries {
            let path = entry.map_err(|e| Failure::Input(e.into()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))
                    .map_err(Failure::Input)?;
                files.push((path.display().to_string(), text));
            }
        }
    }
    if files.is_empty() {
        return Err(Failure::Input(anyhow!(
            "no .toml signature files in {}",
            dir.display()
        )));
    }
    Ok(Layer {
        name: dir.display().to_string(),
        files,
    })
}

/// The subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Check,
    List,
    Lookup,
    Stats,
}

/// Runs `telltale signatures`.
pub fn run(mut args: lexopt::Parser) -> Result<(), Failure> {
    use lexopt::Arg::{Long, Value};
    let input = |e: lexopt::Error| Failure::Input(e.into());
    let command = match args.next().map_err(input)? {
        Some(Value(v)) if v == "check" => Command::Check,
        Some(Value(v)) if v == "list" => Command::List,
        Some(Value(v)) if v == "lookup" => Command::Lookup,
        Some(Value(v)) if v == "stats" => Command::Stats,
        _ => {
            return Err(Failure::Input(anyhow!(
                "signatures needs one of check, list, lookup NAME|ADDRESS..., stats; try telltale --help"
            )));
        }
    };
    let mut set = SetChoice::default();
    let mut json = false;
    let mut queries = Vec::new();
    while let Some(arg) = args.next().map_err(input)? {
        match arg {
            Long("signatures") => set.replace = Some(args.value().map_err(input)?.into()),
            Long("extra-signatures") => set.extra = Some(args.value().map_err(input)?.into()),
            Long("json") => json = true,
            Value(v) if command == Command::Lookup => queries.push(v.to_string_lossy().into()),
            other => return Err(input(other.unexpected())),
        }
    }
    if command == Command::Lookup && queries.is_empty() {
        return Err(Failure::Input(anyhow!(
            "lookup needs a host name or an IP address"
        )));
    }
    let sigs = set.load()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let errors = match command {
        Command::Check => check(&sigs, json, &mut out)?,
        Command::List => list(&sigs, json, &mut out).map(|()| 0)?,
        Command::Lookup => lookup(&sigs, &queries, json, &mut out).map(|()| 0)?,
        Command::Stats => stats(&sigs, json, &mut out).map(|()| 0)?,
    };
    out.flush().context("cannot write the output")?;
    if errors > 0 {
        return Err(Failure::Other(anyhow!(
            "the signature set has {errors} error{}",
            if errors == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// The header line every text output starts with: which data this is.
fn describe_set(sigs: &Signatures, w: &mut dyn Write) -> std::io::Result<()> {
    let layers: Vec<String> = sigs
        .layers()
        .iter()
        .map(|l| match &l.data_version {
            Some(v) => format!("{} ({} files, data {v})", l.name, l.files),
            None => format!("{} ({} files)", l.name, l.files),
        })
        .collect();
    writeln!(
        w,
        "Signature set {} (schema {}): {}",
        sigs.id(),
        sigs.schema_version(),
        layers.join(" + ")
    )
}

/// Prints what `check` found; returns the number of errors.
fn check(sigs: &Signatures, json: bool, w: &mut dyn Write) -> Result<usize, Failure> {
    let problems = sigs.check();
    let count = |level| problems.iter().filter(|p| p.level == level).count();
    let (errors, warnings, notes) = (
        count(Level::Error),
        count(Level::Warning),
        count(Level::Note),
    );
    if json {
        let v = json!({"signatures": sigs.id(), "errors": errors, "warnings": warnings,
                       "notes": notes, "problems": problems});
        writeln!(w, "{v}")?;
        return Ok(errors);
    }
    describe_set(sigs, w)?;
    for p in &problems {
        let level = match p.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        };
        writeln!(w, "{level:<8}{}: {}", p.place, p.message)?;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        w,
        "{}, {}, {}: {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(notes, "note"),
        if errors == 0 { "passed" } else { "failed" }
    )?;
    Ok(errors)
}

/// What a service's rules count, as words: "12 domains, 1 protocol".
fn counts_phrase(c: &ServiceCounts<'_>) -> String {
    let parts: Vec<String> = [
        (c.domains, "domain"),
        (c.endpoints, "address"),
        (c.protocols, "protocol"),
        (c.payloads, "payload pattern"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| match (*n, *word) {
        (1, w) => format!("1 {w}"),
        (n, "address") => format!("{n} addresses"),
        (n, w) => format!("{n} {w}s"),
    })
    .collect();
    if parts.is_empty() {
        "no rules".into()
    } else {
        parts.join(", ")
    }
}

/// Services per vendor with their counts, then each vendor's network lists.
fn list(sigs: &Signatures, json: bool, w: &mut dyn Write) -> Result<(), Failure> {
    let counts = sigs.service_counts();
    if json {
        let vendors: Vec<Value> = sigs
            .vendors()
            .map(|v| {
                let services: Vec<&ServiceCounts<'_>> =
                    counts.iter().filter(|c| c.service.vendor == v.id).collect();
                let lists: Vec<_> = sigs.network_lists().filter(|l| l.vendor == v.id).collect();
                json!({"vendor": v, "services": services, "networks": lists})
            })
            .collect();
        writeln!(
            w,
            "{}",
            json!({"signatures": sigs.id(), "vendors": vendors})
        )?;
        return Ok(());
    }
    describe_set(sigs, w)?;
    let width = |f: fn(&ServiceCounts<'_>) -> usize| counts.iter().map(f).max().unwrap_or(0);
    let (id_width, name_width) = (
        width(|c| c.service.id.len()),
        width(|c| c.service.name.len()),
    );
    for v in sigs.vendors() {
        let own: Vec<&ServiceCounts<'_>> =
            counts.iter().filter(|c| c.service.vendor == v.id).collect();
        writeln!(w, "\n{} ({}): {} services", v.name, v.id, own.len())?;
        for c in own {
            let s = c.service;
            let affiliate = if s.affiliate {
                ", a separate company"
            } else {
                ""
            };
            writeln!(
                w,
                "  {:<id_width$}  {:<name_width$}  {:<13} {}{affiliate}",
                s.id,
                s.name,
                s.category.as_str(),
                counts_phrase(c)
            )?;
        }
        for l in sigs.network_lists().filter(|l| l.vendor == v.id) {
            writeln!(
                w,
                "  network list of {}: {} prefixes ({}:{})",
                l.date,
                l.prefixes.len(),
                l.file,
                l.line
            )?;
        }
    }
    Ok(())
}

/// A domain rule with its service, as text: "`qq.com` -> QQ (Tencent, messaging), file:line".
fn rule_line(m: &NameMatch<'_>) -> String {
    format!(
        "`{}` -> {} ({}, {}), {}:{}",
        m.rule.suffix, m.service.name, m.vendor.name, m.service.category, m.rule.file, m.rule.line
    )
}

fn rule_json(m: &NameMatch<'_>) -> Value {
    json!({"suffix": m.rule.suffix, "service": m.service.id, "service_name": m.service.name,
           "vendor": m.vendor.id, "category": m.service.category, "affiliate": m.service.affiliate,
           "note": m.rule.note, "source": m.rule.source, "tags": m.rule.tags,
           "file": m.rule.file, "line": m.rule.line, "description": m.service.description})
}

fn network_json(n: &NetMatch<'_>) -> Value {
    json!({"prefix": n.prefix, "vendor": n.vendor.id, "date": n.list.date,
           "source": n.list.source, "file": n.list.file, "line": n.list.line})
}

/// Explains, for each query, which rule names it and why the others did not.
fn lookup(
    sigs: &Signatures,
    queries: &[String],
    json: bool,
    w: &mut dyn Write,
) -> Result<(), Failure> {
    let mut answers = Vec::new();
    if !json {
        describe_set(sigs, w)?;
    }
    for q in queries {
        match q.parse::<IpAddr>() {
            Ok(addr) => {
                let l = sigs.lookup_addr(addr);
                if json {
                    let endpoints: Vec<Value> = l.endpoints.iter().map(endpoint_json).collect();
                    let networks: Vec<Value> = l.networks.iter().map(network_json).collect();
                    answers.push(
                        json!({"query": q, "kind": "address", "endpoints": endpoints,
                                        "networks": networks}),
                    );
                } else {
                    explain_addr(q, &l, w)?;
                }
            }
            Err(_) => {
                let l = sigs.lookup_name(q);
                if json {
                    let list = |v: &[NameMatch<'_>]| v.iter().map(rule_json).collect::<Vec<_>>();
                    answers.push(json!({"query": q, "kind": "name",
                        "match": l.winner.as_ref().map(rule_json), "shorter": list(&l.shorter),
                        "longer": list(&l.longer.0), "longer_total": l.longer.1,
                        "near_misses": list(&l.near_misses), "malformed": l.malformed}));
                } else {
                    explain_name(q, &l, w)?;
                }
            }
        }
    }
    if json {
        writeln!(
            w,
            "{}",
            json!({"signatures": sigs.id(), "lookups": answers})
        )?;
    }
    Ok(())
}

fn endpoint_json(m: &RuleMatch<'_, telltale_engine::signatures::EndpointRule>) -> Value {
    json!({"address": m.rule.address, "ports": m.rule.ports, "service": m.service.id,
           "service_name": m.service.name, "vendor": m.vendor.id, "category": m.service.category,
           "note": m.rule.note, "source": m.rule.source, "tags": m.rule.tags,
           "file": m.rule.file, "line": m.rule.line})
}

fn explain_name(
    q: &str,
    l: &telltale_engine::signatures::NameLookup<'_>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(w, "\n{q}")?;
    if l.malformed {
        writeln!(
            w,
            "  Not a valid host name (it has an empty label), so no rule matches it."
        )?;
        return Ok(());
    }
    match &l.winner {
        Some(m) => {
            let affiliate = if m.service.affiliate {
                " It is a separate company in which the vendor holds a stake."
            } else {
                ""
            };
            writeln!(
                w,
                "  Named {} of {} ({}) by the rule `{}` ({}:{}).{affiliate}",
                m.service.name,
                m.vendor.name,
                m.service.category,
                m.rule.suffix,
                m.rule.file,
                m.rule.line
            )?;
            writeln!(w, "  What it is: {}", m.rule.note)?;
            writeln!(w, "  Source: {}", m.rule.source)?;
            writeln!(w, "  The service: {}", m.service.description)?;
        }
        None => writeln!(
            w,
            "  No rule names it: Telltale does not attribute this name to any vendor."
        )?,
    }
    if !l.shorter.is_empty() {
        writeln!(
            w,
            "  Shorter rules also match it but lose, because the longest matching suffix wins:"
        )?;
        for m in &l.shorter {
            writeln!(w, "    {}", rule_line(m))?;
        }
    }
    let (longer, total) = &l.longer;
    if !longer.is_empty() {
        writeln!(
            w,
            "  Longer rules exist below it, but they name only hosts under them, not {q}:"
        )?;
        for m in longer {
            writeln!(w, "    {}", rule_line(m))?;
        }
        if *total > longer.len() {
            writeln!(w, "    ... and {} more", total - longer.len())?;
        }
    }
    if !l.near_misses.is_empty() {
        writeln!(
            w,
            "  Look-alike rules do not match: a rule matches a name only as its last whole labels:"
        )?;
        for m in &l.near_misses {
            writeln!(w, "    {}", rule_line(m))?;
        }
    }
    Ok(())
}

fn explain_addr(
    q: &str,
    l: &telltale_engine::signatures::AddrLookup<'_>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(w, "\n{q}")?;
    for m in &l.endpoints {
        let ports = if m.rule.ports.is_empty() {
            "any port".to_owned()
        } else {
            let p: Vec<String> = m.rule.ports.iter().map(u16::to_string).collect();
            format!("port {}", p.join(", "))
        };
        writeln!(
            w,
            "  A documented address of {} of {} ({}), {ports}, by the rule at {}:{}.",
            m.service.name, m.vendor.name, m.service.category, m.rule.file, m.rule.line
        )?;
        writeln!(w, "  What it is: {}", m.rule.note)?;
        writeln!(w, "  Source: {}", m.rule.source)?;
    }
    let mut networks = l.networks.iter();
    match networks.next() {
        Some(n) => {
            writeln!(
                w,
                "  In {}'s network: {} (list of {}, {}:{}; source: {}).",
                n.vendor.name, n.prefix, n.list.date, n.list.file, n.list.line, n.list.source
            )?;
            writeln!(
                w,
                "  A network match names only the company whose network it is, never one of its services: clouds host other companies too."
            )?;
        }
        None if l.endpoints.is_empty() => {
            writeln!(
                w,
                "  No rule covers it: Telltale does not attribute this address."
            )?;
        }
        None => {}
    }
    let rest: Vec<&NetMatch<'_>> = networks.collect();
    if !rest.is_empty() {
        writeln!(
            w,
            "  Shorter prefixes also hold it but lose, because the longest prefix wins:"
        )?;
        for n in rest {
            writeln!(
                w,
                "    {} of {} ({}:{})",
                n.prefix, n.vendor.name, n.list.file, n.list.line
            )?;
        }
    }
    Ok(())
}

/// The size of the set, per vendor and in all.
fn stats(sigs: &Signatures, json: bool, w: &mut dyn Write) -> Result<(), Failure> {
    let per_vendor = sigs.vendor_stats();
    if json {
        let v = json!({"signatures": sigs.id(), "schema_version": sigs.schema_version(),
                       "data_version": sigs.data_version(), "layers": sigs.layers(),
                       "overrides": sigs.overrides(), "vendors": per_vendor});
        writeln!(w, "{v}")?;
        return Ok(());
    }
    describe_set(sigs, w)?;
    writeln!(
        w,
        "{:<12} {:>8} {:>10} {:>7} {:>9} {:>9} {:>8} {:>6} {:>6}",
        "vendor",
        "services",
        "affiliates",
        "domains",
        "addresses",
        "protocols",
        "payloads",
        "IPv4",
        "IPv6"
    )?;
    for s in &per_vendor {
        writeln!(
            w,
            "{:<12} {:>8} {:>10} {:>7} {:>9} {:>9} {:>8} {:>6} {:>6}",
            s.vendor.id,
            s.services,
            s.affiliates,
            s.domains,
            s.endpoints,
            s.protocols,
            s.payloads,
            s.v4_prefixes,
            s.v6_prefixes
        )?;
    }
    let total = |f: fn(&telltale_engine::signatures::VendorStats<'_>) -> usize| {
        per_vendor.iter().map(f).sum::<usize>()
    };
    writeln!(
        w,
        "{:<12} {:>8} {:>10} {:>7} {:>9} {:>9} {:>8} {:>6} {:>6}",
        "all",
        total(|s| s.services),
        total(|s| s.affiliates),
        total(|s| s.domains),
        total(|s| s.endpoints),
        total(|s| s.protocols),
        total(|s| s.payloads),
        total(|s| s.v4_prefixes),
        total(|s| s.v6_prefixes)
    )?;
    if !sigs.overrides().is_empty() {
        writeln!(
            w,
            "{} entries replaced by a later layer",
            sigs.overrides().len()
        )?;
    }
    Ok(())
}
