// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.graphics.drawable;

import android.content.Context;

public final class Icon {
    private Icon() {}

    public static Icon createWithResource(Context context, int resId) { throw new RuntimeException("stub"); }
}
