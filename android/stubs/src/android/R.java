// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android;

public final class R {
    private R() {}

    public static final class layout {
        private layout() {}

        public static final int simple_list_item_multiple_choice = 0x01090010;
    }
}
