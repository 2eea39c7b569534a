// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.res;

import android.util.DisplayMetrics;

public class Resources {
    private Resources() {}

    public DisplayMetrics getDisplayMetrics() { throw new RuntimeException("stub"); }
}
