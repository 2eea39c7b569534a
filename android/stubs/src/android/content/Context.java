// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content;

import android.content.pm.PackageManager;
import android.content.res.Resources;

import java.io.File;

public abstract class Context {
    public static final int MODE_PRIVATE = 0x0000;

    public Context() { throw new RuntimeException("stub"); }

    public abstract Resources getResources();

    public abstract PackageManager getPackageManager();

    public abstract ContentResolver getContentResolver();

    public abstract String getPackageName();

    public abstract SharedPreferences getSharedPreferences(String name, int mode);

    public abstract File getNoBackupFilesDir();

    public abstract void startActivity(Intent intent);

    public abstract ComponentName startService(Intent service);

    public abstract ComponentName startForegroundService(Intent service);

    public abstract int checkSelfPermission(String permission);

    public final String getString(int resId) { throw new RuntimeException("stub"); }

    public final String getString(int resId, Object... formatArgs) { throw new RuntimeException("stub"); }

    public final int getColor(int id) { throw new RuntimeException("stub"); }

    public final <T> T getSystemService(Class<T> serviceClass) { throw new RuntimeException("stub"); }
}
