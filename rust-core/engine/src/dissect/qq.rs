//! QQ's framings: OICQ (legacy QQ, over UDP or TCP) and mobile QQ's MSF/SSO long connection.
//! Both carry the QQ number in clear before their encrypted body.

use crate::observation::{AppProto, Observations, QqObs};
use telltale_wire::oicq;

/// Records an OICQ or MSF header at the start of a TCP stream: `Some(true)` when found,
/// `Some(false)` when the stream is neither, `None` while a frame that could be one is still
/// arriving.
pub(super) fn classify_tcp(first: &[u8], obs: &mut Observations) -> Option<bool> {
    let oicq = oicq::parse_tcp(first);
    if let Ok(Some((o, _))) = oicq {
        found(
            obs,
            "oicq",
            o.qq_number.map(|n| n.to_string()),
            u32::from(o.command),
        );
        return Some(true);
    }
    let msf = oicq::parse_msf(first);
    if let Ok(Some((f, _))) = msf {
        found(obs, "qq-msf", Some(f.uin), f.packet_type);
        return Some(true);
    }
    if matches!(oicq, Ok(None)) || matches!(msf, Ok(None)) {
        None
    } else {
        Some(false)
    }
}

/// Records an OICQ header in a client datagram; false when it is not one.
pub(super) fn classify_udp(datagram: &[u8], obs: &mut Observations) -> bool {
    match oicq::parse_udp(datagram) {
        Ok(o) => {
            found(
                obs,
                "oicq",
                o.qq_number.map(|n| n.to_string()),
                u32::from(o.command),
            );
            true
        }
        Err(_) => false,
    }
}

fn found(obs: &mut Observations, protocol: &'static str, qq_number: Option<String>, command: u32) {
    obs.proto = AppProto::Qq;
    obs.protocol = Some(protocol);
    obs.qq = Some(Box::new(QqObs {
        qq_number,
        command: Some(command),
    }));
}
