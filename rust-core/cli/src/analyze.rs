//! `telltale analyze`: a capture file through the engine, the report out.

use crate::Failure;
use crate::progress::Progress;
use crate::signatures::SetChoice;
use anyhow::{Context, anyhow};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use telltale_capture::{CaptureError, CaptureReader, replay};
use telltale_engine::{Config, Engine};
use telltale_runtime::create_private;

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Stdout,
    File(PathBuf),
}

#[derive(Debug, Default)]
struct Options {
    file: Option<PathBuf>,
    json: Option<Out>,
    flows: Option<Out>,
    signatures: SetChoice,
    show_identifiers: bool,
    max_flows: Option<usize>,
    no_progress: bool,
}

fn out_value(parser: &mut lexopt::Parser) -> Out {
    match parser.optional_value() {
        Some(v) if v != "-" => Out::File(v.into()),
        _ => Out::Stdout,
    }
}

fn parse(mut args: lexopt::Parser) -> Result<Options, lexopt::Error> {
    use lexopt::Arg::{Long, Value};
    use lexopt::ValueExt;
    let mut o = Options::default();
    while let Some(arg) = args.next()? {
        match arg {
            Long("json") => o.json = Some(out_value(&mut args)),
            Long("signatures") => o.signatures.replace = Some(args.value()?.into()),
            Long("extra-signatures") => o.signatures.extra = Some(args.value()?.into()),
            Long("flows") => o.flows = Some(out_value(&mut args)),
            Long("show-identifiers") => o.show_identifiers = true,
            Long("max-flows") => o.max_flows = Some(args.value()?.parse()?),
            Long("no-progress") => o.no_progress = true,
            Value(v) if o.file.is_none() => o.file = Some(v.into()),
            other => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

/// A buffered writer to `out`. The buffer is outermost, so the serializer's many small writes
/// are plain copies into it and only whole buffers go through the trait object.
fn writer(out: &Out) -> Result<BufWriter<Box<dyn Write>>, Failure> {
    let inner: Box<dyn Write> = match out {
        Out::Stdout => Box::new(std::io::stdout().lock()),
        Out::File(p) => {
            Box::new(create_private(p).with_context(|| format!("cannot create {}", p.display()))?)
        }
    };
    Ok(BufWriter::with_capacity(64 * 1024, inner))
}

/// One line of `--flows`: the flow record and the id of the signature set that judged it.
#[derive(serde::Serialize)]
struct FlowLine<'a> {
    #[serde(flatten)]
    flow: &'a telltale_engine::FlowRecord,
    signatures: &'a str,
}

/// Runs `telltale analyze`.
pub fn run(args: lexopt::Parser) -> Result<(), Failure> {
    let o = parse(args).map_err(|e| Failure::Input(e.into()))?;
    let Some(path) = o.file.clone() else {
        return Err(Failure::Input(anyhow!(
            "analyze needs a capture file; try telltale --help"
        )));
    };
    if o.json == Some(Out::Stdout) && o.flows == Some(Out::Stdout) {
        return Err(Failure::Input(anyhow!(
            "--json and --flows cannot both write to standard output; give one a file: --flows=FILE"
        )));
    }
    let sigs = o.signatures.load()?;
    let shown = path.display().to_string();
    let file =
        File::open(&path).map_err(|e| Failure::Input(anyhow!("cannot open {shown}: {e}")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = CaptureReader::new(file).map_err(|e| match e {
        CaptureError::Io(io) => Failure::Input(anyhow!("cannot read {shown}: {io}")),
        other => Failure::Input(anyhow!("{shown}: {other}")),
    })?;
    let mut config = Config {
        show_identifiers: o.show_identifiers,
        keep_flow_records: o.flows.is_some(),
        ..Config::default()
    };
    if let Some(n) = o.max_flows {
        config.max_flows = n;
    }
    let sig_id = sigs.id().to_owned();
    let mut engine = Engine::new(config, Arc::new(sigs));
    let mut flows_out = o.flows.as_ref().map(writer).transpose()?;
    let mut flow_error: Option<std::io::Error> = None;
    let mut progress = Progress::new(size, !o.no_progress);
    let report = replay(
        &mut reader,
        &mut engine,
        &shown,
        |record| {
            if let (Some(w), None) = (flows_out.as_mut(), flow_error.as_ref()) {
                let line = FlowLine {
                    flow: &record,
                    signatures: &sig_id,
                };
                let line = serde_json::to_writer(&mut *w, &line)
                    .map_err(std::io::Error::from)
                    .and_then(|()| w.write_all(b"\n"));
                if let Err(e) = line {
                    flow_error = Some(e);
                }
            }
        },
        |pos| progress.update(pos),
    )
    .map_err(|e| Failure::Input(anyhow!("cannot read {shown}: {e}")))?;
    progress.finish();
    if let Some(e) = flow_error {
        return Err(anyhow!("cannot write flows: {e}").into());
    }
    if let Some(mut w) = flows_out {
        w.flush().context("cannot write flows")?;
    }
    if let Some(input) = &report.input {
        for w in &input.warnings {
            eprintln!(
                "telltale: warning: {shown}: at byte {}: {}",
                w.offset, w.message
            );
        }
    }
    if let Some(out) = &o.json {
        let mut w = writer(out)?;
        serde_json::to_writer(&mut w, &report).context("cannot write the report")?;
        w.write_all(b"\n")
            .and_then(|()| w.flush())
            .context("cannot write the report")?;
    }
    if o.json.is_none() && o.flows.is_none() {
        let mut w = writer(&Out::Stdout)?;
        crate::text::render(&report, &mut w).context("cannot write the summary")?;
        w.flush().context("cannot write the summary")?;
    }
    // The process ends here: freeing every flow, name and report entry one by one would only
    // cost time (a tenth of a run on large captures); the operating system takes it all back.
    std::mem::forget(engine);
    std::mem::forget(report);
    Ok(())
}
