package org.telltale.present;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ordering, level words, rows, explanations, and byte and time formats. */
public final class PresenterTest {
    private static AppExposure app(String json) throws JsonException {
        return new AppExposure(Fields.object(Json.parse(json)));
    }

    private static List<String> orderedIds(AppExposure... apps) {
        List<String> ids = new ArrayList<>();
        for (AppExposure a : Presenter.order(Arrays.asList(apps))) {
            ids.add(a.id);
        }
        return ids;
    }

    @Test
    void ordersByLevelThenVendorsThenBytesThenId() throws JsonException {
        AppExposure none = app("{\"id\":\"n\",\"bytes_up\":99999}");
        AppExposure low = app("{\"id\":\"l\",\"exposure\":{\"level\":\"low\"}}");
        AppExposure medium = app("{\"id\":\"m\",\"exposure\":{\"level\":\"medium\"}}");
        AppExposure high = app("{\"id\":\"h\",\"exposure\":{\"level\":\"high\"}}");
        Check.eq(Arrays.asList("h", "m", "l", "n"), orderedIds(none, low, high, medium));

        AppExposure oneVendor = app("{\"id\":\"a\",\"exposure\":{\"level\":\"high\"},"
                + "\"bytes_up\":5000,\"vendors\":[{}]}");
        AppExposure twoVendors = app("{\"id\":\"b\",\"exposure\":{\"level\":\"high\"},"
                + "\"bytes_up\":1,\"vendors\":[{},{}]}");
        Check.eq(Arrays.asList("b", "a"), orderedIds(oneVendor, twoVendors));

        // Bytes count both ways: 10 + 900 beats 500 + 0.
        AppExposure sentMore = app("{\"id\":\"c\",\"bytes_up\":500}");
        AppExposure moreInAll = app("{\"id\":\"d\",\"bytes_up\":10,\"bytes_down\":900}");
        Check.eq(Arrays.asList("d", "c"), orderedIds(sentMore, moreInAll));

        // Counts too large to add up saturate instead of wrapping to negative.
        AppExposure huge = app("{\"id\":\"e\",\"bytes_up\":9223372036854775807,"
                + "\"bytes_down\":9}");
        AppExposure small = app("{\"id\":\"f\",\"bytes_up\":5}");
        Check.eq(Arrays.asList("e", "f"), orderedIds(small, huge));

        AppExposure x = app("{\"id\":\"uid:2\"}");
        AppExposure y = app("{\"id\":\"uid:10\"}");
        Check.eq(Arrays.asList("uid:10", "uid:2"), orderedIds(x, y));
    }

    @Test
    void levelWords() {
        Check.eq("High", Presenter.levelLabel(Level.HIGH));
        Check.eq("Medium", Presenter.levelLabel(Level.MEDIUM));
        Check.eq("Low", Presenter.levelLabel(Level.LOW));
        Check.eq("Info", Presenter.levelLabel(Level.INFO));
        Check.eq("None", Presenter.levelLabel(Level.NONE));
        for (Level l : Level.values()) {
            String meaning = Presenter.levelMeaning(l);
            Check.isTrue(meaning.endsWith(".") && meaning.length() < 160, meaning);
            Check.eq(l, Level.fromId(l.id()));
        }
        Check.eq(Level.NONE, Level.fromId(null));
        Check.eq(Level.NONE, Level.fromId("severe"));
    }

    @Test
    void rowTitleFallsBackToPackageThenId() throws JsonException {
        Check.eq("com.x", Presenter.row(app("{\"id\":\"uid:3\",\"package\":\"com.x\","
                + "\"name\":\" \"}")).title);
        Check.eq("addr:10.0.0.2", Presenter.row(app("{\"id\":\"addr:10.0.0.2\"}")).title);
    }

    @Test
    void rowServicesPutTencentFirstAndNameBareNetworks() throws JsonException {
        AppExposure a = app("{\"id\":\"a\",\"bytes_up\":1234567,\"vendors\":["
                + "{\"id\":\"bytedance\",\"name\":\"ByteDance\","
                + "\"services\":[{\"name\":\"Pangle\"}]},"
                + "{\"id\":\"tencent\",\"name\":\"Tencent\",\"network_only\":{\"flows\":2}},"
                + "{\"id\":\"quiet\",\"name\":\"Quiet\"}]}");
        AppRow row = Presenter.row(a);
        Check.eq("Tencent network; ByteDance: Pangle", row.services);
        Check.eq("1.2 MB sent", row.sent);
    }

