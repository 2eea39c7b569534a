//! QQ framing. The input is one UDP datagram for `oicq::parse_udp`, an OICQ-over-TCP stream whose
//! frames `parse_tcp` takes one after another, and an MSF/SSO stream whose frames `parse_msf`
//! takes one after another. Every frame must consume bytes and no more than the input; an OICQ
//! frame over TCP must read the same as its packet given to `parse_udp`; every header accepted
//! must keep the documented rules (known command, uin of 5 to 12 ASCII digits).
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::oicq;

fuzz_target!(|data: &[u8]| {
    if let Ok(packet) = oicq::parse_udp(data) {
        assert!(oicq::is_known_command(packet.command));
        assert_eq!(data.first(), Some(&oicq::FLAG));
        assert_eq!(data.last(), Some(&oicq::TAIL));
        assert!(packet.qq_number.is_none_or(|n| n >= oicq::MIN_QQ_NUMBER));
    }

    let mut rest = data;
    while let Ok(Some((packet, used))) = oicq::parse_tcp(rest) {
        assert!(used > 2 && used <= rest.len());
        assert_eq!(oicq::parse_udp(&rest[2..used]), Ok(packet));
        rest = &rest[used..];
    }

    let mut rest = data;
    while let Ok(Some((frame, used))) = oicq::parse_msf(rest) {
        assert!(used > 0 && used <= rest.len());
        assert!(matches!(
            frame.packet_type,
            oicq::MSF_LOGIN | oicq::MSF_NORMAL
        ));
        assert!(frame.encrypt_type <= oicq::MSF_ENCRYPT_ZERO_KEY);
        assert!((5..=12).contains(&frame.uin.len()));
        assert!(frame.uin.bytes().all(|b| b.is_ascii_digit()));
        rest = &rest[used..];
    }
});
