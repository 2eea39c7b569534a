//! The capture bundled as `samples/sample.pcapng`: a phone with three apps, recorded the way
//! PCAPdroid records (raw IP, per-packet app uids, app names in custom blocks).
//!
//! - WeChat (uid 10123) looks up `short.weixin.qq.com` in clear, then talks to the answered
//!   Tencent address on port 8080 without a name of its own, and opens TLS to
//!   `szextshort.weixin.qq.com`.
//! - A news app (uid 10234) carries the Bugly crash-reporting SDK: it looks up
//!   `android.bugly.qq.com` and posts to it over plain HTTP; it also fetches its own news over
//!   TLS from a server that still chooses TLS 1.0, and sends UDP to a server on Tencent Cloud's
//!   network with no name at all.
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
        "short.weixin.qq.com",
        &[ip("203.205.239.37")],
    );
    c.tcp_session(
        sa("10.215.173.1:41000"),
        sa("203.205.239.37:8080"),
        &[(true, &[0x5a; 300]), (false, &[0xa5; 900])],
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
    c
}
