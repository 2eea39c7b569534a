//! The Tencent protocol detectors end to end: WeChat's MMTLS (long and short links, the shared
//! resumption ticket), newgetdns and business-layer requests, QQ's OICQ and MSF framings,
//! HTTPDNS and DNSPod's encrypted resolvers, identifiers and location in clear HTTP, code
//! downloads, and Tencent kits inside other apps. Each capture is built by the tests from the
//! documented layouts and must yield exactly its expected findings.

use serde_json::Value;
use std::collections::BTreeSet;
use telltale_tests::cli::{
    self, app, evidence, finding, findings_of, kinds, only_app, services, set,
};
use telltale_tests::msg::{self, Hello};
use telltale_tests::{App, Capture, sa};

const BIN: &str = env!("CARGO_BIN_EXE_telltale");

fn report(c: &Capture) -> Value {
    cli::report(BIN, c)
}

fn flows(c: &Capture, extra: &[&str]) -> Vec<Value> {
    cli::flows(BIN, c, extra)
}

fn dev(port: u16) -> std::net::SocketAddr {
    sa(&format!("10.0.0.2:{port}"))
}

/// A TCP connection from the device's `port` to `server`, carrying `turns` in 1400-byte segments.
fn session(c: &mut Capture, port: u16, server: &str, turns: &[(bool, &[u8])]) {
    c.tcp_session(dev(port), sa(server), turns, 1400);
}

/// The flow of a capture whose client port is `port`.
fn flow(flows: &[Value], port: u16) -> &Value {
    flows
        .iter()
        .find(|f| f["sport"] == port)
        .unwrap_or_else(|| panic!("no flow from port {port}"))
}

const TICKET: &[u8] = b"a made-up MMTLS resumption ticket, the same on every connection";
/// A long link: raw MMTLS over TCP, a 1-RTT ClientHello with a ticket and two key shares.
fn long_link(c: &mut Capture, port: u16, server: &str) {
    let hello = msg::mmtls_long_link_hello(TICKET, 1_701_738_555);
    let data = msg::mmtls_record(0x17, &[0xd4; 300]);
    let server_hello = msg::mmtls_server_hello(0xc02b, true);
    session(
        c,
        port,
        server,
        &[
            (true, &hello),
            (false, &server_hello),
            (true, &data),
            (false, &msg::mmtls_record(0x17, &[0xe5; 900])),
        ],
    );
}

/// A short link: `POST /mmtls/<8 hex>` whose body is a 0-RTT ClientHello, encrypted extensions,
/// early data and an alert; the response a ServerHello, data and an alert.
fn short_link(c: &mut Capture, port: u16, server: &str) {
    let request = msg::mmtls_short_link_request("sgshort.wechat.com", TICKET, 1_701_738_560);
    let response = msg::mmtls_short_link_response();
    session(c, port, server, &[(true, &request), (false, &response)]);
}

#[test]
fn an_mmtls_long_link_is_wechat_without_any_name() {
    let mut c = Capture::new(1_701_738_555);
    long_link(&mut c, 40000, "198.51.100.60:8080");
    let r = report(&c);
    assert_eq!(
        kinds(only_app(&r)),
        set(&[
            ("proprietary-crypto", "medium", "wechat"),
            ("tencent-contact", "low", "wechat")
        ])
    );
    let f = flows(&c, &[]);
    let m = &f[0]["mmtls"];
    assert_eq!(f[0]["app_proto"], "mmtls");
    assert_eq!(f[0]["attribution"]["basis"], "protocol");
    assert_eq!(m["link"], "long");
    assert_eq!(m["records"], serde_json::json!([2, 2]));
    assert_eq!(m["hello"]["suites"], serde_json::json!([0xc02b, 0x00a8]));
    assert_eq!(m["hello"]["ticket_lifetime"], msg::MMTLS_THIRTY_DAYS);
    assert_eq!(m["hello"]["key_shares"], 2);
    assert_eq!(m["hello"]["early"], false);
    assert_eq!(m["server_suite"], 0xc02b);
    let expected_id = &msg::sha256_hex(TICKET)[..12];
    assert_eq!(m["hello"]["ticket"], expected_id);
    let p = finding(only_app(&r), "proprietary-crypto");
    assert_eq!(p["evidence"]["client_clock"], "2023-12-05T01:09:15.000000Z");
    assert_eq!(
        p["evidence"]["suites"],
        "ECDHE-ECDSA-AES128-GCM-SHA256, PSK-AES128-GCM-SHA256"
    );
}

