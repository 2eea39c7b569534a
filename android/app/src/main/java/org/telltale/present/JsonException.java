package org.telltale.present;

/**
 * Input that {@link Json} refuses: malformed, too deep or too large. Carries the character
 * offset (a UTF-16 index into the input) at which the problem was found, so a bad report can be
 * pinpointed.
 */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Where the problem was found, as a UTF-16 index into the input. */
    private final int offset;

    /** A refusal at {@code offset} (UTF-16 index into the input) for the given reason. */
    public JsonException(String reason, int offset) {
        super(reason + " at offset " + offset);
        this.offset = offset;
    }

    /** The UTF-16 index into the input at which the problem was found. */
    public int offset() {
        return offset;
    }
}
