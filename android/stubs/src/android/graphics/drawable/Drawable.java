// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.graphics.drawable;

public abstract class Drawable {
    private Drawable() {}
}
