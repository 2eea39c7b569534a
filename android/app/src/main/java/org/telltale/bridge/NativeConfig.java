package org.telltale.bridge;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

/**
 * The configuration {@link Native#start} takes, written as the JSON the native side reads
 * ({@code rust-core/android/src/config.rs}), and the choice of the resolver it forwards DNS to.
 * Plain Java, so that {@code scripts/jni-test} checks it against the native parser.
 */
public final class NativeConfig {
    private int mtu;
    private boolean showIdentifiers;
    private String capturePath;
    private String dnsListen;
    private String dnsUpstream;

    /** A configuration with the native defaults: no capture, no DNS forwarding, masking on. */
    public NativeConfig() {}

    /**
     * The TUN's MTU, as given to {@code VpnService.Builder.setMtu}.
     *
     * @param mtu bytes, 576 to 65535
     * @return this
     */
    public NativeConfig mtu(int mtu) {
        this.mtu = mtu;
        return this;
    }

    /**
     * Whether reports show identifiers in full (masked otherwise).
     *
     * @param show true to show them
     * @return this
     */
    public NativeConfig showIdentifiers(boolean show) {
        this.showIdentifiers = show;
        return this;
    }

    /**
     * Where the live pcapng capture is written (a file only the app can read).
     *
     * @param path an absolute path
     * @return this
     */
    public NativeConfig capturePath(String path) {
        this.capturePath = path;
        return this;
    }

    /**
     * DNS forwarding: datagrams to {@code listen} port 53 go to {@code upstream}.
     *
     * @param listen the resolver address the VPN gives the apps, e.g. {@code 10.111.0.53}
     * @param upstream the real resolver with its port, e.g. {@code 192.0.2.53:53}; null for
     *     no forwarding
     * @return this
     */
    public NativeConfig dns(String listen, String upstream) {
        this.dnsListen = listen;
        this.dnsUpstream = upstream;
        return this;
    }

    /**
     * The configuration as JSON.
     *
     * @return what {@link Native#start} takes as {@code configJson}
     */
    public String json() {
        StringBuilder sb = new StringBuilder("{\"show_identifiers\":").append(showIdentifiers);
        if (mtu > 0) {
            sb.append(",\"mtu\":").append(mtu);
        }
        if (capturePath != null) {
            sb.append(",\"capture_path\":");
            quote(sb, capturePath);
        }
        if (dnsListen != null && dnsUpstream != null) {
            sb.append(",\"dns\":{\"listen\":");
            quote(sb, dnsListen);
            sb.append(",\"upstream\":");
            quote(sb, dnsUpstream);
            sb.append('}');
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    /**
     * The resolver to forward DNS to, from a network's resolvers in their order: the first IPv4
     * one, else the first IPv6 one that is not link-local (a link-local address needs its
     * interface, which the relay's socket does not have), as {@code addr:53} or
     * {@code [addr]:53}.
     *
     * @param servers the network's resolvers ({@code LinkProperties.getDnsServers()})
     * @return the upstream for {@link #dns}, or null when there is none to use
     */
    public static String upstreamResolver(List<InetAddress> servers) {
        String v6 = null;
        for (InetAddress a : servers) {
            if (a instanceof Inet4Address) {
                return a.getHostAddress() + ":53";
            }
            if (v6 == null && a instanceof Inet6Address && !a.isLinkLocalAddress()) {
                String text = a.getHostAddress();
                int scope = text.indexOf('%');
                v6 = "[" + (scope >= 0 ? text.substring(0, scope) : text) + "]:53";
            }
        }
        return v6;
    }
}
