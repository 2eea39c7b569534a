// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.net;

import java.net.InetSocketAddress;

public class ConnectivityManager {
    private ConnectivityManager() {}

    public Network getActiveNetwork() { throw new RuntimeException("stub"); }

    public LinkProperties getLinkProperties(Network network) { throw new RuntimeException("stub"); }

    public int getConnectionOwnerUid(int protocol, InetSocketAddress local,
            InetSocketAddress remote) { throw new RuntimeException("stub"); }

    public void registerDefaultNetworkCallback(NetworkCallback networkCallback) { throw new RuntimeException("stub"); }

    public void unregisterNetworkCallback(NetworkCallback networkCallback) { throw new RuntimeException("stub"); }

    public static class NetworkCallback {
        public NetworkCallback() { throw new RuntimeException("stub"); }

        public void onLinkPropertiesChanged(Network network, LinkProperties linkProperties) { throw new RuntimeException("stub"); }
    }
}
