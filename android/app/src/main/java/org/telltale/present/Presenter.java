package org.telltale.present;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the app shows and in what order, in plain words for people who are not engineers:
 * app ordering, level words, list rows, finding explanations, byte and time formats, and the
 * display of identifier evidence. Plain Java with no Android types, so it is tested on a desktop
 * JVM.
 */
public final class Presenter {
    private static final DateTimeFormatter ABSOLUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private Presenter() {}

    /**
     * Most exposed first, as the report orders apps (rust-core/engine/src/report.rs): level,
     * then the number of vendors reached, then bytes exchanged (sent and received), then id.
     */
    public static final Comparator<AppExposure> ORDER = (a, b) -> {
        int c = b.level.compareTo(a.level);
        if (c == 0) {
            c = Integer.compare(b.vendors.size(), a.vendors.size());
        }
        if (c == 0) {
            c = Long.compare(exchanged(b), exchanged(a));
        }
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    /** Bytes sent and received, saturating rather than wrapping on absurd counts. */
    private static long exchanged(AppExposure app) {
        long sum = app.bytesUp + app.bytesDown;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** {@code apps} sorted by {@link #ORDER}, as a new list. */
    public static List<AppExposure> order(Collection<AppExposure> apps) {
        List<AppExposure> out = new ArrayList<>(apps);
        Collections.sort(out, ORDER);
        return out;
    }

    /** The rows of the app list, most exposed app first. */
    public static List<AppRow> rows(Report report) {
        List<AppRow> out = new ArrayList<>();
        for (AppExposure app : order(report.apps)) {
            out.add(row(app));
        }
        return out;
    }

    /** One row of the app list. */
    public static AppRow row(AppExposure app) {
        return new AppRow(app.id, title(app), app.level, levelLabel(app.level), services(app),
                formatBytes(app.bytesUp) + " sent");
    }

    /** The name to show for an app: its label, else its package name, else its id. */
    public static String title(AppExposure app) {
        if (!app.name.trim().isEmpty()) {
            return app.name;
        }
        if (!app.packageName.isEmpty()) {
            return app.packageName;
        }
        return app.id.isEmpty() ? "Unknown app" : app.id;
    }

    /**
     * The services an app reached, per vendor, Tencent first (the monitor exists to watch it),
     * then the others in the report's order: {@code Tencent: Bugly, Tencent Map; ByteDance:
     * Pangle (CSJ)}. A vendor reached only on its network, with no service identified, shows as
     * {@code Tencent network}. Empty when the app reached no watched vendor.
     */
    public static String services(AppExposure app) {
        List<VendorView> vendors = new ArrayList<>(app.vendors);
        // A stable sort: the others keep the report's order (most bytes first).
        Collections.sort(vendors, (a, b) -> Boolean.compare(b.isTencent(), a.isTencent()));
        StringBuilder sb = new StringBuilder();
        for (VendorView v : vendors) {
            if (v.services.isEmpty() && v.networkOnlyFlows == 0) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("; ");
            }
            if (v.services.isEmpty()) {
                sb.append(v.name).append(" network");
                continue;
            }
            sb.append(v.name).append(": ");
            for (int i = 0; i < v.services.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(v.services.get(i).name);
            }
        }
        return sb.toString();
    }

    /** The level as one word: High, Medium, Low, Info or None. */
    public static String levelLabel(Level level) {
        switch (level) {
            case HIGH: return "High";
            case MEDIUM: return "Medium";
            case LOW: return "Low";
            case INFO: return "Info";
            default: return "None";
        }
    }

    /** What a level means, in one sentence for someone who is not an engineer. */
    public static String levelMeaning(Level level) {
        switch (level) {
            case HIGH:
                return "Serious: people on the network can read personal details such as "
                        + "identifiers or location, or tamper with this app's traffic or code.";
            case MEDIUM:
                return "Some of this app's traffic is unencrypted or uses weak, home-made "
                        + "encryption, so others on the network can read parts of it.";
            case LOW:
                return "Little is exposed: the network can see which services this app uses, "
                        + "and it may contact a company this monitor watches, such as Tencent.";
            case INFO:
                return "Worth knowing, but exposes nothing by itself.";
            default:
                return "Nothing exposed was seen in this app's traffic.";
        }
    }

    /**
     * A finding explained in one or two plain sentences: the core's own explanation, else the
     * built-in text for its kind, else its summary.
     */
    public static String explanation(FindingView finding) {
        if (!finding.explanation.trim().isEmpty()) {
            return finding.explanation;
        }
        String builtIn = kindExplanation(finding.kind);
        if (builtIn != null) {
            return builtIn;
        }
        return finding.summary.isEmpty() ? "Something in this app's traffic is worth a look."
                : finding.summary;
    }

    /**
     * The built-in explanation of a finding kind (docs/report-schema.md), the same words the
     * core writes (rust-core/engine/src/finding.rs), or {@code null} for a kind not known here.
     */
    public static String kindExplanation(String kind) {
        switch (kind == null ? "" : kind) {
            case "identifier-cleartext":
                return "Account or device identifiers travel unencrypted: anyone on the network "
                        + "path can tie this traffic to you or your phone.";
            case "location-cleartext":
                return "Location data (coordinates, cell towers or Wi-Fi networks) travels "
                        + "unencrypted.";
            case "code-download":
                return "The app downloaded program code, which can change what it does after you "
                        + "installed it.";
            case "legacy-tls":
                return "The connection uses outdated encryption that is known to be weak, which "
                        + "can let others read or tamper with it.";
            case "proprietary-crypto":
                return "The app protects this traffic with its own home-made encryption instead "
                        + "of the standard (TLS); researchers have found such schemes weaker than "
                        + "TLS.";
            case "linkable-token":
                return "The same token is sent in clear on separate connections, so an observer "
                        + "can tell they all come from the same phone or account.";
            case "httpdns-cleartext":
                return "The app looked up server names with its own unencrypted web request, "
                        + "which can carry account or device details as well as the names.";
            case "cleartext-http":
                return "The app sent a web request without encryption. Anyone on the network "
                        + "path (the Wi-Fi operator, the mobile carrier, a state observer) can "
                        + "read and change it.";
            case "cleartext-dns":
                return "The app looked up a server name without encryption, so the network can "
                        + "see which services it talks to, and when.";
            case "own-encrypted-dns":
                return "The app uses its own encrypted name lookup service instead of the "
                        + "phone's, which hides its lookups from the phone's settings and from "
                        + "this monitor's DNS view.";
            case "server-name-visible":
                return "The connection is encrypted, but the name of the server it goes to is "
                        + "sent in clear at its start, so the network knows which service is used.";
            case "tencent-contact":
                return "The app exchanged data with a Tencent service. Tencent is obliged to "
                        + "cooperate with authorities of the People's Republic of China.";
            case "tencent-network":
                return "The app connected to a server on Tencent's network. That network also "
                        + "hosts other companies, so this alone does not show a Tencent service.";
            case "vendor-contact":
                return "The app exchanged data with a service of another company this monitor "
                        + "watches; the service's description says what it can learn.";
            case "vendor-network":
                return "The app connected to a server on the network of another company this "
                        + "monitor watches. Such networks also host other companies, so this "
                        + "alone does not show one of its services.";
            default:
                return null;
        }
    }

    /**
     * An evidence value as it should be shown: the identifier or location value of an
     * {@code identifier-cleartext} or {@code location-cleartext} finding is masked unless
     * {@code reveal}; every other value is shown as the report gives it. Empty when absent.
     */
    public static String evidenceValue(FindingView finding, String key, boolean reveal) {
        String value = finding.evidence.get(key);
        if (value == null) {
            return "";
        }
        if (!"value".equals(key)) {
            return value;
        }
        String kind = finding.evidence.get("identifier");
        if (kind == null) {
            kind = finding.evidence.get("location");
        }
        return kind == null ? value : Masking.display(kind, value, reveal);
    }

    /**
     * Any text of a finding (its summary, an evidence field such as a URL) as it should be
     * shown: when the report carries the identifier or location value in full (the core's
     * masking off), that value is masked wherever it appears in the text, unless
     * {@code reveal}.
     */
    public static String maskedText(FindingView finding, String text, boolean reveal) {
        String raw = finding.evidence.get("value");
        if (reveal || raw == null || raw.isEmpty()) {
            return text;
        }
        String shown = evidenceValue(finding, "value", false);
        return shown.equals(raw) ? text : text.replace(raw, shown);
    }

    /** A finding's summary (its kind when there is none), masked as {@link #maskedText}. */
    public static String summary(FindingView finding, boolean reveal) {
        String what = finding.summary.isEmpty() ? finding.kind : finding.summary;
        return maskedText(finding, what, reveal);
    }

    /** A finding's headline: {@code [High] summary}. */
    public static String headline(FindingView finding, boolean reveal) {
        return "[" + levelLabel(finding.severity) + "] " + summary(finding, reveal);
    }

    /** A finding's evidence, one {@code key: value} line per field, masked as shown. */
    public static List<String> evidenceLines(FindingView finding, boolean reveal) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> e : finding.evidence.entrySet()) {
            String value = "value".equals(e.getKey())
                    ? evidenceValue(finding, "value", reveal)
                    : maskedText(finding, e.getValue(), reveal);
            lines.add(e.getKey() + ": " + value);
        }
        return lines;
    }

