package org.telltale.present;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Masking of identifier values for display, the same rules as the core's
 * {@code identify::mask} (rust-core/engine/src/identify.rs), so a value looks the same in the
 * app, the CLI and exports: IMEI {@code 350000000000123} → {@code 35••••••••••123}, e-mail
 * {@code alice@example.com} → {@code a•••@example.com}, coordinates → {@code ≈39.9,116.4}.
 */
public final class Masking {
    /** The mask character. */
    private static final char DOT = '\u2022';
    /** A decimal number as the core's {@code f64} parser reads one (no hex, no type suffix). */
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern MAC = Pattern.compile(
            "[0-9A-Fa-f]{12}|[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}");
    /** A MAC address as the core masks one ({@code a4:••:••:••:••:03}). */
    private static final Pattern MASKED_MAC = Pattern.compile(
            "(?=.*\u2022)[0-9A-Fa-f\u2022]{2}([:-])[0-9A-Fa-f\u2022]{2}"
                    + "(\\1[0-9A-Fa-f\u2022]{2}){4}");
    private static final Pattern NOT_HEX = Pattern.compile("[^0-9A-Fa-f]");
    private static final Pattern WXID_TAIL = Pattern.compile("[A-Za-z0-9_\u2022-]{6,32}");

    private Masking() {}

    /**
     * The value to show for an identifier of {@code kind}: masked unless the user chose to
     * reveal identifiers, in which case it is shown as given.
     */
    public static String display(String kind, String value, boolean reveal) {
        return reveal ? value : maskIdentifier(kind, value);
    }

    /**
     * {@code value} masked for display: keeps its shape and a few characters, never the whole
     * value. {@code kind} is an identifier kind as the report writes it, either its id
     * ({@code imei}, {@code android-id}) or its label ({@code IMEI}, {@code Android ID}); an
     * unknown kind gets the general rule.
     *
     * <p>Masking is idempotent: a value the core already masked comes back unchanged, since a
     * {@code •} counts as a hidden character and stays hidden. A raw value that happens to hold
     * {@code •} is still masked, so nothing shows that the rules would hide.
     */
    public static String maskIdentifier(String kind, String value) {
        if (value == null || value.isEmpty()) {
            return value == null ? "" : value;
        }
        String masked = mask(canonical(kind), value);
        // Never show a value whole, even one without a character to hide ("::"); a value
        // that is already masked (dots, or rounded coordinates) is shown as it is.
        boolean alreadyMasked = value.indexOf(DOT) >= 0 || value.startsWith("\u2248");
        return masked.equals(value) && !alreadyMasked ? "\u2022\u2022\u2022" : masked;
    }

