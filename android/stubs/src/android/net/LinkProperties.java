// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.net;

import java.net.InetAddress;
import java.util.List;

public final class LinkProperties {
    private LinkProperties() {}

    public List<InetAddress> getDnsServers() { throw new RuntimeException("stub"); }
}
