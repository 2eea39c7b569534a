//! `telltale signatures` (check, list, lookup, stats) and signature layers end to end: the
//! built-in set passes its own check, bad sets fail with file, line and reason, lookups explain
//! in words and JSON which rule wins, and a user's directory laid over the built-in set adds
//! and replaces rules, which reports record.

use serde_json::Value;
use telltale_tests::cli::{self, Run, app, finding, kinds, only_app, set};
use telltale_tests::msg::{self, Hello};
use telltale_tests::{App, Capture, Scratch, sa};

const BIN: &str = env!("CARGO_BIN_EXE_telltale");

fn run(args: &[&str]) -> Run {
    cli::run(BIN, args)
}

fn json(args: &[&str]) -> Value {
    let r = run(args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    serde_json::from_str(&r.stdout).expect("one JSON object")
}

#[test]
fn the_built_in_set_passes_its_check() {
    let r = run(&["signatures", "check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("Signature set 20"), "{}", r.stdout);
    assert!(
        r.stdout.trim_end().ends_with(" notes: passed")
            || r.stdout.trim_end().ends_with(" note: passed"),
        "{}",
        r.stdout
    );
    let v = json(&["signatures", "check", "--json"]);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0, "{v:#}");
}

/// A directory of signature files for a made-up vendor, written by the test.
fn acme_dir(extra: &str) -> Scratch {
    let dir = Scratch::new("sigs");
    dir.file(
        "acme.toml",
        format!(
            r#"schema_version = 1

[set]
data_version = "acme-1"
description = "A test layer."

[[vendor]]
id = "acme"
name = "Acme"
description = "A made-up vendor."
source = "test"
app_packages = ["com.acme."]

[[service]]
id = "acme-ads"
vendor = "acme"
name = "Acme Ads"
category = "ads"
description = "Made-up ads."
source = "test"

[[domain]]
suffix = "ads.acme.test"
service = "acme-ads"
note = "ad requests"
source = "test"
examples = ["x.ads.acme.test"]
{extra}"#
        )
        .as_bytes(),
    );
    dir
}

#[test]
fn check_fails_on_errors_and_a_bad_file_names_file_and_line() {
    // A public suffix and a package prefix that Tencent's overlaps.
    let dir = acme_dir(
        r#"
[[domain]]
suffix = "com.cn"
service = "acme-ads"
note = "too wide"
source = "test"
examples = ["acme.com.cn"]

[[vendor]]
id = "acme-two"
name = "Acme Two"
description = "Another."
source = "test"
app_packages = ["com.tencent.mm"]
"#,
    );
    let extra = dir.path("");
    let extra = extra.to_str().unwrap();
    let r = run(&["signatures", "check", "--extra-signatures", extra]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let errors: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 2, "{}", r.stdout);
    assert!(errors[0].ends_with("acme.toml:30: `com.cn` is a public suffix: the rule would match every company registered under it"), "{}", errors[0]);
    assert!(errors[1].ends_with("vendor acme-two: app package prefix `com.tencent.mm` overlaps `com.tencent.` of vendor tencent"), "{}", errors[1]);
    assert!(r.stdout.contains("2 errors"), "{}", r.stdout);
    assert_eq!(r.stderr.trim(), "telltale: the signature set has 2 errors");

    let bad = Scratch::new("badsigs");
    bad.file(
        "x.toml",
        b"schema_version = 1\n\n[[domain]]\nsuffix = \"Bad.example\"\nservice = \"wechat\"\nnote = \"n\"\nsource = \"s\"\n",
    );
    let bad_dir = bad.path("");
    let bad_dir = bad_dir.to_str().unwrap();
    for cmd in [
        vec!["signatures", "check", "--extra-signatures", bad_dir],
        vec!["analyze", "--extra-signatures", bad_dir, "nonexistent.pcap"],
    ] {
        let r = run(&cmd);
        assert_eq!(r.code, 2, "{cmd:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim(),
            format!(
                "telltale: signatures in {bad_dir}: {}x.toml:4: domain suffix `Bad.example` has a bad character 'B' (write domain suffixes in lowercase)",
                bad.path("").display()
            )
        );
    }
    let r = run(&[
        "signatures",
        "check",
        "--signatures",
        bad_dir,
        "--extra-signatures",
        bad_dir,
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not both"), "{}", r.stderr);
}

#[test]
fn lookup_explains_names_and_addresses() {
    let r = run(&[
        "signatures",
        "lookup",
        "dns.weixin.qq.com",
        "notqq.com",
        "119.29.29.29",
        "192.0.2.1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(out.contains("\ndns.weixin.qq.com\n  Named WeChat of Tencent (messaging) by the rule `dns.weixin.qq.com` (signatures/tencent/wechat.toml:"), "{out}");
    assert!(out.contains("  Shorter rules also match it but lose, because the longest matching suffix wins:\n    `weixin.qq.com` -> WeChat (Tencent, messaging), signatures/tencent/wechat.toml:"), "{out}");
    assert!(out.contains("\nnotqq.com\n  No rule names it: Telltale does not attribute this name to any vendor.\n  Look-alike rules do not match: a rule matches a name only as its last whole labels:\n    `qq.com` -> "), "{out}");
    assert!(out.contains("\n119.29.29.29\n  A documented address of DNSPod of Tencent (dns), port 53, by the rule at signatures/tencent/dnspod.toml:"), "{out}");
    assert!(
        out.contains("  In Tencent's network: 119.28.0.0/15 (list of "),
        "{out}"
    );
    assert!(
        out.contains(
            "\n192.0.2.1\n  No rule covers it: Telltale does not attribute this address.\n"
        ),
        "{out}"
    );

    let v = json(&[
        "signatures",
        "lookup",
        "--json",
        "res.wx.qq.com",
        "weixin.qq.com.evil.example",
        "43.130.1.1",
    ]);
    let l = &v["lookups"];
    assert_eq!(l[0]["match"]["suffix"], "wx.qq.com");
    assert_eq!(l[0]["match"]["service"], "wechat");
    assert_eq!(l[0]["shorter"][0]["suffix"], "qq.com");
    assert!(l[1]["match"].is_null());
    assert_eq!(l[1]["near_misses"][0]["suffix"], "weixin.qq.com");
    assert_eq!(l[2]["kind"], "address");
    assert_eq!(l[2]["endpoints"], serde_json::json!([]));
    assert_eq!(l[2]["networks"][0]["prefix"], "43.130.0.0/16");
    assert_eq!(l[2]["networks"][0]["vendor"], "tencent");
}

#[test]
fn list_and_stats_agree() {
    let list = json(&["signatures", "list", "--json"]);
    let stats = json(&["signatures", "stats", "--json"]);
    assert_eq!(list["signatures"], stats["signatures"]);
    let vendors = list["vendors"].as_array().unwrap();
    for (l, s) in vendors.iter().zip(stats["vendors"].as_array().unwrap()) {
        assert_eq!(l["vendor"]["id"], s["vendor"]["id"]);
        let services = l["services"].as_array().unwrap();
        assert_eq!(services.len() as u64, s["services"].as_u64().unwrap());
        let domains: u64 = services
            .iter()
            .map(|x| x["domains"].as_u64().unwrap())
            .sum();
        assert_eq!(domains, s["domains"].as_u64().unwrap());
        assert!(services.iter().all(|x| {
            x["service"]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        }));
    }
    let tencent = &vendors
        .iter()
        .find(|v| v["vendor"]["id"] == "tencent")
        .unwrap();
    let wechat = tencent["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"]["id"] == "wechat")
        .unwrap();
    assert_eq!(wechat["protocols"], 2);
    let text = run(&["signatures", "list"]).stdout;
    assert!(text.contains("\nTencent (tencent): "), "{text}");
    let text = run(&["signatures", "stats"]).stdout;
    assert!(text.lines().any(|l| l.starts_with("tencent ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("all ")), "{text}");
}

#[test]
fn a_users_layer_adds_and_replaces_and_reports_record_it() {
    // The user adds Acme and takes bugly.qq.com over from Bugly.
    let dir = acme_dir(
        r#"
[[domain]]
suffix = "bugly.qq.com"
service = "acme-ads"
note = "my reading of this host"
source = "test"
examples = ["android.bugly.qq.com"]
"#,
    );
    let layer = dir.path("");
    let layer = layer.to_str().unwrap();
    let mut c = Capture::new(1_701_738_555);
    for (port, sni) in [(40000, "x.ads.acme.test"), (40001, "android.bugly.qq.com")] {
        let hello = msg::client_hello(&Hello {
            sni: Some(sni),
            ..Hello::default()
        });
        c.tcp_session(
            sa(&format!("10.0.0.2:{port}")),
            sa("198.51.100.9:443"),
            &[(true, &hello)],
            1400,
        );
    }
    let scratch = Scratch::new("layer");
    let pcap = scratch.file("c.pcapng", &c.pcapng_bytes());
    let r = cli::report_of(BIN, &pcap, &["--extra-signatures", layer]);
    let a = only_app(&r);
    assert_eq!(
        kinds(a),
        set(&[
            ("vendor-contact", "low", "acme-ads"),
            ("server-name-visible", "low", "acme-ads"),
        ])
    );
    assert_eq!(finding(a, "vendor-contact")["vendor"], "acme");
    let sigs = &r["signatures"];
    assert_eq!(sigs["overrides"], 1);
    assert_eq!(sigs["layers"][0]["name"], "built-in");
    assert_eq!(sigs["layers"][1]["name"], layer);
    assert_eq!(sigs["layers"][1]["data_version"], "acme-1");
    assert_eq!(sigs["layers"][1]["files"], 1);
    let builtin = cli::report_of(BIN, &pcap, &[]);
    assert_ne!(builtin["signatures"]["id"], sigs["id"]);
    assert_eq!(builtin["signatures"]["layers"].as_array().unwrap().len(), 1);

    // Every flow record names the set that judged it.
    let run = cli::run(
        BIN,
        [
            "analyze",
            "--flows",
            pcap.to_str().unwrap(),
            "--extra-signatures",
            layer,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in run.stdout.lines() {
        let flow: Value = serde_json::from_str(line).unwrap();
        assert_eq!(flow["signatures"], sigs["id"]);
    }
    let text = cli::run(
        BIN,
        [
            "analyze",
            pcap.to_str().unwrap(),
            "--extra-signatures",
            layer,
        ],
    )
    .stdout;
    assert!(
        text.contains(&format!(
            "  with {layer} laid over it (1 files, data acme-1; 1 entries replaced)"
        )),
        "{text}"
    );
    assert!(text.contains("  Findings about Acme:\n"), "{text}");
    let lookup = cli::run(
        BIN,
        [
            "signatures",
            "lookup",
            "android.bugly.qq.com",
            "--extra-signatures",
            layer,
        ],
    )
    .stdout;
    assert!(
        lookup.contains("Named Acme Ads of Acme (ads) by the rule `bugly.qq.com`"),
        "{lookup}"
    );
    let check = cli::run(BIN, ["signatures", "check", "--extra-signatures", layer]).stdout;
    assert!(check.contains("note    "), "{check}");
    assert!(
        check.contains(
            "replaces the domain suffix `bugly.qq.com` at signatures/tencent/bugly.toml:14"
        ),
        "{check}"
    );
}

#[test]
fn bytedance_is_named_from_signature_data_alone() {
    // TikTok itself, and a news app with ByteDance's and Tencent's ad and crash kits inside.
    let mut c = Capture::new(1_701_738_555);
    c.apps = vec![
        App {
            uid: 10500,
            package: "com.zhiliaoapp.musically".into(),
            name: "TikTok".into(),
        },
        App {
            uid: 10234,
            package: "com.example.dailynews".into(),
            name: "Daily News".into(),
        },
    ];
    let hello = |sni| {
        msg::client_hello(&Hello {
            sni: Some(sni),
            ..Hello::default()
        })
    };
    let (tiktok, pangle, bugly) = (
        hello("vcs-va.tiktokv.com"),
        hello("api-access.pangle.io"),
        hello("android.bugly.qq.com"),
    );
    let answer = vec![0x17; 3000];
    c.as_app(Some(10500));
    c.tcp_session(
        sa("10.0.0.2:50000"),
        sa("198.51.100.150:443"),
        &[(true, &tiktok)],
        1400,
    );
    c.as_app(Some(10234));
    c.tcp_session(
        sa("10.0.0.2:50001"),
        sa("198.51.100.151:443"),
        &[(true, &pangle), (false, &answer)],
        1400,
    );
    c.tcp_session(
        sa("10.0.0.2:50002"),
        sa("198.51.100.152:443"),
        &[(true, &bugly)],
        1400,
    );
    let r = cli::report(BIN, &c);

    let t = app(&r, "uid:10500");
    assert_eq!(
        kinds(t),
        set(&[
            ("vendor-contact", "low", "tiktok"),
            ("server-name-visible", "low", "tiktok"),
        ])
    );
    assert_eq!(finding(t, "vendor-contact")["vendor"], "bytedance");
    assert_eq!(t["vendors"][0]["id"], "bytedance");
    assert_eq!(t["vendors"][0]["services"][0]["kit_in_app"], false);
    assert_eq!(
        t["exposure"]["reason"],
        "This app uses encryption, but the names of the servers it contacts are visible, and it exchanges data with ByteDance services (TikTok)."
    );

    let news = app(&r, "uid:10234");
    let vendors: Vec<&str> = news["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(vendors, ["bytedance", "tencent"]);
    assert_eq!(
        kinds(news),
        set(&[
            ("vendor-contact", "low", "pangle"),
            ("tencent-contact", "low", "bugly"),
            ("server-name-visible", "low", "pangle"),
            ("server-name-visible", "low", "bugly"),
        ])
    );
    assert_eq!(
        news["exposure"]["reason"],
        "This app uses encryption, but the names of the servers it contacts are visible, and it exchanges data with ByteDance services (Pangle (CSJ), through a kit built into the app) and Tencent services (Bugly, through a kit built into the app)."
    );
    let scratch = Scratch::new("bytedance");
    let pcap = scratch.file("c.pcapng", &c.pcapng_bytes());
    let text = cli::run(BIN, ["analyze", pcap.to_str().unwrap()]).stdout;
    let news_text = text.split("Daily News").nth(1).unwrap_or_default();
    let (bytedance, tencent) = (
        news_text.find("  Findings about ByteDance:\n"),
        news_text.find("  Findings about Tencent:\n"),
    );
    assert!(bytedance.is_some() && bytedance < tencent, "{text}");
}

#[test]
fn volcengine_httpdns_lookups_are_cleartext_lookups_of_bytedance() {
    let request = msg::http_request(
        "GET",
        "httpdns.volcengineapi.com",
        "/resolve?domain=www.douyin.com,api.example.org&account_id=2100000&type=a",
        &[],
        b"",
    );
    let response = msg::http_response(200, "application/json", b"{}");
    let mut c = Capture::new(1_701_738_555);
    c.tcp_session(
        sa("10.0.0.2:50010"),
        sa("198.51.100.160:80"),
        &[(true, &request), (false, &response)],
        1400,
    );
    let r = cli::report(BIN, &c);
    let a = only_app(&r);
    assert_eq!(
        kinds(a),
        set(&[
            ("httpdns-cleartext", "medium", "bytedance-httpdns"),
            ("cleartext-http", "medium", "bytedance-httpdns"),
            ("vendor-contact", "low", "bytedance-httpdns"),
        ])
    );
    let f = finding(a, "httpdns-cleartext");
    assert_eq!(f["vendor"], "bytedance");
    assert_eq!(
        f["summary"],
        "looked up www.douyin.com, api.example.org over plain HTTP (Volcengine HTTPDNS)"
    );
    assert_eq!(f["evidence"]["via"], "Volcengine HTTPDNS");
    assert_eq!(f["evidence"]["host"], "httpdns.volcengineapi.com");
    // The answer's format is not known: nothing is learned from it.
    assert_eq!(f["evidence"]["answered"], "0");
}
