package org.telltale.app;

import android.content.Context;
import android.content.pm.PackageManager;
import android.graphics.drawable.Drawable;

import org.telltale.R;
import org.telltale.bridge.Native;
import org.telltale.present.JsonException;
import org.telltale.present.Level;
import org.telltale.present.Report;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Small helpers the activities share: the current report, level colours, app icons. */
final class Ui {
    private static final Map<String, Drawable> ICONS = new ConcurrentHashMap<>();

    private Ui() {}

    /**
     * The monitor's report as of now (or of the last run), or null when there is none yet or
     * the native library cannot give one. Blocks briefly: call off the UI thread.
     */
    static Report snapshot() {
        try {
            return Report.fromJson(Native.snapshot());
        } catch (RuntimeException | JsonException | LinkageError e) {
            // NativeException before the first start; LinkageError without the native library.
            return null;
        }
    }

    /** The colour resource of a level's badge. */
    static int levelColor(Level level) {
        switch (level) {
            case HIGH: return R.color.level_high;
            case MEDIUM: return R.color.level_medium;
            case LOW: return R.color.level_low;
            case INFO: return R.color.level_info;
            default: return R.color.level_none;
        }
    }

    /** The icon of an installed package, else the platform's default app icon. */
    static Drawable icon(Context context, String packageName) {
        PackageManager pm = context.getPackageManager();
        if (packageName == null || packageName.isEmpty()) {
            return pm.getDefaultActivityIcon();
        }
        Drawable d = ICONS.get(packageName);
        if (d == null) {
            try {
                d = pm.getApplicationIcon(packageName);
            } catch (PackageManager.NameNotFoundException e) {
                d = pm.getDefaultActivityIcon();
            }
            ICONS.put(packageName, d);
        }
        return d;
    }
}
