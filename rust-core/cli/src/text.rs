//! The readable terminal summary of a report.

use std::io::{self, Write};
use telltale_engine::report::{AppReport, FindingReport, Level, Report};

/// Byte counts as people read them: `512 B`, `3.2 KB`, `14.0 MB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// `1 flow`, `2 flows`.
fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn app_title(app: &AppReport) -> String {
    match (&app.name, &app.package) {
        (Some(n), Some(p)) => format!("{n} ({p}, {})", app.id),
        (Some(n), None) => format!("{n} ({})", app.id),
        (None, Some(p)) => format!("{p} ({})", app.id),
        (None, None) => match app.address {
            Some(a) => format!("device {a}"),
            None => app.id.clone(),
        },
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::None => "NONE",
        Level::Low => "LOW",
        Level::Medium => "MEDIUM",
        Level::High => "HIGH",
    }
}

/// One finding: severity, kind, summary, service and how often it was seen.
fn finding_line(report: &FindingReport, w: &mut dyn Write) -> io::Result<()> {
    let f = &report.finding;
    let service = f
        .service
        .as_deref()
        .map(|s| format!(" [{s}]"))
        .unwrap_or_default();
    let times = if report.count > 1 {
        format!(" (x{})", report.count)
    } else {
        String::new()
    };
    writeln!(
        w,
        "    {:<6} {:<20} {}{service}{times}",
        format!("{:?}", f.severity).to_uppercase(),
        f.kind.id(),
        f.summary
    )
}

/// Writes the summary.
pub fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    if let Some(input) = &report.input {
        writeln!(
            w,
            "{} ({}, {} packets, {} flows)",
            input.source, input.format, input.records, report.totals.flows
        )?;
    }
    let sigs = &report.signatures;
    writeln!(
        w,
        "Signatures: schema {}, data {} (id {})",
        sigs.schema_version, sigs.data_version, sigs.id
    )?;
    for layer in sigs.layers.iter().skip(1) {
        writeln!(
            w,
            "  with {} laid over it ({} files{}; {} entries replaced)",
            layer.name,
            layer.files,
            layer
                .data_version
                .as_deref()
                .map(|v| format!(", data {v}"))
                .unwrap_or_default(),
            sigs.overrides
        )?;
    }
    if report.apps.is_empty() {
        writeln!(w, "\nNo IP traffic found.")?;
    }
    for app in &report.apps {
        writeln!(w)?;
        writeln!(
            w,
            "{} - exposure {}",
            app_title(app),
            level(app.exposure.level)
        )?;
        writeln!(w, "  {}", app.exposure.reason)?;
        writeln!(
            w,
            "  {}, {} sent, {} received",
            count(app.flows, "flow"),
            bytes(app.bytes_up),
            bytes(app.bytes_down)
        )?;
        for v in &app.vendors {
            writeln!(w, "  {}:", v.name)?;
            for s in &v.services {
                let names: Vec<&str> = s.names.iter().map(String::as_str).collect();
                let affiliate = if s.affiliate {
                    &format!(", a separate company partly owned by {}", v.name)
                } else {
                    ""
                };
                let kit = if s.kit_in_app == Some(true) {
                    "; a kit built into this app"
                } else {
                    ""
                };
                writeln!(
                    w,
                    "    {} ({}{affiliate}{kit}): {}, {}, {} sent; {}",
                    s.name,
                    s.category,
                    count(s.connections, "connection"),
                    count(s.lookups, "lookup"),
                    bytes(s.bytes_up),
                    names.join(", ")
                )?;
                writeln!(w, "      {}", s.description)?;
            }
            if let Some(n) = &v.network_only {
                let prefixes: Vec<&str> = n.prefixes.iter().map(String::as_str).collect();
                writeln!(
                    w,
                    "    network only, no service identified: {}, {} sent ({})",
                    count(n.flows, "flow"),
                    bytes(n.bytes_up),
                    prefixes.join(", ")
                )?;
            }
        }
        // Findings grouped by the vendor whose service or network they concern, in the order
        // the vendors are listed, then the ones that concern no vendor.
        let mut groups: Vec<(String, Vec<&FindingReport>)> = app
            .vendors
            .iter()
            .map(|v| {
                let own = app
                    .findings
                    .iter()
                    .filter(|f| f.finding.vendor.as_deref() == Some(v.id.as_str()))
                    .collect();
                (format!("Findings about {}:", v.name), own)
            })
            .collect();
        let listed = |f: &&FindingReport| {
            f.finding
                .vendor
                .as_deref()
                .is_some_and(|id| app.vendors.iter().any(|v| v.id == id))
        };
        let rest: Vec<&FindingReport> = app.findings.iter().filter(|f| !listed(f)).collect();
        let heading = if groups.iter().all(|(_, g)| g.is_empty()) {
            "Findings:"
        } else {
            "Other findings:"
        };
        groups.push((heading.to_owned(), rest));
        for (heading, group) in groups.iter().filter(|(_, g)| !g.is_empty()) {
            writeln!(w, "  {heading}")?;
            for report in group {
                finding_line(report, w)?;
            }
        }
        if app.findings_dropped > 0 {
            writeln!(
                w,
                "    ... and {} more findings not listed",
                app.findings_dropped
            )?;
        }
    }
    let t = &report.totals;
    if t.flows_evicted > 0 || t.undecodable_packets > 0 || t.truncated_packets > 0 {
        writeln!(
            w,
            "\nNotes: {} flows closed early to stay within the flow limit, {} packets not decodable, {} packets cut short by the capture.",
            t.flows_evicted, t.undecodable_packets, t.truncated_packets
        )?;
    }
    if let Some(input) = report.input.as_ref().filter(|i| !i.warnings.is_empty()) {
        writeln!(w, "\nWarnings:")?;
        for warning in &input.warnings {
            writeln!(w, "  at byte {}: {}", warning.offset, warning.message)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_bytes() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(3_200), "3.2 KB");
        assert_eq!(bytes(14_000_000), "14.0 MB");
        assert_eq!(bytes(u64::MAX), "18446744.1 TB");
    }
}
