// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.app;

public class NotificationManager {
    public static final int IMPORTANCE_LOW = 2;

    private NotificationManager() {}

    public void createNotificationChannel(NotificationChannel channel) { throw new RuntimeException("stub"); }

    public void notify(int id, Notification notification) { throw new RuntimeException("stub"); }
}
