// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android;

public final class Manifest {
    private Manifest() {}

    public static final class permission {
        private permission() {}

        public static final String POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS";
    }
}
