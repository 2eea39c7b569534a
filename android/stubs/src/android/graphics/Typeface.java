// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.graphics;

public class Typeface {
    public static final Typeface DEFAULT_BOLD = null;
    public static final Typeface MONOSPACE = null;

    private Typeface() {}
}
