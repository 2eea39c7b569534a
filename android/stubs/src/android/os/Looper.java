// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.os;

public final class Looper {
    private Looper() {}

    public static Looper getMainLooper() { throw new RuntimeException("stub"); }
}
