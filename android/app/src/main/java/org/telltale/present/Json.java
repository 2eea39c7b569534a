package org.telltale.present;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for the core's exposure report, into plain Java values:
 * objects become {@link LinkedHashMap} (member order kept), arrays {@link ArrayList}, strings
 * {@link String}, integers {@link Long} (or {@link Double} beyond its range), other numbers
 * {@link Double}, and {@code true}/{@code false}/{@code null} {@link Boolean} and {@code null}.
 *
 * <p>It never recurses, so nesting cannot exhaust the thread's stack, and it refuses input deeper
 * than a depth limit or longer than a size limit. Anything outside the grammar (trailing commas,
 * comments, single quotes, lone surrogate escapes, leading zeros, duplicate member names, content
 * after the value) is refused with a {@link JsonException} giving the offset.
 */
public final class Json {
    /** Default nesting limit: the report nests about six deep. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** Default size limit in characters: far above any report a phone keeps (4096 apps). */
    public static final int DEFAULT_MAX_CHARS = 64 * 1024 * 1024;

    private final String in;
    private final int maxDepth;
    private int pos;

    private Json(String in, int maxDepth) {
        this.in = in;
        this.maxDepth = maxDepth;
    }

    /** Parses {@code text} with the default depth and size limits. */
    public static Object parse(String text) throws JsonException {
        return parse(text, DEFAULT_MAX_CHARS, DEFAULT_MAX_DEPTH);
    }

    /**
     * Parses {@code text}, refusing more than {@code maxChars} characters or containers nested
     * deeper than {@code maxDepth}.
     */
    public static Object parse(String text, int maxChars, int maxDepth) throws JsonException {
        if (text == null) {
            throw new JsonException("no input", 0);
        }
        if (text.length() > maxChars) {
            throw new JsonException("input longer than " + maxChars + " characters", maxChars);
        }
        Json p = new Json(text, maxDepth);
        Object value = p.document();
        p.skipSpace();
        if (p.pos < text.length()) {
            throw new JsonException("unexpected content after the value", p.pos);
        }
        return value;
    }

    /** An open container on the explicit stack, with the member name awaiting its value. */
    private static final class Frame {
        final Map<String, Object> object;
        final List<Object> array;
        String pendingKey;

        Frame(Map<String, Object> object, List<Object> array) {
            this.object = object;
            this.array = array;
        }
    }

    /** The value loop: an explicit stack of open containers stands in for recursion. */
    private Object document() throws JsonException {
        List<Frame> stack = new ArrayList<>();
        while (true) {
            skipSpace();
            Object value;
            int start = pos;
            char c = peek("a value");
            if (c == '{' || c == '[') {
                pos++;
                if (stack.size() >= maxDepth) {
                    throw new JsonException("nesting deeper than " + maxDepth, start);
                }
                Frame f = c == '{'
                        ? new Frame(new LinkedHashMap<>(), null)
                        : new Frame(null, new ArrayList<>());
                skipSpace();
                char close = c == '{' ? '}' : ']';
                if (peek("a value or '" + close + "'") == close) {
                    pos++;
                    value = f.object != null ? f.object : f.array;
                } else {
                    if (f.object != null) {
                        f.pendingKey = memberName(f.object);
                    }
                    stack.add(f);
                    continue;
                }
            } else {
                value = scalar();
            }
            // Place the finished value, then close as many containers as end here.
            while (true) {
                if (stack.isEmpty()) {
                    return value;
                }
                Frame top = stack.get(stack.size() - 1);
                if (top.object != null) {
                    top.object.put(top.pendingKey, value);
                } else {
                    top.array.add(value);
                }
                skipSpace();
                char close = top.object != null ? '}' : ']';
                char d = peek("',' or '" + close + "'");
                if (d == ',') {
                    pos++;
                    if (top.object != null) {
                        top.pendingKey = memberName(top.object);
                    }
                    break;
                }
                if (d != close) {
                    throw new JsonException("expected ',' or '" + close + "'", pos);
                }
                pos++;
                stack.remove(stack.size() - 1);
                value = top.object != null ? top.object : top.array;
            }
        }
    }

