//! The capture bundled as `samples/sample.pcapng`: a phone with three apps, recorded the way
//! PCAPdroid records (raw IP, per-packet app uids, app names in custom blocks).
//!
//! - WeChat (uid 10123) asks `dns.weixin.qq.com/cgi-bin/micromsg-bin/newgetdns` over plain HTTP
//!   for its servers' addresses, with its account number (`uin`) in the URL; opens an MMTLS
//!   long link to port 8080 of an answered address, which has no name of its own; sends an
//!   MMTLS short link (`POST /mmtls/…`) to `szshort.weixin.qq.com` that resumes with the same
//!   ticket; and opens TLS to `szextshort.weixin.qq.com`.
//! - A news app (uid 10234) carries the Bugly crash-reporting SDK and Tencent's map kit: it
//!   looks up `android.bugly.qq.com` and posts to it over plain HTTP, and asks
//!   `apis.map.qq.com` over plain HTTP for the address at the phone's coordinates; it also
//!   fetches its own news over TLS from a server that still chooses TLS 1.0, and sends UDP to a
//!   server on Tencent Cloud's network with no name at all. Last, its ByteDance ad kit (Pangle)
//!   asks for an ad over TLS.
//! - A browser (uid 10345) opens TLS to a non-Tencent site.

use crate::msg::{self, Hello};
use crate::{App, Capture, ip, sa};

