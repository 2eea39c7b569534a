package org.telltale.present;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lenient reads of parsed JSON values: a missing member or one of the wrong type gives the
 * default, so a report from an older or newer core (or a damaged one) never crashes the UI.
 */
final class Fields {
    private Fields() {}

    /** {@code value} as an object, or an empty one. */
    @SuppressWarnings("unchecked") // Json only ever makes Map<String, Object>.
    static Map<String, Object> object(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Collections.emptyMap();
    }

    /** Member {@code key} of {@code obj} as an object, or an empty one. */
    static Map<String, Object> object(Map<String, Object> obj, String key) {
        return object(obj.get(key));
    }

    /** Member {@code key} as a list, or an empty one. */
    @SuppressWarnings("unchecked") // Json only ever makes List<Object>.
    static List<Object> list(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        return v instanceof List ? (List<Object>) v : Collections.emptyList();
    }

    /** Member {@code key} as a string, or {@code def}. */
    static String string(Map<String, Object> obj, String key, String def) {
        Object v = obj.get(key);
        return v instanceof String ? (String) v : def;
    }

    /** Member {@code key} as a count: a non-negative integer, else 0. */
    static long count(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        if (v instanceof Long) {
            return Math.max(0L, (Long) v);
        }
        if (v instanceof Double) {
            // Integers beyond 64 bits arrive as doubles; saturate instead of wrapping.
            double d = (Double) v;
            return d >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0L, (long) d);
        }
        return 0L;
    }

    /** Member {@code key} as a boolean, or {@code null} when absent or not a boolean. */
    static Boolean bool(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        return v instanceof Boolean ? (Boolean) v : null;
    }

    /** Member {@code key} as a list of the strings in it; other elements are skipped. */
    static List<String> strings(Map<String, Object> obj, String key) {
        List<String> out = new ArrayList<>();
        for (Object v : list(obj, key)) {
            if (v instanceof String) {
                out.add((String) v);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Member {@code key} as a list of the counts in it; other elements are skipped. */
    static List<Long> counts(Map<String, Object> obj, String key) {
        List<Long> out = new ArrayList<>();
        for (Object v : list(obj, key)) {
            if (v instanceof Long && (Long) v >= 0) {
                out.add((Long) v);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Member {@code key} as a map of strings: the core writes evidence values as strings, but a
     * number or boolean is shown as written and nested values are skipped.
     */
    static Map<String, String> stringMap(Map<String, Object> obj, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(obj, key).entrySet()) {
            Object v = e.getValue();
            if (v instanceof String || v instanceof Long || v instanceof Double
                    || v instanceof Boolean) {
                out.put(e.getKey(), String.valueOf(v));
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
