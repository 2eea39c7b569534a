// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.util;

public final class Log {
    private Log() {}

    public static int i(String tag, String msg) { throw new RuntimeException("stub"); }

    public static int w(String tag, String msg, Throwable tr) { throw new RuntimeException("stub"); }

    public static int e(String tag, String msg, Throwable tr) { throw new RuntimeException("stub"); }
}
