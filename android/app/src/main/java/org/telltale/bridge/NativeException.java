package org.telltale.bridge;

/** An error or a panic of the native monitor, with its message. */
public final class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message from the native side.
     *
     * @param message what went wrong
     */
    public NativeException(String message) {
        super(message);
    }
}
