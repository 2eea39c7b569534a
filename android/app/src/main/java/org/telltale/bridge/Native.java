package org.telltale.bridge;

/**
 * The native monitor ({@code libtelltale_android.so}, the Rust crate {@code telltale-android}).
 *
 * <p><b>Descriptors</b>: every descriptor passed in belongs to the native side from the call
 * on, which closes it, also when the call throws. Hand it over with
 * {@code ParcelFileDescriptor.detachFd()} and never close it in Java.
 *
 * <p><b>Errors</b>: every method throws {@link NativeException} (an unchecked exception) with the
 * message of a native error or panic; the process never crashes from one.
 *
 * <p>One monitor runs at a time. Methods are thread-safe but should be called off the UI
 * thread: {@link #stop()} waits for the relay to finish.
 */
public final class Native {
    static {
        System.loadLibrary("telltale_android");
    }

    private Native() {}

    /**
     * Starts monitoring the VPN's TUN device on a native background thread.
     *
     * @param host the platform callbacks (the {@code VpnService}); kept until the monitor stops
     * @param tunFd the TUN descriptor from {@code ParcelFileDescriptor.detachFd()}; owned by the
     *     native side from now on
     * @param configJson the configuration, e.g. {@code {"capture_path": "...", "mtu": 1500,
     *     "dns": {"listen": "10.111.0.53", "upstream": "192.0.2.53:53"},
     *     "show_identifiers": false}}; empty or null for the defaults
     * @throws NativeException when already running, on a bad descriptor or configuration
     */
    public static native void start(Host host, int tunFd, String configJson);

    /** Stops the monitor and waits for it; does nothing when none runs. */
    public static native void stop();

    /**
     * The exposure report as JSON (the schema of {@code telltale analyze --json}): as of now
     * while running, else the final report of the last run.
     *
     * @return the report
     * @throws NativeException before the first {@link #start}
     */
    public static native String snapshot();

    /**
     * Writes the pcapng capture so far (needs {@code capture_path} in the configuration).
     *
     * @param fd a writable descriptor from {@code detachFd()}; closed by the native side
     * @throws NativeException without a capture, or when writing fails
     */
    public static native void exportPcapng(int fd);

    /**
     * Writes the report JSON, as {@link #snapshot()} returns it, and a newline.
     *
     * @param fd a writable descriptor from {@code detachFd()}; closed by the native side
     * @throws NativeException before the first {@link #start}, or when writing fails
     */
    public static native void exportJson(int fd);
}
