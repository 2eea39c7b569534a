// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.util;

public class DisplayMetrics {
    public float density;

    private DisplayMetrics() {}
}
