package org.telltale.bridge;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.telltale.present.AppExposure;
import org.telltale.present.FindingView;
import org.telltale.present.Json;
import org.telltale.present.Presenter;
import org.telltale.present.Report;

/**
 * Desktop test of the JNI bridge, run by {@code scripts/jni-test}: the native library built for
 * Linux, this class as the {@link Host}. Without arguments it checks errors, panics, the
 * lifecycle and leaks over a FIFO standing in for the TUN; with {@code --tun-fd N --app-ns NS
 * --server IP --server6 IP6 --ca CERT} (as root, set up by the script) it also relays real
 * traffic from the namespace {@code NS} to the test servers at {@code IP} and {@code IP6}, and
 * renders the report as the app's main screen would. Prints one line per check and
 * "N passed, N failed".
 */
public final class BridgeTest implements Host {
    /** Every descriptor protect() was given, with what it was ("socket:[...]"). */
    private final List<String> protectedFds = Collections.synchronizedList(new ArrayList<>());

    private final AtomicInteger appInfoCalls = new AtomicInteger();

    /** Every connection connectionOwnerUid() was asked about: "6 10.77.0.2 -> 10.78.0.2:8443". */
    private final List<String> owners = Collections.synchronizedList(new ArrayList<>());

    private static int passed;
    private static int failed;

    @Override
    public boolean protect(int fd) {
        String what;
        try {
            what = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            what = "unreadable: " + e.getMessage();
        }
        protectedFds.add(what);
        return true;
    }

    @Override
    public int connectionOwnerUid(
            int protocol, String srcAddr, int srcPort, String dstAddr, int dstPort) {
        owners.add(protocol + " " + srcAddr + " -> " + dstAddr + ":" + dstPort);
        return 10123;
    }

    @Override
    public String[] appInfo(int uid) {
        appInfoCalls.incrementAndGet();
        return new String[] {"com.example.app", "Example"};
    }

    private static void check(boolean ok, String what) {
        if (ok) {
            passed++;
            System.out.println("ok     " + what);
        } else {
            failed++;
            System.out.println("FAILED " + what);
        }
    }