#[test]
fn short_links_and_the_long_link_share_one_ticket() {
    let mut c = Capture::new(1_701_738_555);
    short_link(&mut c, 41000, "198.51.100.61:80");
    short_link(&mut c, 41001, "198.51.100.62:80");
    long_link(&mut c, 41002, "198.51.100.63:8080");
    let r = report(&c);
    let a = only_app(&r);
    assert_eq!(
        kinds(a),
        set(&[
            ("proprietary-crypto", "medium", "wechat"),
            ("linkable-token", "medium", "wechat"),
            ("tencent-contact", "low", "wechat"),
        ])
    );
    let token = finding(a, "linkable-token");
    assert_eq!(token["count"], 3);
    assert_eq!(token["flows"], serde_json::json!([1, 2, 3]));
    assert!(
        token["summary"]
            .as_str()
            .unwrap()
            .contains("MMTLS resumption ticket")
    );
    let f = flows(&c, &[]);
    let short = flow(&f, 41000);
    assert_eq!(short["mmtls"]["link"], "short");
    assert_eq!(short["mmtls"]["hello"]["early"], true);
    assert_eq!(short["mmtls"]["records"], serde_json::json!([4, 3]));
    assert_eq!(short["mmtls"]["alerts"], 2);
    assert_eq!(short["http"][0]["mmtls"], true);
    assert_eq!(short["attribution"]["basis"], "http-host");
    let zero_rtt = finding(short, "proprietary-crypto");
    assert!(
        zero_rtt["summary"]
            .as_str()
            .unwrap()
            .contains("without forward secrecy"),
        "{zero_rtt}"
    );
    // The ticket id is the same on all three flows; the ticket itself is never shown.
    let ids: Vec<&Value> = f.iter().map(|x| &x["mmtls"]["hello"]["ticket"]).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert!(
        !serde_json::to_string(&f)
            .unwrap()
            .contains("a made-up MMTLS")
    );
}