/// The sample capture.
pub fn sample() -> Capture {
    let mut c = Capture::new(1_764_000_000);
    c.apps = vec![
        App {
            uid: 10123,
            package: "com.tencent.mm".into(),
            name: "WeChat".into(),
        },
        App {
            uid: 10234,
            package: "com.example.dailynews".into(),
            name: "Daily News".into(),
        },
        App {
            uid: 10345,
            package: "org.example.browser".into(),
            name: "Browser".into(),
        },
    ];
    let resolver = sa("10.215.173.2:53");

    c.as_app(Some(10123));
    c.dns_lookup(
        sa("10.215.173.1:40001"),
        resolver,
        0x1001,
        "dns.weixin.qq.com",
        &[ip("203.205.239.20")],
    );
    let newgetdns = msg::http_request(
        "GET",
        "dns.weixin.qq.com",
        "/cgi-bin/micromsg-bin/newgetdns?uin=1505495844&clientversion=671094583&scene=0&net=1&devicetype=android-34&lan=en",
        &[("User-Agent", "MicroMessenger Client")],
        b"",
    );
    let servers = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<dns>\n<domainlist>\n\
<domain name=\"long.weixin.qq.com\" timeout=\"1800\">\n<ip>203.205.239.37</ip>\n</domain>\n\
<domain name=\"szshort.weixin.qq.com\" timeout=\"1800\">\n<ip>203.205.239.38</ip>\n</domain>\n\
</domainlist>\n</dns>\n";
    let body = msg::deflate(servers.as_bytes());
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: deflate\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    c.tcp_session(
        sa("10.215.173.1:41006"),
        sa("203.205.239.20:80"),
        &[(true, &newgetdns), (false, &answer)],
        1400,
    );
    let ticket = b"sample MMTLS resumption ticket, shared by the long and short links";
    c.tcp_session(
        sa("10.215.173.1:41000"),
        sa("203.205.239.37:8080"),
        &[
            (true, &msg::mmtls_long_link_hello(ticket, 1_764_000_001)),
            (false, &msg::mmtls_server_hello(0xc02b, true)),
            (true, &msg::mmtls_record(0x17, &[0x5a; 300])),
            (false, &msg::mmtls_record(0x17, &[0xa5; 900])),
        ],
        1400,
    );
    c.tcp_session(
        sa("10.215.173.1:41007"),
        sa("203.205.239.38:80"),
        &[
            (
                true,
                &msg::mmtls_short_link_request("szshort.weixin.qq.com", ticket, 1_764_000_002),
            ),
            (false, &msg::mmtls_short_link_response()),
        ],
        1400,
    );
    c.dns_lookup(
        sa("10.215.173.1:40002"),
        resolver,
        0x1002,
        "szextshort.weixin.qq.com",
        &[ip("203.205.232.68")],
    );
    let hello = msg::client_hello(&Hello {
        sni: Some("szextshort.weixin.qq.com"),
        ..Hello::default()
    });
    let server_hello = msg::server_hello(0x0304, 0x1301);
    c.tcp_session(
        sa("10.215.173.1:41001"),
        sa("203.205.232.68:443"),
        &[
            (true, &hello),
            (false, &server_hello),
            (true, &[0x17; 200]),
            (false, &[0x17; 2000]),
        ],
        1400,
    );

    c.as_app(Some(10234));
    c.dns_lookup(
        sa("10.215.173.1:40003"),
        resolver,
        0x1003,
        "android.bugly.qq.com",
        &[ip("43.135.106.80")],
    );
    let crash = msg::http_request(
        "POST",
        "android.bugly.qq.com",
        "/rqd/async?aid=4f8e2b1c-77aa-4c3e-9d1e-0d5a9c3b2e11&p=com.example.dailynews",
        &[
            ("User-Agent", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7)"),
            ("Content-Type", "application/octet-stream"),
        ],
        &[0x42; 180],
    );
    c.tcp_session(
        sa("10.215.173.1:41002"),
        sa("43.135.106.80:80"),
        &[
            (true, &crash),
            (
                false,
                &msg::http_response(200, "application/octet-stream", &[0x24; 64]),
            ),
        ],
        1400,
    );
    c.dns_lookup(
        sa("10.215.173.1:40006"),
        resolver,
        0x1006,
        "apis.map.qq.com",
        &[ip("109.244.194.121")],
    );
    let geocode = msg::http_request(
        "GET",
        "apis.map.qq.com",
        "/ws/geocoder/v1/?location=39.984154,116.307490&key=OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77&get_poi=0",
        &[("User-Agent", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7)")],
        b"",
    );
    c.tcp_session(
        sa("10.215.173.1:41008"),
        sa("109.244.194.121:80"),
        &[
            (true, &geocode),
            (
                false,
                &msg::http_response(200, "application/json", b"{\"status\":0}"),
            ),
        ],
        1400,
    );
    c.dns_lookup(
        sa("10.215.173.1:40004"),
        resolver,
        0x1004,
        "news.example.org",
        &[ip("93.184.215.14")],
    );
    let old = msg::client_hello(&Hello {
        sni: Some("news.example.org"),
        alpn: &["http/1.1"],
        ciphers: &[0xc013, 0x002f, 0x000a],
        versions: &[],
        legacy_version: 0x0301,
        extra: &[],
    });
    c.tcp_session(
        sa("10.215.173.1:41003"),
        sa("93.184.215.14:443"),
        &[
            (true, &old),
            (false, &msg::server_hello(0x0301, 0x002f)),
            (true, &[0x17; 300]),
        ],
        1400,
    );
    c.udp(
        sa("10.215.173.1:41004"),
        sa("49.51.181.168:20182"),
        &[0x11; 120],
    );
    c.udp(
        sa("49.51.181.168:20182"),
        sa("10.215.173.1:41004"),
        &[0x22; 80],
    );

    c.as_app(Some(10345));
    c.dns_lookup(
        sa("10.215.173.1:40005"),
        resolver,
        0x1005,
        "www.wikipedia.org",
        &[ip("185.15.59.224")],
    );
    let wiki = msg::client_hello(&Hello {
        sni: Some("www.wikipedia.org"),
        ..Hello::default()
    });
    c.tcp_session(
        sa("10.215.173.1:41005"),
        sa("185.15.59.224:443"),
        &[
            (true, &wiki),
            (false, &server_hello),
            (true, &[0x17; 400]),
            (false, &[0x17; 5000]),
        ],
        1400,
    );

    c.as_app(Some(10234));
    c.dns_lookup(
        sa("10.215.173.1:40007"),
        resolver,
        0x1007,
        "api16-access-sg.pangle.io",
        &[ip("198.51.100.77")],
    );
    let ad = msg::client_hello(&Hello {
        sni: Some("api16-access-sg.pangle.io"),
        ..Hello::default()
    });
    c.tcp_session(
        sa("10.215.173.1:41009"),
        sa("198.51.100.77:443"),
        &[(true, &ad), (false, &server_hello), (true, &[0x17; 200])],
        1400,
    );
    c
}
