// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.net;

public class Network {
    private Network() {}
}
