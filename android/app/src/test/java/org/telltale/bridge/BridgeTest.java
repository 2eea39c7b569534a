package org.telltale.bridge;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.telltale.present.Json;

/**
 * Desktop test of the JNI bridge, run by {@code scripts/jni-test}: the native library built for
 * Linux, this class as the {@link Host}. Without arguments it checks errors, the lifecycle and
 * leaks over a FIFO standing in for the TUN; with {@code --tun-fd N --app-ns NS --server IP}
 * (as root, set up by the script) it also relays real traffic from the namespace {@code NS}
 * to test servers at {@code IP}. Prints one line per check and "N passed, N failed".
 */
public final class BridgeTest implements Host {
    /** Every descriptor protect() was given, with what it was ("socket:[...]"). */
    private final List<String> protectedFds = Collections.synchronizedList(new ArrayList<>());

    private final AtomicInteger appInfoCalls = new AtomicInteger();

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

    /** Runs {@code body} and returns the NativeException it threw, or null. */
    private static NativeException thrown(Runnable body) {
        try {
            body.run();
            return null;
        } catch (NativeException e) {
            return e;
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
            try {
                Native.start(this, fifoFd(fifo), "");
                Native.exportPcapng(outputFd(new File(dir, "none.pcapng")));
            } catch (NativeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        check(noCapture != null && noCapture.getMessage().contains("no capture"),
                "exportPcapng without a capture throws: " + noCapture);
        Native.stop();

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

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private void live(int tunFd, String ns, String server) throws Exception {
        Native.start(this, tunFd, "{}");
        protectedFds.clear();
        int http = 2;
        for (int i = 0; i < http; i++) {
            int rc = run("ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "-m", "10",
                    "http://" + server + ":8080/");
            check(rc == 0, "curl through the TUN (exit " + rc + ")");
        }
        int rc = run("ip", "netns", "exec", ns, "dig", "+tries=1", "+time=5", "@" + server,
                "example.test");
        check(rc == 0, "dig through the TUN (exit " + rc + ")");
        Map<String, Object> report = parse(Native.snapshot());
        Map<?, ?> app = null;
        Object apps = report.get("apps");
        if (apps instanceof List) {
            for (Object a : (List<?>) apps) {
                if (a instanceof Map && Long.valueOf(10123).equals(((Map<?, ?>) a).get("uid"))) {
                    app = (Map<?, ?>) a;
                }
            }
        }
        check(app != null && "com.example.app".equals(app.get("package"))
                && "Example".equals(app.get("name")), "the report names the app: " + app);
        List<String> kinds = new ArrayList<>();
        if (app != null && app.get("findings") instanceof List) {
            for (Object f : (List<?>) app.get("findings")) {
                if (f instanceof Map) {
                    kinds.add(String.valueOf(((Map<?, ?>) f).get("kind")));
                }
            }
        }
        check(kinds.contains("cleartext-http"), "cleartext-http found: " + kinds);
        check(kinds.contains("cleartext-dns"), "cleartext-dns found: " + kinds);
        List<String> seen;
        synchronized (protectedFds) {
            seen = new ArrayList<>(protectedFds);
        }
        check(seen.size() == http + 1, "protect() called once per upstream socket (" + http
                + " TCP + 1 UDP): " + seen);
        check(seen.stream().allMatch(s -> s.startsWith("socket:")), "protect() got sockets only");
        check(appInfoCalls.get() == 1, "appInfo() asked once for the uid: " + appInfoCalls.get());
        Native.stop();
        check(!isOpen(tunFd), "stop closes the real TUN descriptor");
    }

    /**
     * Runs the checks.
     *
     * @param args nothing, or {@code --tun-fd N --app-ns NS --server IP} for the live part
     * @throws Exception when a check cannot run at all
     */
    public static void main(String[] args) throws Exception {
        BridgeTest host = new BridgeTest();
        Path dir = Files.createTempDirectory("tt-jni");
        try {
            host.basics(dir.toFile());
            if (args.length == 6 && args[0].equals("--tun-fd")) {
                host.live(Integer.parseInt(args[1]), args[3], args[5]);
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