#[test]
fn newgetdns_exposes_the_account_and_names_wechat_servers() {
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<dns>\n<retcode>0</retcode>\n<domainlist>\n\
<domain name=\"szlong.weixin.qq.com\" timeout=\"1860\">\n<ipv6>::ffff:198.51.100.80</ipv6>\n<ip>198.51.100.80</ip>\n</domain>\n\
</domainlist>\n</dns>\n";
    let body = msg::deflate(xml.as_bytes());
    let request = msg::http_request(
        "GET",
        "dns.weixin.qq.com",
        "/cgi-bin/micromsg-bin/newgetdns?uin=1505495844&clientversion=671094583&scene=0&net=1&devicetype=android-34&lan=en&sigver=2&networkid=46886632a5c87cb10e3c60852250a8f3",
        &[("User-Agent", "MicroMessenger Client")],
        b"",
    );
    let mut response = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: deflate\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    let mut c = Capture::new(1_701_738_555);
    session(
        &mut c,
        42000,
        "198.51.100.70:8080",
        &[(true, &request), (false, &response)],
    );
    session(&mut c, 42001, "198.51.100.80:8080", &[(true, &[0x01; 64])]);
    let r = report(&c);
    assert_eq!(
        kinds(only_app(&r)),
        set(&[
            ("identifier-cleartext", "high", "wechat"),
            ("httpdns-cleartext", "medium", "wechat"),
            ("cleartext-http", "medium", "wechat"),
            ("tencent-contact", "low", "wechat"),
        ])
    );
    let ids: BTreeSet<(&str, &str)> = findings_of(only_app(&r), "identifier-cleartext")
        .iter()
        .map(|f| {
            (
                f["evidence"]["identifier"].as_str().unwrap(),
                f["evidence"]["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            ("WeChat account ID", "1•••••••44"),
            ("WeChat network ID", "46•••••••••••••••••••••••••••8f3")
        ])
    );
    assert_eq!(
        finding(only_app(&r), "httpdns-cleartext")["summary"],
        "looked up a list of WeChat's servers over plain HTTP (WeChat's newgetdns), stating the device type android-34"
    );
    let f = flows(&c, &[]);
    assert_eq!(flow(&f, 42000)["http"][0]["lookup"]["answered"], 1);
    let later = flow(&f, 42001);
    assert_eq!(later["attribution"]["basis"], "http-lookup-answer");
    assert_eq!(later["attribution"]["name"], "szlong.weixin.qq.com");
    let shown = flows(&c, &["--show-identifiers"]);
    assert_eq!(
        flow(&shown, 42000)["http"][0]["identifiers"][0]["value"],
        "1505495844"
    );
}

#[test]
fn a_wechat_request_without_mmtls_names_its_api() {
    let request = msg::http_request(
        "POST",
        "hkextshort.weixin.qq.com",
        "/cgi-bin/micromsg-bin/newsync",
        &[
            ("User-Agent", "MicroMessenger Client"),
            ("Content-Type", "application/octet-stream"),
        ],
        &[0xbf; 120],
    );
    let mut c = Capture::new(1_701_738_555);
    session(&mut c, 43000, "198.51.100.85:80", &[(true, &request)]);
    let r = report(&c);
    assert_eq!(
        kinds(only_app(&r)),
        set(&[
            ("proprietary-crypto", "high", "wechat"),
            ("cleartext-http", "medium", "wechat"),
            ("tencent-contact", "low", "wechat"),
        ])
    );
    assert_eq!(
        finding(only_app(&r), "proprietary-crypto")["evidence"]["api"],
        "newsync"
    );
}

#[test]
fn qq_framings_expose_the_qq_number() {
    let mut udp = Capture::new(1_701_738_555);
    udp.udp(
        dev(44000),
        sa("198.51.100.90:8000"),
        &msg::oicq_packet(0x0022, 1, 123_456_789),
    );
    let mut tcp = Capture::new(1_701_738_555);
    session(
        &mut tcp,
        44001,
        "198.51.100.91:8080",
        &[(true, &msg::msf_frame("987654321"))],
    );
    for (c, number) in [(udp, "123456789"), (tcp, "987654321")] {
        let r = report(&c);
        assert_eq!(
            kinds(only_app(&r)),
            set(&[
                ("proprietary-crypto", "medium", "qq"),
                ("identifier-cleartext", "high", "qq"),
                ("tencent-contact", "low", "qq"),
            ])
        );
        let f = flows(&c, &[]);
        assert_eq!(f[0]["app_proto"], "qq");
        assert_ne!(f[0]["qq"]["qq_number"], number, "masked by default");
        assert_eq!(
            flows(&c, &["--show-identifiers"])[0]["qq"]["qq_number"],
            number
        );
    }
}

#[test]
fn httpdns_lookups_are_cleartext_and_teach_names() {
    let request = msg::http_request("GET", "119.29.29.29", "/d?dn=www.qq.com&ttl=1", &[], b"");
    let response = msg::http_response(200, "text/html", b"198.51.100.100;198.51.100.101,120");
    let mut c = Capture::new(1_701_738_555);
    session(
        &mut c,
        45000,
        "119.29.29.29:80",
        &[(true, &request), (false, &response)],
    );
    let hello = msg::client_hello(&Hello::default());
    session(&mut c, 45001, "198.51.100.101:443", &[(true, &hello)]);
    let f = flows(&c, &[]);
    let lookup = flow(&f, 45000);
    assert_eq!(
        lookup["http"][0]["lookup"]["names"],
        serde_json::json!(["www.qq.com"])
    );
    assert_eq!(lookup["attribution"]["service"], "dnspod");
    assert_eq!(lookup["attribution"]["basis"], "service-address");
    let later = flow(&f, 45001);
    assert_eq!(
        (
            later["attribution"]["basis"].as_str(),
            later["attribution"]["name"].as_str()
        ),
        (Some("http-lookup-answer"), Some("www.qq.com"))
    );
    let r = report(&c);
    assert_eq!(
        kinds(only_app(&r)),
        set(&[
            ("httpdns-cleartext", "medium", "dnspod"),
            ("cleartext-http", "medium", "-"),
            ("tencent-contact", "low", "dnspod"),
            ("tencent-contact", "low", "tencent"),
        ])
    );
}

#[test]
fn dnspod_encrypted_resolvers_are_the_apps_own_dns() {
    let mut c = Capture::new(1_701_738_555);
    let hello = msg::client_hello(&Hello {
        sni: Some("doh.pub"),
        ..Hello::default()
    });
    session(&mut c, 46000, "198.51.100.110:443", &[(true, &hello)]);
    let bare = msg::client_hello(&Hello::default());
    session(&mut c, 46001, "1.12.12.12:443", &[(true, &bare)]);
    let r = report(&c);
    assert_eq!(
        kinds(only_app(&r)),
        set(&[
            ("own-encrypted-dns", "low", "dnspod"),
            ("server-name-visible", "low", "dnspod"),
            ("tencent-contact", "low", "dnspod"),
        ])
    );
    assert_eq!(
        evidence(only_app(&r), "own-encrypted-dns", "resolver"),
        BTreeSet::from(["doh.pub", "1.12.12.12"])
    );
}

#[test]
fn identifiers_and_location_in_clear_requests() {
    let body = b"imei=490154203237518&mac=02:1a:2b:3c:4d:5e&lat=39.904211&lng=116.407395&v=3";
    let request = msg::http_request(
        "POST",
        "collect.example.net",
        "/v1/user/bob%40example.org/report",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            (
                "User-Agent",
                "ReportKit/2.1 (imei=490154203237518; Android 14)",
            ),
        ],
        body,
    );
    let mut c = Capture::new(1_701_738_555);
    session(&mut c, 47000, "198.51.100.120:80", &[(true, &request)]);
    let r = report(&c);
    assert_eq!(
        kinds(only_app(&r)),
        set(&[
            ("identifier-cleartext", "high", "-"),
            ("location-cleartext", "high", "-"),
            ("cleartext-http", "medium", "-"),
        ])
    );
    assert_eq!(
        evidence(only_app(&r), "identifier-cleartext", "identifier"),
        BTreeSet::from(["IMEI", "MAC address", "e-mail address"])
    );
    let f = flows(&c, &[]);
    assert_eq!(f[0]["http"][0]["target"], "/v1/user/…/report");
    assert_eq!(
        f[0]["http"][0]["user_agent"],
        "ReportKit/2.1 (imei=49••••••••••518; Android 14)"
    );
    for text in [
        serde_json::to_string(&r).unwrap(),
        serde_json::to_string(&f).unwrap(),
    ] {
        for value in ["490154203237518", "116.407395", "bob@", "bob%40"] {
            assert!(!text.contains(value), "{value} not masked: {text}");
        }
    }
    let shown = flows(&c, &["--show-identifiers"]);
    assert_eq!(
        shown[0]["http"][0]["target"],
        "/v1/user/bob%40example.org/report"
    );
}

