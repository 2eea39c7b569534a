package org.telltale.present;

import java.util.Objects;

/** The few assertions the tests need; a failure throws {@link AssertionError}. */
public final class Check {
    private Check() {}

    /** Fails unless {@code expected} equals {@code actual}. */
    public static void eq(Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError("expected <" + expected + "> but was <" + actual + ">");
        }
    }

    /** Fails unless {@code condition} holds. */
    public static void isTrue(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** Something that is expected to throw. */
    public interface Action {
        /** Runs it. */
        void run() throws Exception;
    }

    /** Fails unless {@code action} throws a {@link JsonException}; returns it. */
    public static JsonException jsonError(Action action) {
        try {
            action.run();
        } catch (JsonException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected JsonException, got " + e, e);
        }
        throw new AssertionError("expected JsonException, nothing thrown");
    }
}
