//! `telltale analyze` end to end: captures built by the tests (with etherparse and pcap-file,
//! independent of the code under test) go through the real binary, and the JSON it prints is
//! checked field by field. Every finding kind of the packet core has a capture that must yield
//! exactly its expected findings and nothing more.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use telltale_tests::cli::{self, Run, app, finding, findings_of, kinds, only_app, services, set};
use telltale_tests::msg::{self, Hello};
use telltale_tests::quic::{Seal, crypto_frame};
use telltale_tests::{App, Capture, Flags, Scratch, ip, sa};

const BIN: &str = env!("CARGO_BIN_EXE_telltale");

fn telltale<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    cli::run(BIN, args)
}

fn report_of(path: &Path, extra: &[&str]) -> Value {
    cli::report_of(BIN, path, extra)
}

fn report(c: &Capture) -> Value {
    cli::report(BIN, c)
}

fn flows(c: &Capture, extra: &[&str]) -> Vec<Value> {
    cli::flows(BIN, c, extra)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const DEVICE: &str = "10.0.0.2";

fn dev(port: u16) -> std::net::SocketAddr {
    sa(&format!("{DEVICE}:{port}"))
}

#[test]
fn sample_is_reproducible_and_reported() {
    let committed =
        std::fs::read(repo().join("samples/sample.pcapng")).expect("samples/sample.pcapng");
    assert!(
        committed == telltale_tests::sample::sample().pcapng_bytes(),
        "samples/sample.pcapng differs from tests/src/sample.rs: run make-sample"
    );
    let r = report_of(&repo().join("samples/sample.pcapng"), &[]);
    assert_eq!(r["schema"], "telltale.report/1");
    assert_eq!(r["input"]["format"], "pcapng");
    assert_eq!(r["input"]["warnings"], serde_json::json!([]));
    assert_eq!(r["totals"]["flows"], 17);
    let ids: Vec<&str> = r["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    // Both high; the news app reached two vendors, so it comes first.
    assert_eq!(ids, ["uid:10234", "uid:10123", "uid:10345"]);

    let news = app(&r, "uid:10234");
    assert_eq!(news["name"], "Daily News");
    assert_eq!(news["package"], "com.example.dailynews");
    assert_eq!(news["exposure"]["level"], "high");
    assert_eq!(
        news["exposure"]["reason"],
        "This app sends location data unencrypted, and it exchanges data with Tencent services \
         (Bugly and Tencent Map, through kits built into the app) and ByteDance services \
         (Pangle (CSJ), through a kit built into the app)."
    );
    assert_eq!(
        kinds(news),
        set(&[
            ("location-cleartext", "high", "tencent-map"),
            ("legacy-tls", "high", "-"),
            ("cleartext-http", "medium", "bugly"),
            ("cleartext-http", "medium", "tencent-map"),
            ("cleartext-dns", "low", "bugly"),
            ("cleartext-dns", "low", "tencent-map"),
            ("cleartext-dns", "low", "-"),
            ("server-name-visible", "low", "-"),
            ("tencent-contact", "low", "bugly"),
            ("tencent-contact", "low", "tencent-map"),
            ("tencent-network", "info", "-"),
            ("cleartext-dns", "low", "pangle"),
            ("server-name-visible", "low", "pangle"),
            ("vendor-contact", "low", "pangle"),
        ])
    );
    let by_host = || vec!["http-host".to_owned(), "dns-query".to_owned()];
    assert_eq!(
        services(news),
        [
            ("bugly".into(), 1, 1, by_host()),
            ("tencent-map".into(), 1, 1, by_host()),
            (
                "pangle".into(),
                1,
                1,
                vec!["tls-sni".to_owned(), "dns-query".to_owned()]
            )
        ]
    );
    assert!(
        news["vendors"][0]["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["kit_in_app"] == true)
    );
    let http = *findings_of(news, "cleartext-http")
        .iter()
        .find(|f| f["service"] == "bugly")
        .unwrap();
    assert_eq!(
        http["summary"],
        "POST http://android.bugly.qq.com/rqd/async?aid=…&p=… in clear"
    );
    assert_eq!(
        http["evidence"]["user_agent"],
        "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7)"
    );
    let net = &news["vendors"][0]["network_only"];
    assert_eq!(net["flows"], 1);
    assert_eq!(net["prefixes"], serde_json::json!(["49.51.128.0/18"]));

    let wechat = app(&r, "uid:10123");
    assert_eq!(wechat["exposure"]["level"], "high");
    assert_eq!(
        kinds(wechat),
        set(&[
            ("identifier-cleartext", "high", "wechat"),
            ("proprietary-crypto", "medium", "wechat"),
            ("linkable-token", "medium", "wechat"),
            ("httpdns-cleartext", "medium", "wechat"),
            ("cleartext-http", "medium", "wechat"),
            ("cleartext-dns", "low", "wechat"),
            ("server-name-visible", "low", "wechat"),
            ("tencent-contact", "low", "wechat"),
        ])
    );
    assert_eq!(
        services(wechat),
        [(
            "wechat".into(),
            4,
            2,
            vec![
                "tls-sni".into(),
                "http-host".into(),
                "dns-query".into(),
                "protocol".into()
            ]
        )]
    );
    let token = finding(wechat, "linkable-token");
    assert_eq!(token["flows"], serde_json::json!([3, 4]));

    let browser = app(&r, "uid:10345");
    assert_eq!(
        kinds(browser),
        set(&[
            ("cleartext-dns", "low", "-"),
            ("server-name-visible", "low", "-")
        ])
    );
    assert_eq!(browser["vendors"], serde_json::json!([]));

    let text = telltale([
        "analyze",
        repo().join("samples/sample.pcapng").to_str().unwrap(),
    ]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout
            .contains("Daily News (com.example.dailynews, uid:10234) - exposure HIGH"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Bugly (crash; a kit built into this app): 1 connection, 1 lookup"),
        "{}",
        text.stdout
    );
}

#[test]
fn dns_lookup_of_a_tencent_name_is_a_lookup_not_a_contact() {
    let mut c = Capture::new(1_700_000_000);
    c.dns_lookup(
        dev(5000),
        sa("10.0.0.1:53"),
        7,
        "szshort.weixin.qq.com",
        &[ip("203.205.239.37")],
    );
    let r = report(&c);
    let a = only_app(&r);
    assert_eq!(a["id"], format!("addr:{DEVICE}"));
    assert_eq!(kinds(a), set(&[("cleartext-dns", "low", "wechat")]));
    assert_eq!(
        services(a),
        [("wechat".into(), 0, 1, vec!["dns-query".into()])]
    );
    assert_eq!(
        a["exposure"]["reason"],
        "This app looks up server names without encryption."
    );
}

#[test]
fn local_multicast_name_queries_are_not_findings() {
    let mut c = Capture::new(1_700_000_000);
    c.udp(
        dev(5353),
        sa("224.0.0.251:5353"),
        &msg::dns_query(0, "printer.local", 1),
    );
    let a = &report(&c)["apps"][0];
    assert_eq!(kinds(a), set(&[]));
    assert_eq!(a["exposure"]["level"], "none");
    assert_eq!(
        a["exposure"]["reason"],
        "No exposure was found in the traffic seen."
    );
}

#[test]
fn cleartext_http_on_any_port() {
    let mut c = Capture::new(1_700_000_000);
    let req = msg::http_request("GET", "portal.example", "/login?user=alice", &[], b"");
    c.tcp_session(
        dev(40000),
        sa("198.51.100.7:8081"),
        &[
            (true, &req),
            (false, &msg::http_response(200, "text/html", b"hi")),
        ],
        1400,
    );
    let r = report(&c);
    let a = only_app(&r);
    assert_eq!(kinds(a), set(&[("cleartext-http", "medium", "-")]));
    let f = flows(&c, &[]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["app_proto"], "http");
    assert_eq!(f[0]["http"][0]["target"], "/login?user=…");
    assert_eq!(f[0]["http"][0]["status"], 200);
    assert_eq!(f[0]["end"], "closed");
}

#[test]
fn identifiers_are_masked_unless_asked_for() {
    let mut c = Capture::new(1_700_000_000);
    let req = msg::http_request(
        "GET",
        "dns.weixin.qq.com",
        "/cgi-bin/micromsg-bin/newgetdns?uin=12345&lan=en",
        &[],
        b"",
    );
    c.tcp_session(dev(40000), sa("43.130.30.240:8080"), &[(true, &req)], 1400);
    let masked = flows(&c, &[]);
    assert_eq!(
        masked[0]["http"][0]["target"],
        "/cgi-bin/micromsg-bin/newgetdns?uin=…&lan=…"
    );
    let shown = flows(&c, &["--show-identifiers"]);
    assert_eq!(
        shown[0]["http"][0]["target"],
        "/cgi-bin/micromsg-bin/newgetdns?uin=12345&lan=en"
    );
    let text = |f: &Value| f["findings"].to_string();
    assert!(text(&shown[0]).contains("uin=12345"), "{}", text(&shown[0]));
    assert!(!text(&masked[0]).contains("12345"), "{}", text(&masked[0]));
}

/// A TLS connection with this ClientHello and (optionally) ServerHello.
fn tls_capture(server: &str, hello: &Hello<'_>, server_hello: Option<Vec<u8>>) -> Capture {
    let mut c = Capture::new(1_700_000_000);
    let ch = msg::client_hello(hello);
    let mut turns: Vec<(bool, &[u8])> = vec![(true, &ch)];
    let sh;
    if let Some(s) = server_hello {
        sh = s;
        turns.push((false, &sh));
    }
    c.tcp_session(dev(40001), sa(server), &turns, 1400);
    c
}

#[test]
fn server_names_and_their_owners() {
    let r = report(&tls_capture(
        "203.205.232.68:443",
        &Hello {
            sni: Some("szextshort.weixin.qq.com"),
            ..Hello::default()
        },
        Some(msg::server_hello(0x0304, 0x1301)),
    ));
    let a = only_app(&r);
    assert_eq!(
        kinds(a),
        set(&[
            ("server-name-visible", "low", "wechat"),
            ("tencent-contact", "low", "wechat")
        ])
    );
    assert_eq!(
        services(a),
        [("wechat".into(), 1, 0, vec!["tls-sni".into()])]
    );

    // With Encrypted Client Hello the visible name is only the outer one: info, not low.
    let r = report(&tls_capture(
        "198.51.100.9:443",
        &Hello {
            sni: Some("public.example"),
            extra: &[(0xfe0d, &[0; 8])],
            ..Hello::default()
        },
        None,
    ));
    assert_eq!(
        kinds(only_app(&r)),
        set(&[("server-name-visible", "info", "-")])
    );
    assert_eq!(only_app(&r)["exposure"]["level"], "none");
}

#[test]
fn legacy_tls_by_severity() {
    let old = Hello {
        sni: Some("old.example"),
        versions: &[],
        legacy_version: 0x0301,
        ..Hello::default()
    };
    let cases = [
        // The server chose TLS 1.0.
        (old.clone(), Some(msg::server_hello(0x0301, 0x002f)), "high"),
        // TLS 1.2 with RC4.
        (
            Hello {
                sni: Some("old.example"),
                ..Hello::default()
            },
            Some(msg::server_hello(0x0303, 0x0005)),
            "high",
        ),
        // The client offered at most TLS 1.1; no answer seen.
        (
            Hello {
                legacy_version: 0x0302,
                ..old.clone()
            },
            None,
            "medium",
        ),
        // A modern client that still offers 3DES.
        (
            Hello {
                sni: Some("old.example"),
                ciphers: &[0x1301, 0xc02f, 0x000a],
                ..Hello::default()
            },
            Some(msg::server_hello(0x0304, 0x1301)),
            "low",
        ),
    ];
    for (hello, sh, severity) in cases {
        let r = report(&tls_capture("198.51.100.10:443", &hello, sh));
        assert_eq!(
            kinds(only_app(&r)),
            set(&[
                ("legacy-tls", severity, "-"),
                ("server-name-visible", "low", "-")
            ]),
            "{hello:?}"
        );
    }
}

#[test]
fn quic_initial_names_its_server() {
    let hello = msg::client_hello_msg(&Hello {
        sni: Some("quic.weixin.qq.com"),
        alpn: &["h3"],
        ..Hello::default()
    });
    let (head, tail) = hello.split_at(60);
    let dcid = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];
    // The ClientHello in two Initials, the second half first, as Chrome sends them.
    let first = Seal::v1(&dcid).initial(&[crypto_frame(60, tail), vec![0; 900]].concat());
    let second = Seal {
        pn: 1,
        ..Seal::v1(&dcid)
    }
    .initial(&[crypto_frame(0, head), vec![0; 900]].concat());
    let mut c = Capture::new(1_700_000_000);
    c.udp(dev(50000), sa("203.205.239.37:443"), &first);
    c.udp(dev(50000), sa("203.205.239.37:443"), &second);
    c.udp(sa("203.205.239.37:443"), dev(50000), &[0xc0; 300]);
    let f = flows(&c, &[]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["app_proto"], "quic");
    assert_eq!(f[0]["tls"]["sni"], "quic.weixin.qq.com");
    assert_eq!(f[0]["tls"]["quic_version"], 1);
    assert_eq!(f[0]["tls"]["alpn"], serde_json::json!(["h3"]));
    assert!(
        f[0]["tls"]["ja4"].as_str().unwrap().starts_with("q13d"),
        "{}",
        f[0]["tls"]["ja4"]
    );
    assert_eq!(f[0]["attribution"]["basis"], "quic-sni");
    assert_eq!(
        kinds(&report(&c)["apps"][0]),
        set(&[
            ("server-name-visible", "low", "wechat"),
            ("tencent-contact", "low", "wechat")
        ])
    );
}

#[test]
fn names_learned_for_addresses() {
    let mut c = Capture::new(1_700_000_000);
    // A DNS answer names 43.135.106.80; the later connection carries no name.
    c.dns_lookup(
        dev(5001),
        sa("10.0.0.1:53"),
        1,
        "android.bugly.qq.com",
        &[ip("43.135.106.80")],
    );
    c.tcp_session(
        dev(40002),
        sa("43.135.106.80:8080"),
        &[(true, &[0x01; 64])],
        1400,
    );
    // A TLS connection names 203.205.232.68; a second one to it without a ClientHello.
    let ch = msg::client_hello(&Hello {
        sni: Some("szextshort.weixin.qq.com"),
        ..Hello::default()
    });
    c.tcp_session(dev(40003), sa("203.205.232.68:443"), &[(true, &ch)], 1400);
    c.tcp_session(
        dev(40004),
        sa("203.205.232.68:443"),
        &[(true, &[0x17, 0x03, 0x03, 0, 4, 1, 2, 3, 4])],
        1400,
    );
    let f = flows(&c, &[]);
    let basis = |port: u16| {
        let flow = f.iter().find(|x| x["sport"] == port).unwrap();
        (
            flow["attribution"]["service"].as_str().unwrap().to_owned(),
            flow["attribution"]["basis"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(basis(40002), ("bugly".into(), "dns-answer".into()));
    assert_eq!(basis(40003), ("wechat".into(), "tls-sni".into()));
    assert_eq!(
        basis(40004),
        ("wechat".into(), "learned-server-name".into())
    );
}

#[test]
fn game_traffic_known_by_its_first_bytes() {
    let mut c = Capture::new(1_700_000_000);
    let mut hello = vec![0x33, 0x66, 0x00, 0x0b, 0x00, 0x0b, 0x10, 0x01];
    hello.resize(76, 0x5a);
    c.tcp_session(
        dev(40005),
        sa("43.130.19.227:65010"),
        &[(true, &hello), (false, &[0x33; 64])],
        1400,
    );
    // The same bytes one short of the rule's minimum are not enough.
    c.tcp_session(
        dev(40006),
        sa("198.51.100.11:65010"),
        &[(true, &hello[..50])],
        1400,
    );
    let f = flows(&c, &[]);
    let game = f.iter().find(|x| x["sport"] == 40005).unwrap();
    assert_eq!(game["attribution"]["service"], "tencent-games");
    assert_eq!(game["attribution"]["category"], "games");
    assert_eq!(game["attribution"]["basis"], "payload-pattern");
    let short = f.iter().find(|x| x["sport"] == 40006).unwrap();
    assert_eq!(short["attribution"], Value::Null);
}

#[test]
fn tencent_network_is_not_a_tencent_service() {
    let mut c = Capture::new(1_700_000_000);
    c.udp(dev(41004), sa("49.51.181.168:20182"), &[0x11; 120]);
    // A name of its own that is not Tencent's wins over the address.
    let ch = msg::client_hello(&Hello {
        sni: Some("accounts.google.com"),
        ..Hello::default()
    });
    c.tcp_session(dev(40007), sa("118.89.218.46:443"), &[(true, &ch)], 1400);
    let r = report(&c);
    let a = only_app(&r);
    assert_eq!(
        kinds(a),
        set(&[
            ("tencent-network", "info", "-"),
            ("server-name-visible", "low", "-")
        ])
    );
    assert_eq!(services(a), []);
    assert_eq!(a["vendors"][0]["network_only"]["flows"], 2);
    let f = flows(&c, &[]);
    let named = f.iter().find(|x| x["sport"] == 40007).unwrap();
    assert_eq!(named["attribution"], Value::Null);
    assert_eq!(named["network"]["prefix"], "118.89.0.0/16");
    assert_eq!(
        finding(named, "tencent-network")["evidence"]["name"],
        "accounts.google.com"
    );
}

#[test]
fn apps_from_pcapdroid_metadata_and_from_addresses() {
    let mut c = Capture::new(1_700_000_000);
    c.apps = vec![App {
        uid: 10500,
        package: "com.example.a".into(),
        name: "A".into(),
    }];
    c.as_app(Some(10500));
    c.dns_lookup(
        dev(5002),
        sa("10.0.0.1:53"),
        2,
        "a.example",
        &[ip("198.51.100.20")],
    );
    c.as_app(None);
    c.dns_lookup(
        sa("192.168.7.9:5003"),
        sa("192.168.7.1:53"),
        3,
        "b.example",
        &[ip("198.51.100.21")],
    );
    // A flow whose first packet comes from the internet side still belongs to the device.
    c.udp(
        sa("198.51.100.22:53"),
        sa("192.168.7.9:5004"),
        &msg::dns_answer(4, "c.example", &[ip("198.51.100.23")], 60),
    );
    let r = report(&c);
    let ids: BTreeSet<&str> = r["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BTreeSet::from(["uid:10500", "addr:192.168.7.9"]));
    assert_eq!(app(&r, "uid:10500")["name"], "A");
    assert_eq!(app(&r, "addr:192.168.7.9")["flows"], 2);
}

#[test]
fn out_of_order_retransmitted_and_overlapping_segments() {
    let ch = msg::client_hello(&Hello {
        sni: Some("web.wechat.com"),
        ..Hello::default()
    });
    let (client, server) = (dev(40008), sa("203.205.151.162:443"));
    let mut c = Capture::new(1_700_000_000);
    c.tcp(
        client,
        server,
        100,
        Flags {
            syn: true,
            ..Flags::default()
        },
        &[],
    );
    c.tcp(
        server,
        client,
        900,
        Flags {
            syn: true,
            ack: Some(101),
            ..Flags::default()
        },
        &[],
    );
    let (a, rest) = ch.split_at(40);
    let (b, d) = rest.split_at(40);
    let ack = Flags {
        ack: Some(901),
        ..Flags::default()
    };
    c.tcp(client, server, 181, ack, d); // third piece first
    c.tcp(client, server, 101, ack, a);
    c.tcp(client, server, 161, ack, &rest[20..40]); // overlaps the second piece's tail
    c.tcp(client, server, 101, ack, a); // retransmission
    c.tcp(client, server, 141, ack, b);
    let f = flows(&c, &[]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["tls"]["sni"], "web.wechat.com");
    assert_eq!(f[0]["src"], DEVICE);
    assert_eq!(f[0]["packets_up"], 6);
}

#[test]
fn fragments_tunnels_vlans_and_ipv6() {
    // A DNS answer split into IPv4 fragments names the address a later flow goes to.
    let answer_ips: Vec<std::net::IpAddr> =
        (1..=40).map(|i| ip(&format!("43.135.106.{i}"))).collect();
    let mut big = Capture::new(1_700_000_000);
    big.udp(
        sa("10.0.0.1:53"),
        dev(5005),
        &msg::dns_answer(9, "android.bugly.qq.com", &answer_ips, 300),
    );
    let answer = big.packets.pop().unwrap().data;
    let mut c = Capture::new(1_700_000_000);
    c.udp(
        dev(5005),
        sa("10.0.0.1:53"),
        &msg::dns_query(9, "android.bugly.qq.com", 1),
    );
    let mut fragments = msg::ipv4_fragments(&answer, 256);
    assert!(fragments.len() > 2);
    fragments.reverse();
    for frag in fragments {
        c.raw(frag);
    }
    c.tcp_session(
        dev(40009),
        sa("43.135.106.40:443"),
        &[(true, &[0x17, 3, 3, 0, 1, 0])],
        1400,
    );
    // DNS and TLS of a phone inside a GTP-U tunnel, over IPv6.
    let mut inner = Capture::new(1_700_000_000);
    inner.dns_lookup(
        sa("[2001:db8::2]:5006"),
        sa("[2001:db8::1]:53"),
        10,
        "web.wechat.com",
        &[ip("2402:4e00::1")],
    );
    for p in inner.packets {
        c.udp(
            sa("192.0.2.1:2152"),
            sa("192.0.2.2:2152"),
            &msg::gtp_u(&p.data, 0x42),
        );
    }
    let dir = Scratch::new("tunnels");
    let raw = report_of(&dir.file("raw.pcapng", &c.pcapng_bytes()), &[]);
    assert_eq!(raw["totals"]["fragments_reassembled"], 1);
    let a = app(&raw, &format!("addr:{DEVICE}"));
    assert_eq!(
        services(a),
        [(
            "bugly".into(),
            1,
            1,
            vec!["dns-query".into(), "dns-answer".into()]
        )]
    );
    let phone = app(&raw, "addr:2001:db8::2");
    assert_eq!(kinds(phone), set(&[("cleartext-dns", "low", "wechat")]));
    // The same capture as Ethernet frames with a VLAN tag, and as classic pcap, reads the same.
    let vlan = report_of(&dir.file("vlan.pcap", &c.pcap_ethernet_bytes(Some(7))), &[]);
    let pcap = report_of(&dir.file("raw.pcap", &c.pcap_bytes()), &[]);
    for other in [&vlan, &pcap] {
        assert_eq!(other["apps"], raw["apps"]);
        assert_eq!(other["totals"], raw["totals"]);
    }
}

#[test]
fn flow_limit_evicts_and_counts() {
    let mut c = Capture::new(1_700_000_000);
    for i in 0..10u16 {
        c.udp(dev(6000 + i), sa("198.51.100.30:9999"), &[1; 20]);
    }
    let dir = Scratch::new("limit");
    let r = report_of(
        &dir.file("c.pcapng", &c.pcapng_bytes()),
        &["--max-flows", "4"],
    );
    assert_eq!(r["totals"]["flows"], 10);
    assert_eq!(r["totals"]["flows_evicted"], 6);
    assert_eq!(only_app(&r)["flows"], 10);
}

#[test]
fn timestamps_going_backwards_or_years_ahead() {
    let mut c = Capture::new(1_700_000_000);
    c.udp(dev(7000), sa("198.51.100.40:9999"), &[1; 10]);
    c.wait(Duration::from_secs(40 * 365 * 86_400));
    c.udp(dev(7000), sa("198.51.100.40:9999"), &[2; 10]);
    c.udp(dev(7001), sa("198.51.100.41:9999"), &[3; 10]);
    let mut late = c.packets.pop().unwrap();
    late.ts = Duration::from_secs(1_600_000_000);
    c.packets.push(late);
    c.udp(dev(7001), sa("198.51.100.41:9999"), &[4; 10]);
    let f = flows(&c, &[]);
    // The 40-year gap closes the first flow; the packet from the past still joins its flow.
    let mut ends: Vec<(u64, String)> = f
        .iter()
        .map(|x| {
            (
                x["sport"].as_u64().unwrap(),
                x["end"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    ends.sort();
    assert_eq!(
        ends,
        [
            (7000, "idle".into()),
            (7000, "open".into()),
            (7001, "open".into())
        ]
    );
    for x in &f {
        assert!(x["first_seen"].as_str() <= x["last_seen"].as_str(), "{x}");
    }
    let back = f.iter().find(|x| x["sport"] == 7001).unwrap();
    assert_eq!(back["packets_up"], 2);
    assert_eq!(back["first_seen"], "2020-09-13T12:26:40.000000Z");
}

#[test]
fn bad_inputs_get_one_line_errors() {
    let dir = Scratch::new("bad");
    let text = dir.file("notes.txt", b"this is not a capture\n");
    let run = telltale(["analyze", text.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("notes.txt: not a pcap or pcapng capture"),
        "{}",
        run.stderr
    );

    let missing = dir.path("missing.pcap");
    let run = telltale(["analyze", missing.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("telltale: cannot open ") && run.stderr.contains("missing.pcap"),
        "{}",
        run.stderr
    );

    let empty = dir.file("empty.pcap", b"");
    assert_eq!(telltale(["analyze", empty.to_str().unwrap()]).code, 2);
    assert_eq!(telltale(["analyze"]).code, 2);
    assert_eq!(telltale(["analyze", "--no-such-option", "x"]).code, 2);
    assert_eq!(telltale(["frobnicate"]).code, 2);

    // A capture cut short: what was readable is analysed, the report warns with the offset.
    let whole = telltale_tests::sample::sample().pcapng_bytes();
    let cut = dir.file("cut.pcapng", &whole[..whole.len() - 30]);
    let run = telltale(["analyze", "--json", cut.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    let warning = &r["input"]["warnings"][0];
    assert!(
        warning["message"].as_str().unwrap().contains("ends inside"),
        "{warning}"
    );
    let offset = warning["offset"].as_u64().unwrap();
    assert!(offset < whole.len() as u64 - 30);
    assert!(
        run.stderr.contains(&format!("at byte {offset}")),
        "{}",
        run.stderr
    );
    assert_eq!(r["apps"].as_array().unwrap().len(), 3);
}

#[test]
fn output_formats_and_files() {
    let dir = Scratch::new("outputs");
    let sample = repo().join("samples/sample.pcapng");
    let (json, ndjson) = (dir.path("r.json"), dir.path("f.ndjson"));
    let run = telltale([
        "analyze".as_ref(),
        format!("--json={}", json.display()).as_ref(),
        format!("--flows={}", ndjson.display()).as_ref(),
        sample.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let lines: Vec<Value> = std::fs::read_to_string(&ndjson)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, r["totals"]["flows"].as_u64().unwrap());
    let ids: BTreeSet<u64> = lines.iter().map(|l| l["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=17).collect());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [&json, &ndjson] {
            assert_eq!(
                std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
    let both = telltale([
        "analyze".as_ref(),
        "--json".as_ref(),
        "--flows".as_ref(),
        sample.as_os_str(),
    ]);
    assert_eq!(both.code, 2);
    assert!(both.stderr.contains("standard output"), "{}", both.stderr);
}

#[test]
fn signatures_from_a_directory() {
    let dir = Scratch::new("sigs");
    let sigs = dir.path("sigs");
    std::fs::create_dir_all(sigs.join("acme")).unwrap();
    std::fs::write(
        sigs.join("set.toml"),
        "schema_version = 1\n\n[set]\ndata_version = \"test-7\"\ndescription = \"A test set.\"\n",
    )
    .unwrap();
    std::fs::write(
        sigs.join("acme/acme.toml"),
        "schema_version = 1\n\n[[vendor]]\nid = \"acme\"\nname = \"Acme\"\ndescription = \"A vendor.\"\nsource = \"test\"\n\n\
         [[service]]\nid = \"acme-chat\"\nvendor = \"acme\"\nname = \"Acme Chat\"\ncategory = \"messaging\"\n\
         description = \"Chat.\"\nsource = \"test\"\n\n[[domain]]\nsuffix = \"acme.example\"\nservice = \"acme-chat\"\n\
         note = \"chat servers\"\nsource = \"test\"\n",
    )
    .unwrap();
    let mut c = Capture::new(1_700_000_000);
    c.dns_lookup(
        dev(5007),
        sa("10.0.0.1:53"),
        11,
        "chat.acme.example",
        &[ip("198.51.100.50")],
    );
    c.dns_lookup(
        dev(5008),
        sa("10.0.0.1:53"),
        12,
        "web.wechat.com",
        &[ip("203.205.151.162")],
    );
    let path = dir.file("c.pcapng", &c.pcapng_bytes());
    let r = report_of(&path, &["--signatures", sigs.to_str().unwrap()]);
    assert_eq!(r["signatures"]["data_version"], "test-7");
    assert_eq!(
        services(only_app(&r)),
        [("acme-chat".into(), 0, 1, vec!["dns-query".into()])]
    );

    std::fs::write(sigs.join("acme/bad.toml"), "schema_version = 1\n\n[[domain]]\nsuffix = \"x.example\"\nservice = \"nope\"\nnote = \"n\"\nsource = \"s\"\n").unwrap();
    let run = telltale([
        "analyze",
        "--signatures",
        sigs.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("acme/bad.toml:5: unknown service `nope`"),
        "{}",
        run.stderr
    );
}

#[test]
fn pcapdroid_trailer_captures_name_their_apps() {
    // A PCAPdroid-style pcap: Ethernet frames with PCAPdroid's trailer (uid and app name).
    let r = report_of(
        &repo().join("rust-core/capture/testdata/pcapdroid-trailer.pcap"),
        &[],
    );
    let wechat = app(&r, "uid:10123");
    assert_eq!(wechat["name"], "WeChat");
    assert_eq!(
        services(wechat),
        [("wechat".into(), 0, 1, vec!["dns-query".into()])]
    );
    // A packet PCAPdroid could not attribute (uid -1) belongs to the device address.
    assert_eq!(app(&r, "addr:10.215.173.1")["flows"], 1);
}

/// The Android presentation tests (scripts/java-test) read the sample's report as the CLI
/// writes it; this keeps their copy the same as what the core now says.
#[test]
fn the_android_tests_read_the_samples_current_report() {
    let out = std::process::Command::new(BIN)
        .args(["analyze", "--json", "samples/sample.pcapng"])
        .current_dir(repo())
        .output()
        .expect("run telltale");
    assert!(out.status.success());
    let copy = repo().join("android/app/src/test/resources/sample-report.json");
    let copy = std::fs::read(&copy).expect("the Android tests' copy of the sample report");
    assert!(
        copy == out.stdout,
        "android/app/src/test/resources/sample-report.json is stale: run \
         `cargo run -q --release -p telltale -- analyze --json samples/sample.pcapng > \
         android/app/src/test/resources/sample-report.json`"
    );
}
