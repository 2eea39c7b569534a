//! Offline analysis: every packet of a capture through the engine, in file order, with the
//! capture's own timestamps as the engine's clock.

use crate::error::CaptureError;
use crate::reader::{CaptureReader, Format};
use std::io::Read;
use telltale_engine::report::{InputInfo, InputWarning};
use telltale_engine::{AppInfo, Engine, FlowRecord, PacketMeta, Report};
use telltale_wire::link;

/// Packets between two calls of the progress callback.
const PROGRESS_EVERY: u64 = 16_384;

/// Feeds every packet of `reader` to `engine` and returns the final report, its `input` filled
/// in (format, record count, warnings). `on_flow` receives each flow record as the flow ends
/// (only when the engine keeps records); `on_progress` receives the input position in bytes
/// from time to time. Only I/O errors stop the replay; damaged records become warnings.
pub fn replay<R: Read>(
    reader: &mut CaptureReader<R>,
    engine: &mut Engine,
    source: &str,
    mut on_flow: impl FnMut(FlowRecord),
    mut on_progress: impl FnMut(u64),
) -> Result<Report, CaptureError> {
    let mut records = 0u64;
    while let Some(pkt) = reader.next_packet()? {
        records += 1;
        match link::ip_payload(pkt.linktype, pkt.data) {
            Ok(ip) => engine.on_packet(pkt.ts, ip, PacketMeta { uid: pkt.uid }),
            Err(_) => engine.on_undecodable(),
        }
        while let Some(r) = engine.poll_flow() {
            on_flow(r);
        }
        if records.is_multiple_of(PROGRESS_EVERY) {
            on_progress(reader.position());
        }
    }
    for app in reader.apps() {
        engine.set_app_info(
            app.uid,
            AppInfo {
                package: app.package.clone(),
                name: app.name.clone(),
            },
        );
    }
    let mut report = engine.finish(on_flow);
    report.input = Some(InputInfo {
        source: source.to_owned(),
        format: match reader.format() {
            Format::Pcap { .. } => "pcap".to_owned(),
            Format::PcapNg => "pcapng".to_owned(),
        },
        records,
        warnings: reader
            .warnings()
            .iter()
            .map(|w| InputWarning {
                offset: w.offset,
                message: w.message.clone(),
            })
            .collect(),
    });
    Ok(report)
}