    /** A test step that may throw checked exceptions (making descriptors, files). */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} and returns the NativeException it threw, or null; any other exception
     * means the check itself could not run.
     */
    private static NativeException thrown(Step body) {
        try {
            body.run();
            return null;
        } catch (NativeException e) {
            return e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What {@code ParcelFileDescriptor.detachFd()} does: takes the number out of a Java
     * descriptor so that Java never closes it (needs --add-opens java.base/java.io).
     */
    private static int detach(FileDescriptor fd) throws ReflectiveOperationException {
        Method unregister = FileDescriptor.class.getDeclaredMethod("unregisterCleanup");
        unregister.setAccessible(true);
        unregister.invoke(fd);
        Field field = FileDescriptor.class.getDeclaredField("fd");
        field.setAccessible(true);
        int n = field.getInt(fd);
        field.setInt(fd, -1);
        return n;
    }

    /** A detached descriptor of the FIFO (opened read-write: it never blocks or ends). */
    private static int fifoFd(File fifo) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(fifo, "rw")) {
            return detach(f.getFD());
        }
    }

    /** A detached descriptor writing to {@code file}. */
    private static int outputFd(File file) throws Exception {
        try (FileOutputStream out = new FileOutputStream(file)) {
            return detach(out.getFD());
        }
    }

    private static boolean isOpen(int fd) {
        return new File("/proc/self/fd/" + fd).exists();
    }

    private static int count(String dir) {
        String[] names = new File(dir).list();
        return names == null ? -1 : names.length;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) throws Exception {
        return (Map<String, Object>) Json.parse(json);
    }

    private static long packets(Map<String, Object> report) {
        Object totals = report.get("totals");
        if (!(totals instanceof Map)) {
            return -1;
        }
        Object n = ((Map<?, ?>) totals).get("packets");
        return n instanceof Long ? (Long) n : -1;
    }

    private void basics(File dir) throws Exception {
        check(thrown(Native::stop) == null, "stop without start is harmless");
        NativeException panic = thrown(() -> PanicProbe.panic("probe \u2603"));
        check(panic != null && panic.getMessage().equals("internal error (panic): probe \u2603"),
                "a Rust panic becomes a NativeException: " + panic);
        NativeException before = thrown(Native::snapshot);
        check(before != null && before.getMessage().contains("not been started"),
                "snapshot before start throws: " + before);
        NativeException bad = thrown(() -> Native.start(this, -1, "{}"));
        check(bad != null && bad.getMessage().contains("not an open file descriptor"),
                "start with fd -1 throws: " + bad);
        NativeException closed = thrown(() -> Native.start(this, 987654, "{}"));
        check(closed != null, "start with a closed fd throws: " + closed);

        File fifo = new File(dir, "tun.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.getPath()).inheritIO().start();
        check(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");

        int fd = fifoFd(fifo);
        NativeException config = thrown(() -> Native.start(this, fd, "{\"nope\": 1}"));
        check(config != null && config.getMessage().contains("invalid configuration"),
                "start with a bad configuration throws: " + config);
        check(!isOpen(fd), "the descriptor of a failed start is closed by Rust");

        File pcap = new File(dir, "live.pcapng");
        String cfg = "{\"capture_path\": \"" + pcap.getPath() + "\"}";
        int tun = fifoFd(fifo);
        Native.start(this, tun, cfg);
        check(isOpen(tun), "start keeps the TUN descriptor");
        int other = fifoFd(fifo);
        NativeException twice = thrown(() -> Native.start(this, other, "{}"));
        check(twice != null && twice.getMessage().contains("already running"),
                "a second start throws: " + twice);
        check(!isOpen(other), "the refused descriptor is closed");
        Map<String, Object> live = parse(Native.snapshot());
        check(packets(live) == 0, "snapshot while running: an empty report");
        File json = new File(dir, "report.json");
        int out = outputFd(json);
        Native.exportJson(out);
        check(!isOpen(out), "exportJson closes its descriptor");
        String text = new String(Files.readAllBytes(json.toPath()), StandardCharsets.UTF_8);
        check(text.startsWith("{\"schema\"") && text.endsWith("}\n"), "exportJson writes the report");
        File exported = new File(dir, "export.pcapng");
        Native.exportPcapng(outputFd(exported));
        byte[] head = Files.readAllBytes(exported.toPath());
        check(head.length >= 4 && head[0] == 0x0a && head[1] == 0x0d && head[2] == 0x0d
                && head[3] == 0x0a, "exportPcapng writes a pcapng section header");
        Native.stop();
        check(!isOpen(tun), "stop closes the TUN descriptor");
        check(packets(parse(Native.snapshot())) == 0, "snapshot after stop: the final report");
        check(thrown(Native::stop) == null, "a second stop is harmless");
        NativeException noCapture = thrown(() -> {
            Native.start(this, fifoFd(fifo), "");
            Native.exportPcapng(outputFd(new File(dir, "none.pcapng")));
        });
        check(noCapture != null && noCapture.getMessage().contains("no capture"),
                "exportPcapng without a capture throws: " + noCapture);
        Native.stop();

        config(dir, fifo);

        // Leaks: warm up, then 100 start/stop cycles must not grow descriptors or threads.
        for (int i = 0; i < 3; i++) {
            Native.start(this, fifoFd(fifo), "{}");
            Native.stop();
        }
        int fds0 = count("/proc/self/fd");
        int tasks0 = count("/proc/self/task");
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            Native.start(this, fifoFd(fifo), "{}");
            Native.snapshot();
            Native.stop();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        int fds1 = count("/proc/self/fd");
        int tasks1 = count("/proc/self/task");
        // A few threads of the JVM's own (JIT compilers, GC) may come and go meanwhile.
        check(fds1 <= fds0 + 2, "100 start/stop cycles (" + ms + " ms): descriptors "
                + fds0 + " -> " + fds1);
        check(tasks1 <= tasks0 + 3, "100 start/stop cycles: threads " + tasks0 + " -> " + tasks1);
    }

    /** What a command printed, and its exit status (-1 when it ran over 30 s and was killed). */
    private static final class Ran {
        final int status;
        final String out;

        Ran(int status, String out) {
            this.status = status;
            this.out = out;
        }
    }

    /** NativeConfig: its JSON is what the native parser takes, its resolver choice. */
    private void config(File dir, File fifo) throws Exception {
        File odd = new File(dir, "cap \"q\" \\ \u00e9\n.pcapng");
        String json = new NativeConfig().mtu(1400).showIdentifiers(true)
                .capturePath(odd.getPath()).dns("10.111.0.53", "[2001:db8::53]:53").json();
        NativeException refused = thrown(() -> Native.start(this, fifoFd(fifo), json));
        check(refused == null, "Native.start takes NativeConfig's JSON: " + json);
        check(odd.exists(), "the capture is written at the path with quotes, a backslash, "
                + "a newline and an accent: " + odd.exists());
        Native.stop();
        NativeException mtu =
                thrown(() -> Native.start(this, -1, new NativeConfig().mtu(100).json()));
        check(mtu != null, "a bad descriptor is refused before the configuration: " + mtu);
        File ok = new File(dir, "ok.pcapng");
        NativeException badMtu = thrown(() -> Native.start(this, fifoFd(fifo),
                new NativeConfig().mtu(100).capturePath(ok.getPath()).json()));
        check(badMtu != null && badMtu.getMessage().equals(
                "invalid configuration: mtu 100 not in 576..=65535"), "a bad MTU is refused: " + badMtu);
        check(!ok.exists(), "nothing is written for a refused configuration");

        InetAddress v4 = InetAddress.getByName("192.0.2.53");
        InetAddress global6 = InetAddress.getByName("2001:db8::53");
        // With a scope, as a phone may list it; the relay's socket address takes none.
        InetAddress scoped6 = Inet6Address.getByAddress(null, global6.getAddress(), 3);
        InetAddress link6 = Inet6Address.getByAddress(null,
                InetAddress.getByName("fe80::1").getAddress(), 3);
        check("192.0.2.53:53".equals(NativeConfig.upstreamResolver(List.of(link6, global6, v4))),
                "the resolver: IPv4 first");
        String six = NativeConfig.upstreamResolver(List.of(link6, scoped6, global6));
        check(("[" + global6.getHostAddress() + "]:53").equals(six),
                "the resolver: else the first global IPv6 one, in brackets, no scope: " + six);
        check(NativeConfig.upstreamResolver(List.of(link6)) == null
                && NativeConfig.upstreamResolver(List.of()) == null,
                "the resolver: none from link-local or no servers");
    }

    private static Ran run(String... command) throws Exception {
        File out = File.createTempFile("tt-jni-run", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Ran(-1, "");
            }
            String text = new String(Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8);
            return new Ran(p.exitValue(), text.trim());
        } finally {
            Files.deleteIfExists(out.toPath());
        }
    }

    /** The finding kinds of an app, in report order. */
    private static List<String> kinds(AppExposure app) {
        List<String> kinds = new ArrayList<>();
        for (FindingView f : app.findings) {
            kinds.add(f.kind);
        }
        return kinds;
    }

    private void live(Map<String, String> opts) throws Exception {
        int tunFd = Integer.parseInt(opts.get("--tun-fd"));
        String ns = opts.get("--app-ns");
        String v4 = opts.get("--server");
        String v6 = opts.get("--server6");
        String wechat = "szshort.weixin.qq.com";
        Native.start(this, tunFd, "{}");
        protectedFds.clear();
        String[] inApp = {"ip", "netns", "exec", ns};
        Ran http = run(concat(inApp, "curl", "-s", "-m", "10", "http://" + v4 + ":8080/"));
        check(http.status == 0 && http.out.equals("hello"),
                "HTTP over IPv4 through the TUN: exit " + http.status + ", \"" + http.out + "\"");
        int tcp = 1;
        int udp = 0;
        for (String server : new String[] {v4, v6}) {
            boolean six = server.contains(":");
            Ran dig = run(concat(inApp, "dig", "+short", "+tries=1", "+time=5", "@" + server,
                    six ? "AAAA" : "A", wechat));
            udp++;
            check(dig.status == 0 && dig.out.equals(server), "DNS for " + wechat + " over IPv"
                    + (six ? 6 : 4) + ": exit " + dig.status + ", \"" + dig.out + "\"");
            String at = six ? "[" + server + "]" : server;
            Ran https = run(concat(inApp, "curl", "-s", "-m", "10", "--cacert", opts.get("--ca"),
                    "--resolve", wechat + ":8443:" + at, "https://" + wechat + ":8443/"));
            tcp++;
            check(https.status == 0 && https.out.equals("hello over rustls"),
                    "HTTPS to the rustls server over IPv" + (six ? 6 : 4) + ": exit "
                    + https.status + ", \"" + https.out + "\"");
        }

        String json = Native.snapshot();
        Report report = Report.fromJson(json);
        AppExposure app = null;
        for (AppExposure a : report.apps) {
            if (a.uid == 10123) {
                app = a;
            }
        }
        check(app != null && "com.example.app".equals(app.packageName)
                && "Example".equals(app.name), "the report names the app by its uid");
        List<String> kinds = app == null ? List.of() : kinds(app);
        for (String kind : new String[] {"cleartext-http", "cleartext-dns", "server-name-visible",
                "tencent-contact"}) {
            check(kinds.contains(kind), kind + " found: " + kinds);
        }
        boolean wechatContact = false;
        if (app != null) {
            for (FindingView f : app.findings) {
                wechatContact |= f.kind.equals("tencent-contact") && "wechat".equals(f.service);
            }
        }
        check(wechatContact, "the TLS connections are WeChat's (tencent-contact, service wechat)");
        String row = app == null ? "" : Presenter.row(app).toString();
        check(row.startsWith("Example | Medium | Tencent: WeChat | ") && row.endsWith(" sent"),
                "the main screen's row: " + row);
        List<String> owned;
        synchronized (owners) {
            owned = new ArrayList<>(owners);
        }
        for (String conn : new String[] {"6 10.77.0.2 -> " + v4 + ":8443",
                "6 fd00:77::2 -> " + v6 + ":8443", "17 10.77.0.2 -> " + v4 + ":53",
                "17 fd00:77::2 -> " + v6 + ":53"}) {
            check(owned.contains(conn), "connectionOwnerUid() asked for " + conn);
        }
        List<String> seen;
        synchronized (protectedFds) {
            seen = new ArrayList<>(protectedFds);
        }
        check(seen.size() == tcp + udp, "protect() called once per upstream socket (" + tcp
                + " TCP + " + udp + " UDP): " + seen);
        check(seen.stream().allMatch(s -> s.startsWith("socket:")), "protect() got sockets only");
        check(appInfoCalls.get() == 1, "appInfo() asked once for the uid: " + appInfoCalls.get());
        Native.stop();
        check(!isOpen(tunFd), "stop closes the real TUN descriptor");
        String last = Native.snapshot();
        check(Report.fromJson(last).apps.size() == report.apps.size(),
                "the final report after stop has the same apps");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    /**
     * Runs the checks.
     *
     * @param args nothing, or {@code --tun-fd N --app-ns NS --server IP --server6 IP6 --ca CERT}
     *     for the live part
     * @throws Exception when a check cannot run at all
     */
    public static void main(String[] args) throws Exception {
        BridgeTest host = new BridgeTest();
        Path dir = Files.createTempDirectory("tt-jni");
        try {
            host.basics(dir.toFile());
            Map<String, String> opts = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                opts.put(args[i], args[i + 1]);
            }
            if (opts.containsKey("--tun-fd")) {
                host.live(opts);
            } else {
                System.out.println("skipped: live relay test (needs root; run by scripts/jni-test)");
            }
        } finally {
            File[] files = dir.toFile().listFiles();
            if (files != null) {
                for (File f : files) {
                    Files.deleteIfExists(f.toPath());
                }
            }
            Files.deleteIfExists(dir);
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