    @Test
    void explanationFallsBackToBuiltInText() throws JsonException {
        FindingView own = new FindingView(Fields.object(Json.parse(
                "{\"kind\":\"cleartext-dns\",\"explanation\":\"Core text.\"}")));
        Check.eq("Core text.", Presenter.explanation(own));
        FindingView blank = new FindingView(Fields.object(Json.parse(
                "{\"kind\":\"code-download\",\"explanation\":\"  \"}")));
        Check.eq(Presenter.kindExplanation("code-download"), Presenter.explanation(blank));
        FindingView unknown = new FindingView(Fields.object(Json.parse(
                "{\"kind\":\"new-kind\",\"summary\":\"something new\"}")));
        Check.eq("something new", Presenter.explanation(unknown));
        String[] kinds = {"identifier-cleartext", "location-cleartext", "code-download",
            "legacy-tls", "proprietary-crypto", "linkable-token", "httpdns-cleartext",
            "cleartext-http", "cleartext-dns", "own-encrypted-dns", "server-name-visible",
            "tencent-contact", "tencent-network", "vendor-contact", "vendor-network"};
        for (String k : kinds) {
            String text = Presenter.kindExplanation(k);
            Check.isTrue(text != null && text.endsWith("."), k);
            Check.isTrue(text.split("\\. ").length <= 2, "at most two sentences: " + k);
        }
        Check.eq(null, Presenter.kindExplanation(null));
    }

    @Test
    void bytesLikeTheCli() {
        Check.eq("0 B", Presenter.formatBytes(0));
        Check.eq("0 B", Presenter.formatBytes(-7));
        Check.eq("999 B", Presenter.formatBytes(999));
        Check.eq("1.0 KB", Presenter.formatBytes(1000));
        Check.eq("1.0 KB", Presenter.formatBytes(1049));
        Check.eq("1.1 KB", Presenter.formatBytes(1051));
        // Ties go to even, as Rust's format! does: 1.25 gives 1.2, 1.75 gives 1.8.
        Check.eq("1.2 KB", Presenter.formatBytes(1250));
        Check.eq("1.8 KB", Presenter.formatBytes(1750));
        Check.eq("2.7 KB", Presenter.formatBytes(2739));
        // Just under the next unit rounds up within the unit, as the CLI prints it.
        Check.eq("1000.0 KB", Presenter.formatBytes(999_999));
        Check.eq("1.0 MB", Presenter.formatBytes(1_000_000));
        Check.eq("14.0 MB", Presenter.formatBytes(14_000_000));
        Check.eq("1.5 GB", Presenter.formatBytes(1_500_000_000L));
        Check.eq("2.0 TB", Presenter.formatBytes(2_000_000_000_000L));
        Check.eq("9223372.0 TB", Presenter.formatBytes(Long.MAX_VALUE));
    }

    @Test
    void oneDecimalRoundsLikeRust() {
        Check.eq("0.2", Presenter.oneDecimal(0.25));
        Check.eq("0.1", Presenter.oneDecimal(0.15));
        Check.eq("2.4", Presenter.oneDecimal(2.35));
        Check.eq("40.0", Presenter.oneDecimal(39.95));
        Check.eq("-0.0", Presenter.oneDecimal(-0.04));
        Check.eq("-0.0", Presenter.oneDecimal(-0.0));
        Check.eq("-116.4", Presenter.oneDecimal(-116.407395));
    }

    @Test
    void relativeTimes() {
        Instant now = Instant.parse("2025-11-24T16:00:00Z");
        Check.eq("just now", Presenter.relativeTime(now, now));
        Check.eq("just now", Presenter.relativeTime(now.minusSeconds(59), now));
        Check.eq("just now", Presenter.relativeTime(now.plusSeconds(600), now));
        Check.eq("1 min ago", Presenter.relativeTime(now.minusSeconds(60), now));
        Check.eq("2 min ago", Presenter.relativeTime(now.minusSeconds(179), now));
        Check.eq("59 min ago", Presenter.relativeTime(now.minusSeconds(3599), now));
        Check.eq("1 hour ago", Presenter.relativeTime(now.minusSeconds(3600), now));
        Check.eq("23 hours ago", Presenter.relativeTime(now.minusSeconds(86399), now));
        Check.eq("1 day ago", Presenter.relativeTime(now.minusSeconds(86400), now));
        Check.eq("3 days ago", Presenter.relativeTime(now.minusSeconds(3 * 86400 + 5), now));
        Check.eq("", Presenter.relativeTime(null, now));
    }

    @Test
    void absoluteTimesInTheGivenZone() {
        Instant t = Instant.parse("2025-11-24T16:00:00.054Z");
        Check.eq("2025-11-24 16:00", Presenter.absoluteTime(t, ZoneId.of("UTC")));
        Check.eq("2025-11-24 17:00", Presenter.absoluteTime(t, ZoneId.of("Europe/Prague")));
        Check.eq("2025-11-25 00:00", Presenter.absoluteTime(t, ZoneId.of("Asia/Shanghai")));
        Check.eq("", Presenter.absoluteTime(null, ZoneId.of("UTC")));
    }
}
