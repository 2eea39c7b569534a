// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

import android.content.Intent;
import android.graphics.drawable.Drawable;
import android.util.AndroidException;

import java.util.List;

public abstract class PackageManager {
    public static final int PERMISSION_GRANTED = 0;

    private PackageManager() {}

    public abstract String[] getPackagesForUid(int uid);

    public abstract ApplicationInfo getApplicationInfo(String packageName, int flags)
            throws NameNotFoundException;

    public abstract CharSequence getApplicationLabel(ApplicationInfo info);

    public abstract Drawable getApplicationIcon(String packageName) throws NameNotFoundException;

    public abstract Drawable getDefaultActivityIcon();

    public abstract List<ResolveInfo> queryIntentActivities(Intent intent, int flags);

    public static class NameNotFoundException extends AndroidException {
        public NameNotFoundException() { throw new RuntimeException("stub"); }
    }
}
