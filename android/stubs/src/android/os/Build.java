// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.os;

public class Build {
    private Build() {}

    public static class VERSION {
        private VERSION() {}

        // Not a compile-time constant: the running device's API level.
        public static final int SDK_INT;

        static {
            SDK_INT = 0;
        }
    }

    public static class VERSION_CODES {
        private VERSION_CODES() {}

        public static final int Q = 29;
        public static final int TIRAMISU = 33;
        public static final int UPSIDE_DOWN_CAKE = 34;
    }
}
