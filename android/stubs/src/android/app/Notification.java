// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.app;

import android.content.Context;
import android.graphics.drawable.Icon;

public class Notification {
    public static final int FLAG_ONGOING_EVENT = 0x00000002;
    public static final String CATEGORY_SERVICE = "service";

    public int flags;

    private Notification() {}

    public static class Builder {
        public Builder(Context context, String channelId) { throw new RuntimeException("stub"); }

        public Builder setSmallIcon(int icon) { throw new RuntimeException("stub"); }

        public Builder setContentTitle(CharSequence title) { throw new RuntimeException("stub"); }

        public Builder setContentText(CharSequence text) { throw new RuntimeException("stub"); }

        public Builder setContentIntent(PendingIntent intent) { throw new RuntimeException("stub"); }

        public Builder setOngoing(boolean ongoing) { throw new RuntimeException("stub"); }

        public Builder setOnlyAlertOnce(boolean onlyAlertOnce) { throw new RuntimeException("stub"); }

        public Builder setShowWhen(boolean show) { throw new RuntimeException("stub"); }

        public Builder setCategory(String category) { throw new RuntimeException("stub"); }

        public Builder addAction(Action action) { throw new RuntimeException("stub"); }

        public Builder setStyle(Style style) { throw new RuntimeException("stub"); }

        public Notification build() { throw new RuntimeException("stub"); }
    }

    public static class Action {
        private Action() {}

        public static final class Builder {
            public Builder(Icon icon, CharSequence title, PendingIntent intent) { throw new RuntimeException("stub"); }

            public Action build() { throw new RuntimeException("stub"); }
        }
    }

    public abstract static class Style {
        private Style() {}
    }

    public static class BigTextStyle extends Style {
        public BigTextStyle() { throw new RuntimeException("stub"); }

        public BigTextStyle bigText(CharSequence cs) { throw new RuntimeException("stub"); }
    }
}
