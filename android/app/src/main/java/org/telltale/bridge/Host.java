package org.telltale.bridge;

/**
 * What the native monitor asks the platform, implemented by the app's {@code VpnService}.
 * Called from the native relay thread (attached to the JVM), never from the UI thread; every
 * method must be quick and must not call back into {@link Native}.
 *
 * <p>Plain Java on purpose: no {@code android.*} types, so that the bridge can be tested on a
 * desktop JVM.
 */
public interface Host {
    /**
     * Keeps an upstream socket out of the VPN: {@code VpnService.protect(fd)}. Called for every
     * socket the relay opens, before it connects or sends.
     *
     * @param fd the socket's descriptor, owned by the native side
     * @return whether the socket is protected (it is not used otherwise)
     */
    boolean protect(int fd);

    /**
     * The uid of the app owning a connection: {@code ConnectivityManager.getConnectionOwnerUid}
     * on Android 10 and later.
     *
     * @param protocol IP protocol number (6 TCP, 17 UDP)
     * @param srcAddr the app's address, as text
     * @param srcPort the app's port
     * @param dstAddr the remote address, as text
     * @param dstPort the remote port
     * @return the uid, or -1 when unknown (the native side then reads {@code /proc/net})
     */
    int connectionOwnerUid(int protocol, String srcAddr, int srcPort, String dstAddr, int dstPort);

    /**
     * Package name and label of an app, asked once per uid.
     *
     * @param uid the app's uid
     * @return {@code {package, label}}, or null when unknown
     */
    String[] appInfo(int uid);
}