#[test]
fn code_downloads_in_clear_and_encrypted() {
    let tbs = [
        msg::zip_local_file("core.jar", &[7; 2000]),
        msg::zip_local_file("libmttwebview.so", &[9; 1500]),
    ]
    .concat();
    let tbs_sha = msg::sha256_hex(&tbs);
    let get = msg::http_request(
        "GET",
        "soft.tbs.imtt.qq.com",
        "/17421/tbs_core_046918.tbs",
        &[],
        b"",
    );
    let mut c = Capture::new(1_701_738_555);
    session(
        &mut c,
        48000,
        "198.51.100.130:80",
        &[
            (true, &get),
            (
                false,
                &msg::http_response(200, "application/octet-stream", &tbs),
            ),
        ],
    );
    // An APK in a chunked response from a host that is no source of code by name.
    let apk = [
        msg::zip_local_file("AndroidManifest.xml", &[1; 600]),
        msg::zip_local_file("classes.dex", b"dex\n035\0rest"),
    ]
    .concat();
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for piece in apk.chunks(300) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let get_apk = msg::http_request("GET", "apps.example.com", "/update", &[], b"");
    session(
        &mut c,
        48001,
        "198.51.100.131:80",
        &[(true, &get_apk), (false, &chunked)],
    );
    // Over TLS from the TBS host: only the amount shows.
    let hello = msg::client_hello(&Hello {
        sni: Some("soft.tbs.imtt.qq.com"),
        ..Hello::default()
    });
    session(
        &mut c,
        48002,
        "198.51.100.132:443",
        &[
            (true, &hello),
            (false, &msg::server_hello(0x0304, 0x1301)),
            (false, &[0x17; 100_000]),
        ],
    );
    let f = flows(&c, &[]);
    let d = &flow(&f, 48000)["http"][0]["download"];
    assert_eq!(
        (
            d["kind"].as_str(),
            d["bytes"].as_u64(),
            d["complete"].as_bool()
        ),
        (Some("tbs"), Some(tbs.len() as u64), Some(true))
    );
    assert_eq!(d["sha256"], tbs_sha.as_str());
    let d = &flow(&f, 48001)["http"][0]["download"];
    assert_eq!(
        (d["kind"].as_str(), d["bytes"].as_u64()),
        (Some("apk"), Some(apk.len() as u64))
    );
    let apk_sha = msg::sha256_hex(&apk);
    assert_eq!(d["sha256"], apk_sha.as_str());
    let downloads: Vec<(String, String)> = f
        .iter()
        .flat_map(|x| findings_of(x, "code-download"))
        .map(|x| {
            (
                x["severity"].as_str().unwrap().to_owned(),
                x["service"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        downloads,
        [
            ("high".into(), "tbs-x5".into()),
            ("high".into(), "-".into()),
            ("medium".into(), "tbs-x5".into())
        ]
    );
}

#[test]
fn tencent_kits_inside_other_apps() {
    let mut c = Capture::new(1_701_738_555);
    c.apps = vec![
        App {
            uid: 10234,
            package: "com.example.dailynews".into(),
            name: "Daily News".into(),
        },
        App {
            uid: 10123,
            package: "com.tencent.mm".into(),
            name: "WeChat".into(),
        },
    ];
    let hello = msg::client_hello(&Hello {
        sni: Some("android.bugly.qq.com"),
        ..Hello::default()
    });
    for (uid, port) in [(10234, 49000), (10123, 49001)] {
        c.as_app(Some(uid));
        session(&mut c, port, "198.51.100.140:443", &[(true, &hello)]);
    }
    let r = report(&c);
    let news = app(&r, "uid:10234");
    let wechat = app(&r, "uid:10123");
    assert_eq!(news["vendors"][0]["services"][0]["kit_in_app"], true);
    assert_eq!(wechat["vendors"][0]["services"][0]["kit_in_app"], false);
    assert_eq!(
        news["exposure"]["reason"],
        "This app uses encryption, but the names of the servers it contacts are visible, and it exchanges data with Tencent services (Bugly, through a kit built into the app)."
    );
    assert_eq!(
        services(news),
        [("bugly".into(), 1, 0, vec!["tls-sni".into()])]
    );
}
