//! `telltale run` end to end, live: real clients (curl, dig) inside the monitored namespace,
//! real servers (python3) in a namespace the test makes, joined to the host by a veth pair.
//! Needs root, iproute2, curl and python3; each test prints why it is skipped otherwise.
//! Traffic goes only to addresses inside the namespaces the tests create; every wait is
//! bounded in time, and every namespace and process is removed when the test ends.

use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use telltale_tests::Scratch;

const BIN: &str = env!("CARGO_BIN_EXE_telltale");

/// Whether `program` runs at all.
fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Why the live tests cannot run here, if they cannot.
fn skip_reason(tools: &[&str]) -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("not root (network namespaces and TUN devices need it)".into());
    }
    if !Path::new("/dev/net/tun").exists() {
        return Some("no /dev/net/tun".into());
    }
    for t in tools {
        if !have(t, "--version") && !have(t, "-v") {
            return Some(format!("{t} is not installed"));
        }
    }
    None
}

macro_rules! skip_unless_ready {
    ($($tool:expr),*) => {
        if let Some(why) = skip_reason(&["ip", $($tool),*]) {
            eprintln!("skipped: {why}");
            return;
        }
    };
}

fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status().expect("run ip");
    assert!(st.success(), "ip {} failed: {st}", args.join(" "));
}

/// A server namespace joined to the host by a veth pair: host 10.201.N.1, server 10.201.N.2.
struct ServerNet {
    name: String,
    server: Ipv4Addr,
    octet: u32,
    children: Vec<Child>,
}

impl ServerNet {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{}{n}", std::process::id() % 100_000);
        let octet = 20 + (std::process::id() * 7 + n * 13) % 200;
        let net = ServerNet {
            name: format!("ttsrv-{tag}"),
            server: Ipv4Addr::new(10, 201, octet as u8, 2),
            octet,
            children: vec![],
        };
        let (host_if, srv_if) = (format!("tth{tag}"), format!("tts{tag}"));
        ip(&["netns", "add", &net.name]);
        ip(&[
            "link", "add", &host_if, "type", "veth", "peer", "name", &srv_if,
        ]);
        ip(&["link", "set", &srv_if, "netns", &net.name]);
        ip(&[
            "addr",
            "add",
            &format!("10.201.{octet}.1/24"),
            "dev",
            &host_if,
        ]);
        ip(&["link", "set", &host_if, "up"]);
        let n = net.name.as_str();
        ip(&[
            "-n",
            n,
            "addr",
            "add",
            &format!("10.201.{octet}.2/24"),
            "dev",
            &srv_if,
        ]);
        ip(&["-n", n, "link", "set", &srv_if, "up"]);
        ip(&["-n", n, "link", "set", "lo", "up"]);
        // IPv6 too, where the host has it (fd7e:<octet>::1 and ::2).
        let v6 = |a: &str, dev: &str, ns: Option<&str>| {
            let mut args = vec![];
            if let Some(ns) = ns {
                args.extend(["-n", ns]);
            }
            let addr = format!("fd7e:{octet}::{a}/64");
            args.extend(["-6", "addr", "add", &addr, "dev", dev, "nodad"]);
            Command::new("ip")
                .args(&args)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let _ = v6("1", &host_if, None) && v6("2", &srv_if, Some(n));
        net
    }

    /// Starts `program args` inside the server namespace; killed when the test ends.
    fn spawn(&mut self, program: &str, args: &[&str]) {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.name, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        self.children.push(child);
    }

