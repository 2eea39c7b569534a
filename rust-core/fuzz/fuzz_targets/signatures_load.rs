//! `Signatures::from_texts` with the input (lossy UTF-8) as one more signature file loaded after
//! the built-in ones, so that the input can both break the TOML and the checks and add entries
//! that collide with built-in ids, suffixes and prefixes. A set that loads is then queried by
//! name, address and payload.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use telltale_engine::Signatures;
use telltale_engine::signatures::Transport;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let files = Signatures::builtin_texts()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .chain([("signatures/zz-fuzz.toml".to_owned(), text)]);
    let Ok(sigs) = Signatures::from_texts(files) else {
        return;
    };
    for name in ["wx.qq.com", "example.com", "a.b.c.d.e.f.example"] {
        let _ = sigs.match_name(name);
    }
    for addr in [
        IpAddr::V4(Ipv4Addr::new(43, 130, 1, 1)),
        IpAddr::V6(Ipv6Addr::new(0x2402, 0x4e00, 0, 0, 0, 0, 0, 1)),
    ] {
        let _ = sigs.match_addr(addr);
    }
    for transport in [Transport::Tcp, Transport::Udp] {
        let _ = sigs.match_payload(transport, data);
    }
});
