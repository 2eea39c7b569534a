// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.app;

import android.content.Context;
import android.content.Intent;

public final class PendingIntent {
    public static final int FLAG_IMMUTABLE = 0x04000000;

    private PendingIntent() {}

    public static PendingIntent getActivity(Context context, int requestCode, Intent intent,
            int flags) { throw new RuntimeException("stub"); }

    public static PendingIntent getService(Context context, int requestCode, Intent intent,
            int flags) { throw new RuntimeException("stub"); }
}