    private static String mask(String kind, String value) {
        switch (kind) {
            case "email":
                return email(value);
            case "location":
                return location(value);
            case "cell-id": {
                // Area and cell number each keep one character at either end.
                String[] parts = value.split(",", -1);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < parts.length; i++) {
                    sb.append(i > 0 ? "," : "").append(maskChars(parts[i], 1, 1));
                }
                return sb.toString();
            }
            case "mac":
            case "android-id":
            case "oaid":
            case "gaid":
            case "idfa":
            case "phone":
                return maskChars(value, 2, 2);
            case "wifi-id":
                return isMac(value) || MASKED_MAC.matcher(value).matches()
                        ? maskChars(value, 2, 2)
                        : ssid(value);
            case "wechat-id":
                if (value.length() > 5
                        && value.substring(0, 5).toLowerCase(Locale.ROOT).equals("wxid_")
                        && WXID_TAIL.matcher(value.substring(5)).matches()) {
                    return value.substring(0, 5) + maskChars(value.substring(5), 2, 3);
                }
                return maskChars(value, 2, 3);
            default:
                return maskChars(value, 2, 3);
        }
    }

    /** The local part goes but for its first character (if it has 3 or more); the domain stays. */
    private static String email(String value) {
        int at = value.indexOf('@');
        if (at < 0) {
            return maskChars(value, 2, 3);
        }
        String local = value.substring(0, at);
        String domain = value.substring(at + 1);
        if (domain.indexOf('@') >= 0) {
            domain = maskChars(domain, 2, 3);
        }
        String first = local.codePointCount(0, local.length()) >= 3 && local.charAt(0) != DOT
                ? new String(Character.toChars(local.codePointAt(0)))
                : "";
        return first + "\u2022\u2022\u2022@" + domain;
    }

    /** Coordinates rounded to one decimal (about 10 km); anything else masked. */
    private static String location(String value) {
        StringBuilder sb = new StringBuilder("\u2248");
        // Raw coordinates never start with the sign; a masked value does.
        String[] parts = (value.startsWith("\u2248") ? value.substring(1) : value).split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String p = parts[i].trim();
            sb.append(DECIMAL.matcher(p).matches() ? Presenter.oneDecimal(Double.parseDouble(p))
                    : maskChars(parts[i], 0, 0));
        }
        return sb.toString();
    }

    /**
     * A MAC address (a BSSID) as the core recognises one: 6 hex octets, with {@code :} or
     * {@code -} between them or nothing; not a placeholder (all zero, all {@code ff},
     * {@code 02:00:00:00:00:00}) and not multicast.
     */
    private static boolean isMac(String value) {
        if (!MAC.matcher(value).matches()) {
            return false;
        }
        String hex = NOT_HEX.matcher(value).replaceAll("").toLowerCase(Locale.ROOT);
        boolean placeholder = hex.equals("000000000000") || hex.equals("ffffffffffff")
                || hex.equals("020000000000");
        boolean multicast = (Character.digit(hex.charAt(1), 16) & 1) == 1;
        return !placeholder && !multicast;
    }

    /** An SSID shows only its first character, and only when it has 4 or more. */
    private static String ssid(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && value.charAt(from) == '"') {
            from++;
        }
        while (to > from && value.charAt(to - 1) == '"') {
            to--;
        }
        String v = value.substring(from, to);
        if (v.codePointCount(0, v.length()) >= 4) {
            return new String(Character.toChars(v.codePointAt(0))) + "\u2022\u2022\u2022";
        }
        return "\u2022\u2022\u2022";
    }

    /**
     * {@code value} with its letters and digits masked except {@code head} leading and
     * {@code tail} trailing ones; separators stay so the shape shows. Never more than a third
     * shows, and nothing of values with fewer than 5 letters and digits. A {@code •} counts as a
     * (hidden) letter, so masking a masked value changes nothing.
     */
    private static String maskChars(String value, int head, int tail) {
        int n = 0;
        for (int i = 0; i < value.length(); i = value.offsetByCodePoints(i, 1)) {
            if (hideable(value.codePointAt(i))) {
                n++;
            }
        }
        int maxHead = n >= 12 ? 2 : n >= 8 ? 1 : n >= 5 ? 1 : 0;
        int maxTail = n >= 12 ? 3 : n >= 8 ? 2 : n >= 5 ? 1 : 0;
        head = Math.min(head, maxHead);
        tail = Math.min(tail, maxTail);
        StringBuilder sb = new StringBuilder();
        int seen = 0;
        for (int i = 0; i < value.length(); i = value.offsetByCodePoints(i, 1)) {
            int c = value.codePointAt(i);
            if (!hideable(c)) {
                sb.appendCodePoint(c);
                continue;
            }
            seen++;
            if (seen <= head || seen > n - tail) {
                sb.appendCodePoint(c);
            } else {
                sb.append(DOT);
            }
        }
        return sb.toString();
    }

    /**
     * A character the rules hide: Rust's {@code char::is_alphanumeric} (alphabetic, or a numeric
     * category), or the mask character itself.
     */
    private static boolean hideable(int c) {
        if (c == DOT || Character.isAlphabetic(c)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER
                || t == Character.OTHER_NUMBER;
    }

    /** The kind's id for an id or a label as the report writes them. */
    private static String canonical(String kind) {
        String k = kind == null ? "" : kind.toLowerCase(Locale.ROOT);
        switch (k) {
            case "mac address": return "mac";
            case "android id": return "android-id";
            case "google advertising id": return "gaid";
            case "phone number": return "phone";
            case "e-mail address": return "email";
            case "qq number": return "qq-number";
            case "wechat account id": return "wechat-id";
            case "wechat network id": return "wechat-network-id";
            case "coordinates": return "location";
            case "cell id": return "cell-id";
            case "wi-fi network id": return "wifi-id";
            default: return k;
        }
    }
}