    /**
     * The latest connections that showed something: the report lists findings (each with when
     * it was last seen), not every flow, so these are an app's findings, the most recently seen
     * first, at most {@code max}; findings without a time are left out.
     */
    public static List<FindingView> recent(AppExposure app, int max) {
        List<FindingView> recent = new ArrayList<>();
        for (FindingView f : app.findings) {
            if (f.lastSeen != null) {
                recent.add(f);
            }
        }
        recent.sort(Comparator.comparing((FindingView f) -> f.lastSeen).reversed());
        return recent.subList(0, Math.min(Math.max(0, max), recent.size()));
    }

    /**
     * A byte count as people read it, in SI units like the CLI ({@code bytes()} in
     * rust-core/cli/src/text.rs): {@code 512 B}, {@code 3.2 KB}, {@code 14.0 MB},
     * {@code 1.5 GB}, {@code 2.0 TB}. Negative counts show as {@code 0 B}.
     */
    public static String formatBytes(long n) {
        if (n < 1000) {
            return Math.max(0L, n) + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n / 1000.0;
        int unit = 0;
        while (unit < units.length - 1 && v >= 1000.0) {
            v /= 1000.0;
            unit++;
        }
        return oneDecimal(v) + " " + units[unit];
    }

    /**
     * {@code x} with one decimal, rounded as Rust's {@code format!("{:.1}")} rounds: the
     * exact binary value, ties to even (so 0.25 gives 0.2, and 0.15, really 0.1499…, gives 0.1).
     */
    static String oneDecimal(double x) {
        String s = new BigDecimal(x).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
        // BigDecimal has no negative zero; the core writes -0.0 for small negatives.
        boolean negative = Double.doubleToRawLongBits(x) < 0;
        return negative && !s.startsWith("-") ? "-" + s : s;
    }

    /**
     * How long ago {@code then} was, seen at {@code now}: {@code just now} (under a minute, or
     * in the future from a clock change), {@code 2 min ago}, {@code 1 hour ago},
     * {@code 3 days ago}. Empty when {@code then} is unknown.
     */
    public static String relativeTime(Instant then, Instant now) {
        if (then == null) {
            return "";
        }
        long s = Duration.between(then, now).getSeconds();
        if (s < 60) {
            return "just now";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 86400) {
            long h = s / 3600;
            return h == 1 ? "1 hour ago" : h + " hours ago";
        }
        long d = s / 86400;
        return d == 1 ? "1 day ago" : d + " days ago";
    }

    /** {@code t} as local time in {@code zone}: {@code 2025-11-24 17:00}; empty if unknown. */
    public static String absoluteTime(Instant t, ZoneId zone) {
        return t == null ? "" : ABSOLUTE.withZone(zone).format(t);
    }
}
