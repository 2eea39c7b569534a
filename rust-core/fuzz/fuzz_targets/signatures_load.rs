//! The input (lossy UTF-8) as one more signature file, loaded two ways: after the built-in files
//! in the same layer (`Signatures::from_texts`), where it can break the TOML and the checks and
//! collide with built-in ids, suffixes and prefixes; and as a user's layer over the built-in set
//! (`Signatures::builtin_with`), where such collisions are overrides. A set that loads is then
//! queried by name, address and payload, checked (`check`), and looked up the way
//! `telltale signatures lookup` does.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use telltale_engine::Signatures;
use telltale_engine::signatures::{Layer, Transport};

fn exercise(sigs: &Signatures, data: &[u8]) {
    for name in ["wx.qq.com", "example.com", "a.b.c.d.e.f.example", "notqq.com", "a..qq.com"] {
        let _ = sigs.match_name(name);
        let _ = sigs.lookup_name(name);
    }
    for addr in [
        IpAddr::V4(Ipv4Addr::new(43, 130, 1, 1)),
        IpAddr::V6(Ipv6Addr::new(0x2402, 0x4e00, 0, 0, 0, 0, 0, 1)),
        IpAddr::V4(Ipv4Addr::new(119, 29, 29, 29)),
    ] {
        let _ = sigs.match_addr(addr);
        let _ = sigs.lookup_addr(addr);
    }
    for transport in [Transport::Tcp, Transport::Udp] {
        let _ = sigs.match_payload(transport, data);
    }
    let _ = sigs.check();
    let _ = sigs.vendor_stats();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let files = Signatures::builtin_texts()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .chain([("signatures/zz-fuzz.toml".to_owned(), text.clone())]);
    if let Ok(sigs) = Signatures::from_texts(files) {
        exercise(&sigs, data);
    }
    let layer = Layer {
        name: "fuzz".to_owned(),
        files: vec![("fuzz/extra.toml".to_owned(), text)],
    };
    if let Ok(sigs) = Signatures::builtin_with(layer) {
        exercise(&sigs, data);
    }
});
