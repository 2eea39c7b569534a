// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.app;

import android.content.ContextWrapper;
import android.content.Intent;

public abstract class Service extends ContextWrapper {
    public static final int START_STICKY = 1;
    public static final int START_NOT_STICKY = 2;
    public static final int STOP_FOREGROUND_REMOVE = 1;

    public Service() { super(null); throw new RuntimeException("stub"); }

    public void onCreate() { throw new RuntimeException("stub"); }

    public int onStartCommand(Intent intent, int flags, int startId) { throw new RuntimeException("stub"); }

    public void onDestroy() { throw new RuntimeException("stub"); }

    public final void startForeground(int id, Notification notification) { throw new RuntimeException("stub"); }

    public final void startForeground(int id, Notification notification,
            int foregroundServiceType) { throw new RuntimeException("stub"); }

    public final void stopForeground(int notificationBehavior) { throw new RuntimeException("stub"); }

    public final void stopSelf() { throw new RuntimeException("stub"); }
}
