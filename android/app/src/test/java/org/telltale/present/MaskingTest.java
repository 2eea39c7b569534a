package org.telltale.present;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Masking of identifiers for display: the core's test vectors (identify.rs, {@code masks}),
 * labels as the report writes them, values the core already masked, reveal, the texts of a
 * finding that carry its value, and the recent findings.
 */
public final class MaskingTest {
    private static final String D = "\u2022";

    private static String dots(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(D);
        }
        return sb.toString();
    }

    @Test
    void theCoresVectors() {
        Check.eq("35" + dots(10) + "123", Masking.maskIdentifier("imei", "350000000000123"));
        Check.eq("a" + dots(3) + "@example.com",
                Masking.maskIdentifier("email", "alice@example.com"));
        Check.eq(dots(3) + "@example.com", Masking.maskIdentifier("email", "al@example.com"));
        Check.eq("a4:" + D + D + ":" + D + D + ":" + D + D + ":" + D + D + ":03",
                Masking.maskIdentifier("mac", "a4:5e:60:01:02:03"));
        Check.eq("\u224839.9,116.4", Masking.maskIdentifier("location", "39.904211,116.407395"));
        Check.eq(dots(4) + ",1" + dots(3) + "5", Masking.maskIdentifier("cell-id", "4113,12345"));
        Check.eq("H" + dots(3), Masking.maskIdentifier("wifi-id", "\"HomeNet\""));
        Check.eq("a4:" + D + D + ":" + D + D + ":" + D + D + ":" + D + D + ":03",
                Masking.maskIdentifier("wifi-id", "a4:5e:60:01:02:03"));
        Check.eq("wxid_ab" + dots(7) + "234",
                Masking.maskIdentifier("wechat-id", "wxid_abcdefgh1234"));
        Check.eq("+86" + dots(9) + "78", Masking.maskIdentifier("phone", "+8613812345678"));
        Check.eq("o" + dots(8) + "89", Masking.maskIdentifier("qq-number", "o0123456789"));
        Check.eq("38" + dots(6) + "-" + dots(4) + "-" + dots(4) + "-" + dots(4) + "-"
                + dots(10) + "0d",
                Masking.maskIdentifier("gaid", "38400000-8cf0-11bd-b23e-10b96e40000d"));
        Check.eq(dots(4), Masking.maskIdentifier("imei", "1234"));
        Check.eq(dots(3), Masking.maskIdentifier("imei", "::"));
        Check.eq("\u2248" + D + ",1.0", Masking.maskIdentifier("location", "x,1.0"));
        Check.eq("", Masking.maskIdentifier("imei", ""));
    }

    @Test
    void labelsAsTheReportWritesThem() {
        Check.eq("49" + dots(10) + "518", Masking.maskIdentifier("IMEI", "490154203237518"));
        Check.eq("j" + dots(3) + "@example.org",
                Masking.maskIdentifier("e-mail address", "jane@example.org"));
        Check.eq("1" + dots(7) + "44",
                Masking.maskIdentifier("WeChat account ID", "1234567844"));
        Check.eq("\u224840.0,116.3", Masking.maskIdentifier("coordinates", "39.98,116.31"));
        Check.eq("H" + dots(3), Masking.maskIdentifier("Wi-Fi network ID", "HomeNet"));
        Check.eq("12" + dots(12) + "ef",
                Masking.maskIdentifier("Android ID", "1234567890abcdef"));
    }

    @Test
    void shapesAndEdges() {
        // A BSSID that is a placeholder is no MAC, so it is masked as an SSID.
        Check.eq("0" + dots(3), Masking.maskIdentifier("wifi-id", "00:00:00:00:00:00"));
        Check.eq("W" + dots(3), Masking.maskIdentifier("wifi-id", "\"Wlan\""));
        Check.eq(dots(3), Masking.maskIdentifier("wifi-id", "abc"));
        // Not a wxid (tail too short): the general rule, separators kept.
        Check.eq("w" + dots(3) + "_" + dots(2) + "12",
                Masking.maskIdentifier("wechat-id", "wxid_ab12"));
        Check.eq("al" + dots(3) + "." + dots(7) + ".com",
                Masking.maskIdentifier("email", "alice.example.com"));
        Check.eq("\u2248-33.9,151.2", Masking.maskIdentifier("location", "-33.8688, 151.2093"));
        Check.eq("\u2248" + dots(3) + "," + dots(8),
                Masking.maskIdentifier("location", "NaN,Infinity"));
        Check.eq("a" + dots(8) + "ij", Masking.maskIdentifier("something-new", "abcdefghhij"));
        Check.eq("", Masking.maskIdentifier("imei", null));
        // Non-BMP letters count as one character each.
        Check.eq("\uD835\uDC00\uD835\uDC01" + dots(9) + "yz",
                Masking.maskIdentifier("oaid", "\uD835\uDC00\uD835\uDC01abcdefghxyz"));
    }

    @Test
    void maskingAMaskedValueChangesNothing() {
        String[][] raw = {
            {"imei", "350000000000123"}, {"email", "alice@example.com"},
            {"email", "al@example.com"}, {"mac", "a4:5e:60:01:02:03"},
            {"location", "39.904211,116.407395"}, {"cell-id", "4113,12345"},
            {"cell-id", "4113,123"}, {"wifi-id", "\"HomeNet\""},
            {"wifi-id", "a4:5e:60:01:02:03"}, {"wechat-id", "wxid_abcdefgh1234"},
            {"phone", "+8613812345678"}, {"qq-number", "o0123456789"},
            {"gaid", "38400000-8cf0-11bd-b23e-10b96e40000d"}, {"imei", "1234"},
            {"imei", "::"}, {"location", "x,1.0"}, {"WeChat account ID", "1234567844"},
            {"Wi-Fi network ID", "abc"},
        };
        for (String[] r : raw) {
            String once = Masking.maskIdentifier(r[0], r[1]);
            Check.eq(once, Masking.maskIdentifier(r[0], once));
        }
        // As the core wrote them in the sample report.
        String uin = "1" + dots(7) + "44";
        Check.eq(uin, Masking.maskIdentifier("WeChat account ID", uin));
        Check.eq("\u224840.0,116.3", Masking.maskIdentifier("coordinates", "\u224840.0,116.3"));
    }

    @Test
    void aRawValueHoldingTheMaskCharacterIsStillMasked() {
        Check.eq("H" + dots(3), Masking.maskIdentifier("wifi-id", "Home" + D + "Net"));
        Check.eq("35" + dots(10) + "123",
                Masking.maskIdentifier("imei", "3500000" + D + "0000123"));
        Check.eq(dots(3) + "@x.org", Masking.maskIdentifier("email", D + "bob@x.org"));
    }

    @Test
    void revealShowsTheValue() {
        Check.eq("490154203237518", Masking.display("imei", "490154203237518", true));
        Check.eq("49" + dots(10) + "518", Masking.display("imei", "490154203237518", false));
    }

    @Test
    void evidenceValuesMaskOnlyIdentifiers() throws JsonException {
        FindingView id = new FindingView(Fields.object(Json.parse("{\"kind\":"
                + "\"identifier-cleartext\",\"evidence\":{\"identifier\":\"IMEI\",\"key\":\"imei\","
                + "\"value\":\"490154203237518\",\"host\":\"a.qq.com\"}}")));
        Check.eq("49" + dots(10) + "518", Presenter.evidenceValue(id, "value", false));
        Check.eq("490154203237518", Presenter.evidenceValue(id, "value", true));
        Check.eq("a.qq.com", Presenter.evidenceValue(id, "host", false));
        Check.eq("", Presenter.evidenceValue(id, "missing", false));
        FindingView loc = new FindingView(Fields.object(Json.parse("{\"evidence\":"
                + "{\"location\":\"coordinates\",\"value\":\"39.904211,116.407395\"}}")));
        Check.eq("\u224839.9,116.4", Presenter.evidenceValue(loc, "value", false));
        FindingView other = new FindingView(Fields.object(Json.parse(
                "{\"evidence\":{\"value\":\"plain\"}}")));
        Check.eq("plain", Presenter.evidenceValue(other, "value", false));
    }

    @Test
    void textsOfAFindingMaskItsFullValue() throws JsonException {
        // With the core's masking off the report carries the IMEI in full, also in the summary
        // and the URL; none of them may show it until revealed.
        FindingView id = new FindingView(Fields.object(Json.parse("{\"kind\":"
                + "\"identifier-cleartext\",\"severity\":\"high\",\"summary\":"
                + "\"IMEI 490154203237518 sent in clear\",\"evidence\":{\"identifier\":\"IMEI\","
                + "\"value\":\"490154203237518\",\"url\":\"/r?imei=490154203237518\"}}")));
        String masked = "49" + dots(10) + "518";
        Check.eq("[High] IMEI " + masked + " sent in clear", Presenter.headline(id, false));
        Check.eq("[High] IMEI 490154203237518 sent in clear", Presenter.headline(id, true));
        Check.eq(Arrays.asList("identifier: IMEI", "value: " + masked, "url: /r?imei=" + masked),
                Presenter.evidenceLines(id, false));
        Check.eq(Arrays.asList("identifier: IMEI", "value: 490154203237518",
                "url: /r?imei=490154203237518"), Presenter.evidenceLines(id, true));
        // Already masked by the core: nothing to replace.
        FindingView core = new FindingView(Fields.object(Json.parse("{\"kind\":\"k\","
                + "\"evidence\":{\"identifier\":\"IMEI\",\"value\":\"" + masked + "\"}}")));
        Check.eq("[None] k", Presenter.headline(core, false));
        Check.eq("text " + masked, Presenter.maskedText(core, "text " + masked, false));
    }

    @Test
    void recentFindingsNewestFirstAndCapped() throws JsonException {
        AppExposure app = new AppExposure(Fields.object(Json.parse("{\"id\":\"a\","
                + "\"findings\":[{\"id\":\"old\",\"last_seen\":\"2025-01-01T00:00:00Z\"},"
                + "{\"id\":\"none\"},"
                + "{\"id\":\"new\",\"last_seen\":\"2025-01-03T00:00:00Z\"},"
                + "{\"id\":\"mid\",\"last_seen\":\"2025-01-02T00:00:00Z\"}]}")));
        List<String> ids = new ArrayList<>();
        for (FindingView f : Presenter.recent(app, 2)) {
            ids.add(f.id);
        }
        Check.eq(Arrays.asList("new", "mid"), ids);
        Check.eq(3, Presenter.recent(app, 10).size());
        Check.eq(0, Presenter.recent(app, -1).size());
    }
}
