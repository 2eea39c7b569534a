package org.telltale.bridge;

/**
 * Test only: a native method that panics inside the bridge's guard (exported when the library
 * is built with {@code --features test-probe}, as {@code scripts/jni-test} does), to show that
 * a Rust panic reaches Java as a {@link NativeException} and leaves the library usable.
 */
final class PanicProbe {
    static {
        System.loadLibrary("telltale_android");
    }

    private PanicProbe() {}

    /**
     * Panics in Rust with {@code message}.
     *
     * @param message the panic's message
     */
    static native void panic(String message);
}
