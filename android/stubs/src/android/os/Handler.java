// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.os;

public class Handler {
    public Handler(Looper looper) { throw new RuntimeException("stub"); }

    public final boolean postDelayed(Runnable r, long delayMillis) { throw new RuntimeException("stub"); }

    public final void removeCallbacks(Runnable r) { throw new RuntimeException("stub"); }
}