    /** A member name and its colon; names must be unique within their object. */
    private String memberName(Map<String, Object> object) throws JsonException {
        skipSpace();
        int start = pos;
        if (peek("a member name") != '"') {
            throw new JsonException("expected a member name", pos);
        }
        String key = string();
        if (object.containsKey(key)) {
            // Two readers could pick different values: refuse rather than guess.
            throw new JsonException("duplicate member name \"" + key + "\"", start);
        }
        skipSpace();
        if (peek("':'") != ':') {
            throw new JsonException("expected ':'", pos);
        }
        pos++;
        return key;
    }

    private Object scalar() throws JsonException {
        char c = in.charAt(pos);
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        if (in.startsWith("true", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (in.startsWith("false", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        if (in.startsWith("null", pos)) {
            pos += 4;
            return null;
        }
        throw new JsonException("unexpected character '" + printable(c) + "'", pos);
    }

    private String string() throws JsonException {
        int open = pos;
        pos++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= in.length()) {
                throw new JsonException("unterminated string", open);
            }
            char c = in.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) {
                throw new JsonException("control character in string", pos);
            }
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            int esc = pos;
            pos++;
            char e = peek("an escape");
            pos++;
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u': unicodeEscape(sb, esc); break;
                default: throw new JsonException("bad escape '\\" + printable(e) + "'", esc);
            }
        }
    }

    /** The four hex digits of a unicode escape; a surrogate must come as a full pair. */
    private void unicodeEscape(StringBuilder sb, int esc) throws JsonException {
        char u = hex4(esc);
        if (Character.isLowSurrogate(u)) {
            throw new JsonException("lone low surrogate escape", esc);
        }
        if (Character.isHighSurrogate(u)) {
            if (!in.startsWith("\\u", pos)) {
                throw new JsonException("high surrogate escape without its low half", esc);
            }
            int second = pos;
            pos += 2;
            char low = hex4(second);
            if (!Character.isLowSurrogate(low)) {
                throw new JsonException("high surrogate escape without its low half", esc);
            }
            sb.append(u).append(low);
            return;
        }
        sb.append(u);
    }

    private char hex4(int esc) throws JsonException {
        if (pos + 4 > in.length()) {
            throw new JsonException("short \\u escape", esc);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(in.charAt(pos + i), 16);
            // Character.digit accepts non-ASCII digits; JSON allows only ASCII hex.
            if (d < 0 || in.charAt(pos + i) > 'f') {
                throw new JsonException("bad \\u escape", esc);
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws JsonException {
        int start = pos;
        if (in.charAt(pos) == '-') {
            pos++;
        }
        int intStart = pos;
        digits(start);
        if (pos - intStart > 1 && in.charAt(intStart) == '0') {
            throw new JsonException("leading zero in number", start);
        }
        boolean integer = true;
        if (pos < in.length() && in.charAt(pos) == '.') {
            integer = false;
            pos++;
            digits(start);
        }
        if (pos < in.length() && (in.charAt(pos) == 'e' || in.charAt(pos) == 'E')) {
            integer = false;
            pos++;
            if (pos < in.length() && (in.charAt(pos) == '+' || in.charAt(pos) == '-')) {
                pos++;
            }
            digits(start);
        }
        String text = in.substring(start, pos);
        if (integer) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooBig) {
                // Beyond 64 bits: keep the magnitude as a double rather than refuse the report.
                return Double.parseDouble(text);
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            throw new JsonException("number out of range", start);
        }
        return d;
    }

    private void digits(int numberStart) throws JsonException {
        int first = pos;
        while (pos < in.length() && in.charAt(pos) >= '0' && in.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == first) {
            throw new JsonException("malformed number", numberStart);
        }
    }

    private void skipSpace() {
        while (pos < in.length()) {
            char c = in.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The character at the cursor, or a refusal naming what was expected at the end. */
    private char peek(String expected) throws JsonException {
        if (pos >= in.length()) {
            throw new JsonException("input ends where " + expected + " was expected", pos);
        }
        return in.charAt(pos);
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e
                ? String.format(Locale.ROOT, "\\u%04x", (int) c)
                : String.valueOf(c);
    }
}