    /// The server's IPv6 address, when the host has IPv6.
    fn server_v6(&self) -> Option<std::net::Ipv6Addr> {
        let addr: std::net::Ipv6Addr = format!("fd7e:{}::2", self.octet).parse().ok()?;
        let out = Command::new("ip")
            .args(["-n", &self.name, "-6", "addr", "show"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .contains(&addr.to_string())
            .then_some(addr)
    }

    /// An HTTP server for `dir` on `port`, ready when this returns.
    fn http(&mut self, dir: &Path, port: u16) -> SocketAddr {
        self.http_on(dir, port, self.server.into())
    }

    /// An HTTP server for `dir` on `bind`:`port`, ready when this returns.
    fn http_on(&mut self, dir: &Path, port: u16, bind: std::net::IpAddr) -> SocketAddr {
        let (p, d, b) = (
            port.to_string(),
            dir.display().to_string(),
            bind.to_string(),
        );
        self.spawn(
            "python3",
            &["-m", "http.server", &p, "--bind", &b, "--directory", &d],
        );
        let addr = SocketAddr::new(bind, port);
        let end = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < end, "HTTP server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        addr
    }
}

impl Drop for ServerNet {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Deleting the namespace deletes the veth pair too.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// `telltale run ARGS`, killed after 90 s; its status and standard error.
fn telltale_run(scratch: &Scratch, args: &[&str]) -> (ExitStatus, String) {
    let err = scratch.path("stderr");
    // DNS goes nowhere (loopback's discard port) unless the test names its own resolver:
    // no query may leave for the host's real one.
    let dns: &[&str] = if args.contains(&"--dns") {
        &[]
    } else {
        &["--dns", "127.0.0.1:9"]
    };
    let mut child = Command::new(BIN)
        .arg("run")
        .args(dns)
        .args(args)
        // As run through sudo, the command would drop to the calling user, who cannot
        // write the scratch directory.
        .env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("start telltale");
    let end = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("telltale run did not end within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status, std::fs::read_to_string(err).unwrap_or_default())
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("report written")).expect("JSON report")
}

/// `n` bytes that no compression or pattern could fake (xorshift).
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A web root in `scratch` holding `name`: `size` random bytes, which it returns.
fn served_file(scratch: &Scratch, name: &str, size: usize) -> (PathBuf, Vec<u8>) {
    let www = scratch.path("www");
    std::fs::create_dir_all(&www).unwrap();
    let body = random_bytes(size);
    std::fs::write(www.join(name), &body).unwrap();
    (www, body)
}

/// `telltale run OPTIONS -- curl` fetching `url` into `out` within `seconds`; both must exit
/// 0. Returns telltale's stderr.
fn fetch(scratch: &Scratch, options: &[&str], url: &str, seconds: u32, out: &Path) -> String {
    let (secs, out) = (seconds.to_string(), out.to_str().unwrap());
    let mut args = options.to_vec();
    // -g: an IPv6 literal's brackets are an address, not a glob.
    args.extend(["--", "curl", "-s", "-g", "-m", &secs, "-o", out, url]);
    let (status, stderr) = telltale_run(scratch, &args);
    assert_eq!(status.code(), Some(0), "{stderr}");
    stderr
}

/// What curl wrote to `out` is exactly `body`.
fn assert_downloaded(out: &Path, body: &[u8]) {
    let got = std::fs::read(out).expect("curl wrote the file");
    assert_eq!(got.len(), body.len());
    assert!(got == body, "downloaded bytes differ");
}

#[test]
fn a_100_mib_download_arrives_byte_exact() {
    skip_unless_ready!("curl", "python3");
    let scratch = Scratch::new("live-big");
    let (www, body) = served_file(&scratch, "big", 100 << 20);
    let mut net = ServerNet::new();
    let addr = net.http(&www, 8081);
    let out = scratch.path("got");
    let url = format!("http://{addr}/big");
    fetch(&scratch, &[], &url, 120, &out);
    assert_downloaded(&out, &body);
}

#[test]
fn download_arrives_byte_exact_and_is_reported() {
    skip_unless_ready!("curl", "python3");
    let scratch = Scratch::new("live-http");
    let (www, body) = served_file(&scratch, "file", 1 << 20);
    let mut net = ServerNet::new();
    let addr = net.http(&www, 8080);
    let (out, report, pcap) = (
        scratch.path("got"),
        scratch.path("report.json"),
        scratch.path("cap.pcapng"),
    );
    let url = format!("http://{addr}/file");
    let options = [
        "--json",
        report.to_str().unwrap(),
        "--pcap",
        pcap.to_str().unwrap(),
    ];
    let stderr = fetch(&scratch, &options, &url, 60, &out);
    assert_downloaded(&out, &body);
    assert!(stderr.contains("cleartext-http"), "summary: {stderr}");

    let r = json(&report);
    let apps = r["apps"].as_array().expect("apps");
    let app = apps
        .iter()
        .find(|a| a["package"] == "curl")
        .expect("curl app");
    assert_eq!(app["uid"], 0);
    let host = addr.ip().to_string();
    let http = app["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "cleartext-http")
        .expect("cleartext-http finding");
    assert_eq!(http["evidence"]["host"], host.as_str());
    assert_eq!(http["evidence"]["target"], "/file");
    assert!(app["bytes_down"].as_u64().unwrap() > 1 << 20);

    // The capture, read by tshark when it is installed: the flow, with the app's comment.
    if have("tshark", "--version") {
        let o = Command::new("tshark")
            .args(["-r", pcap.to_str().unwrap(), "-Y", "http.request"])
            .args([
                "-T",
                "fields",
                "-e",
                "frame.comment",
                "-e",
                "http.request.uri",
            ])
            .output()
            .expect("tshark");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("u-0") && text.contains("/file"),
            "tshark: {text}"
        );
    } else {
        eprintln!("tshark not installed: capture not checked");
    }
}

#[test]
fn refused_connection_is_refused_for_the_app() {
    skip_unless_ready!("curl", "python3");
    let scratch = Scratch::new("live-refused");
    let net = ServerNet::new();
    // Nothing listens on port 9 of the server namespace: its kernel answers RST.
    let url = format!("http://{}:9/", net.server);
    let started = Instant::now();
    let (status, stderr) = telltale_run(&scratch, &["--", "curl", "-s", "-m", "20", &url]);
    assert_eq!(
        status.code(),
        Some(7),
        "curl's 'could not connect': {stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "refusal was not prompt"
    );
}

#[test]
fn exit_status_and_resolver_are_the_commands() {
    skip_unless_ready!();
    let scratch = Scratch::new("live-status");
    let (status, _) = telltale_run(&scratch, &["--", "sh", "-c", "exit 3"]);
    assert_eq!(status.code(), Some(3));
    // Not root: refused before anything is set up, with a usage-class exit status.
    if have("setpriv", "--version") {
        let o = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                BIN,
                "run",
                "--",
                "true",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("needs root"));
    }
    let conf = scratch.path("resolv");
    let script = format!("cat /etc/resolv.conf > {}", conf.display());
    let (status, stderr) = telltale_run(
        &scratch,
        &["--dns", "127.0.0.1:53", "--", "sh", "-c", &script],
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
    let text = std::fs::read_to_string(conf).unwrap();
    assert!(text.contains("nameserver 10.111.0.53"), "{text}");
}

/// A DNS server answering every question with one A record.
const DNS_SERVER: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
answer = bytes(int(x) for x in sys.argv[3].split('.'))
while True:
    q, a = s.recvfrom(2048)
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    question = q[12:i + 5]
    r = q[:2] + b'\x81\x80' + b'\x00\x01\x00\x01\x00\x00\x00\x00' + question
    r += b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04' + answer
    s.sendto(r, a)
"#;

#[test]
fn dns_goes_to_the_configured_resolver() {
    skip_unless_ready!("python3", "dig");
    let scratch = Scratch::new("live-dns");
    let mut net = ServerNet::new();
    let server = net.server.to_string();
    net.spawn(
        "python3",
        &["-c", DNS_SERVER, &server, "5353", "192.0.2.77"],
    );
    // Let the server bind (a lost first query is retried by dig anyway).
    std::thread::sleep(Duration::from_millis(500));
    let out = scratch.path("dig");
    let report = scratch.path("report.json");
    let script = format!(
        "dig +short +time=2 +tries=3 probe.telltale.test A > {}",
        out.display()
    );
    let resolver = format!("{server}:5353");
    let (status, stderr) = telltale_run(
        &scratch,
        &[
            "--dns",
            &resolver,
            "--json",
            report.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            &script,
        ],
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
    let answer = std::fs::read_to_string(out).unwrap();
    assert_eq!(answer.trim(), "192.0.2.77", "{stderr}");
    let r = json(&report);
    let text = r.to_string();
    assert!(
        text.contains("cleartext-dns") && text.contains("probe.telltale.test"),
        "{text}"
    );
}

/// An `openssl s_server` in the test network on `port`, with a self-signed certificate for
/// `name`; returns its address once it accepts connections.
fn tls_server(net: &mut ServerNet, scratch: &Scratch, name: &str, port: u16) -> SocketAddr {
    let (key, cert) = (scratch.path("key.pem"), scratch.path("cert.pem"));
    let st = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", &format!("/CN={name}"), "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl req");
    assert!(st.success());
    let (k, c, p) = (
        key.display().to_string(),
        cert.display().to_string(),
        port.to_string(),
    );
    net.spawn(
        "openssl",
        &[
            "s_server", "-accept", &p, "-key", &k, "-cert", &c, "-www", "-quiet",
        ],
    );
    let addr = SocketAddr::from((net.server, port));
    let end = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < end, "TLS server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    addr
}

#[test]
fn https_with_curl_resolve_is_named_by_its_server_name() {
    skip_unless_ready!("openssl", "curl");
    let scratch = Scratch::new("live-https");
    let mut net = ServerNet::new();
    let name = "szshort.weixin.qq.com";
    let addr = tls_server(&mut net, &scratch, name, 8444);
    let report = scratch.path("report.json");
    let resolve = format!("{name}:8444:{}", addr.ip());
    let url = format!("https://{name}:8444/");
    let (status, stderr) = telltale_run(
        &scratch,
        &[
            "--json",
            report.to_str().unwrap(),
            "--",
            "curl",
            "-sk",
            "-m",
            "30",
            "-o",
            "/dev/null",
            "--resolve",
            &resolve,
            &url,
        ],
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
    let r = json(&report);
    let app = &r["apps"][0];
    let contact = app["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "tencent-contact")
        .unwrap_or_else(|| panic!("no tencent-contact: {app}"));
    assert_eq!(contact["service"], "wechat");
    assert_eq!(contact["evidence"]["basis"], "tls-sni");
    assert_eq!(contact["evidence"]["name"], name);
}

#[test]
fn tls_server_name_is_seen() {
    skip_unless_ready!("openssl");
    let scratch = Scratch::new("live-tls");
    let mut net = ServerNet::new();
    let addr = tls_server(&mut net, &scratch, "szextshort.weixin.qq.com", 8443);
    let report = scratch.path("report.json");
    let connect = addr.to_string();
    let (status, stderr) = telltale_run(
        &scratch,
        &[
            "--json",
            report.to_str().unwrap(),
            "--",
            "openssl",
            "s_client",
            "-brief",
            "-connect",
            &connect,
            "-servername",
            "szextshort.weixin.qq.com",
        ],
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
    let r = json(&report);
    let app = &r["apps"][0];
    let sni = app["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "server-name-visible")
        .unwrap_or_else(|| panic!("no server-name-visible finding: {app}"));
    assert!(
        sni.to_string().contains("szextshort.weixin.qq.com"),
        "{sni}"
    );
    // Only the name is Tencent's (the server is the test's own): the report names WeChat.
    assert_eq!(app["vendors"][0]["id"], "tencent", "{app}");
    assert_eq!(app["vendors"][0]["services"][0]["id"], "wechat", "{app}");
    assert!(
        app["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "tencent-contact" && f["service"] == "wechat"),
        "{app}"
    );
}

#[test]
fn interrupt_stops_the_command_and_still_writes_the_report() {
    skip_unless_ready!();
    let scratch = Scratch::new("live-int");
    let report = scratch.path("report.json");
    let mut child = Command::new(BIN)
        .args([
            "run",
            "--json",
            report.to_str().unwrap(),
            "--",
            "sleep",
            "30",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start telltale");
    std::thread::sleep(Duration::from_millis(1500));
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("telltale run did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // sleep died of the forwarded SIGINT: 128 + 2.
    assert_eq!(status.code(), Some(130));
    assert!(json(&report)["totals"].is_object());
    let name = format!("telltale-{}", child.id());
    let list = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&list.stdout).contains(&name),
        "namespace {name} left behind"
    );
}

#[test]
fn ipv6_download_arrives_byte_exact() {
    skip_unless_ready!("curl", "python3");
    let scratch = Scratch::new("live-v6");
    let mut net = ServerNet::new();
    let Some(v6) = net.server_v6() else {
        eprintln!("skipped: no IPv6 on this host");
        return;
    };
    let (www, body) = served_file(&scratch, "v6", 1 << 20);
    let addr = net.http_on(&www, 8081, v6.into());
    let out = scratch.path("got");
    let url = format!("http://{addr}/v6");
    fetch(&scratch, &[], &url, 30, &out);
    assert_downloaded(&out, &body);
}

#[test]
fn pings_are_relayed_honestly() {
    skip_unless_ready!("ping");
    let scratch = Scratch::new("live-ping");
    let net = ServerNet::new();
    let host = net.server.to_string();
    let (status, stderr) = telltale_run(&scratch, &["--", "ping", "-c", "2", "-W", "3", &host]);
    assert_eq!(
        status.code(),
        Some(0),
        "a host that is up answers: {stderr}"
    );
    // An address of the test's own network where no host is: no answer, not a made-up one.
    let o = net.server.octets();
    let absent = Ipv4Addr::new(o[0], o[1], o[2], 99).to_string();
    let (status, stderr) = telltale_run(&scratch, &["--", "ping", "-c", "1", "-W", "2", &absent]);
    assert_eq!(status.code(), Some(1), "an absent host is silent: {stderr}");
    if let Some(v6) = net.server_v6() {
        let v6 = v6.to_string();
        let (status, stderr) =
            telltale_run(&scratch, &["--", "ping", "-6", "-c", "2", "-W", "3", &v6]);
        assert_eq!(status.code(), Some(0), "IPv6: {stderr}");
    }
}
