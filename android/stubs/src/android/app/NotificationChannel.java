// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.app;

public final class NotificationChannel {
    public NotificationChannel(String id, CharSequence name, int importance) { throw new RuntimeException("stub"); }

    public void setDescription(String description) { throw new RuntimeException("stub"); }

    public void setShowBadge(boolean showBadge) { throw new RuntimeException("stub"); }
}
