package org.telltale.present;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The typed views over the report the CLI prints for samples/sample.pcapng (copied to the test
 * resource sample-report.json), and their defaults for missing or odd members.
 */
public final class ReportTest {
    /** The sample report, as the core wrote it. */
    static Report sample() throws IOException, JsonException {
        try (InputStream in = ReportTest.class.getResourceAsStream("/sample-report.json")) {
            if (in == null) {
                throw new IOException("sample-report.json is not on the class path");
            }
            return Report.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void readsTheSampleReport() throws Exception {
        Report r = sample();
        Check.eq("telltale.report/1", r.schema);
        Check.eq("samples/sample.pcapng", r.source);
        Check.eq("2026-11-26#e4ac5fdfb950", r.signaturesId);
        Check.eq(17L, r.totalFlows);
        Check.eq(3, r.apps.size());

        AppExposure news = r.apps.get(0);
        Check.eq("uid:10234", news.id);
        Check.eq(10234L, news.uid);
        Check.eq("com.example.dailynews", news.packageName);
        Check.eq("Daily News", news.name);
        Check.eq(Level.HIGH, news.level);
        Check.isTrue(news.reason.startsWith("This app sends location data unencrypted"),
                news.reason);
        Check.eq(9L, news.flows);
        Check.eq(2739L, news.bytesUp);
        Check.eq(1242L, news.bytesDown);
        Check.eq(14, news.findings.size());
        Check.eq(0L, news.findingsDropped);

        VendorView tencent = news.vendors.get(0);
        Check.eq("Tencent", tencent.name);
        Check.isTrue(tencent.isTencent(), "tencent is Tencent");
        Check.eq(1L, tencent.networkOnlyFlows);
        Check.eq(148L, tencent.networkOnlyBytesUp);
        ServiceView bugly = tencent.services.get(0);
        Check.eq("bugly", bugly.id);
        Check.eq("Bugly", bugly.name);
        Check.eq("crash", bugly.category);
        Check.eq(Boolean.TRUE, bugly.kitInApp);
        Check.eq(1L, bugly.connections);
        Check.eq(1L, bugly.lookups);
        Check.eq(620L, bugly.bytesUp);
        Check.eq(263L, bugly.bytesDown);
        Check.eq(List.of("android.bugly.qq.com"), bugly.names);
        Check.eq("ByteDance", news.vendors.get(1).name);

        FindingView location = news.findings.get(0);
        Check.eq("location-cleartext", location.kind);
        Check.eq(Level.HIGH, location.severity);
        Check.eq("tencent", location.vendor);
        Check.eq("tencent-map", location.service);
        Check.eq("\u224840.0,116.3", location.evidence.get("value"));
        Check.eq("coordinates", location.evidence.get("location"));
        Check.eq(1L, location.count);
        Check.eq(Instant.parse("2025-11-24T16:00:00.054Z"), location.firstSeen);
        Check.eq(List.of(10L), location.flows);
        Check.eq(Level.INFO, news.findings.get(13).severity);

        AppExposure wechat = r.apps.get(1);
        Check.eq("WeChat", wechat.name);
        Check.eq(Boolean.FALSE, wechat.vendors.get(0).services.get(0).kitInApp);
        FindingView id = wechat.findings.get(0);
        Check.eq("identifier-cleartext", id.kind);
        Check.eq("WeChat account ID", id.evidence.get("identifier"));
        Check.eq("1\u2022\u2022\u2022\u2022\u2022\u2022\u202244", id.evidence.get("value"));
        Check.eq(2L, wechat.findings.get(3).count);

        AppExposure browser = r.apps.get(2);
        Check.eq(Level.LOW, browser.level);
        Check.eq(List.of(), browser.vendors);
    }

    @Test
    void sampleOrderIsTheReportsOrder() throws Exception {
        Report r = sample();
        List<AppExposure> shuffled = new ArrayList<>(r.apps);
        Collections.reverse(shuffled);
        List<String> ids = new ArrayList<>();
        for (AppExposure a : Presenter.order(shuffled)) {
            ids.add(a.id);
        }
        Check.eq(Arrays.asList("uid:10234", "uid:10123", "uid:10345"), ids);
    }

    @Test
    void sampleRows() throws Exception {
        List<String> rows = new ArrayList<>();
        for (AppRow row : Presenter.rows(sample())) {
            rows.add(row.toString());
        }
        Check.eq(Arrays.asList(
                "Daily News | High | Tencent: Bugly, Tencent Map; ByteDance: Pangle (CSJ)"
                        + " | 2.7 KB sent",
                "WeChat | High | Tencent: WeChat | 3.1 KB sent",
                "Browser | Low |  | 876 B sent"), rows);
        List<AppRow> all = Presenter.rows(sample());
        AppRow first = all.get(0);
        Check.eq("uid:10234", first.appId);
        Check.eq(Level.HIGH, first.level);
        Check.eq("WeChat: High (Tencent: WeChat)", all.get(1).line());
        Check.eq("Browser: Low", all.get(2).line());
    }

    @Test
    void sampleFindingsExplainThemselves() throws Exception {
        for (AppExposure app : sample().apps) {
            for (FindingView f : app.findings) {
                // The core's text wins, and it matches the built-in text for every kind.
                Check.eq(Presenter.kindExplanation(f.kind), Presenter.explanation(f));
            }
        }
    }

    @Test
    void emptyAndOddReportsGetDefaults() throws JsonException {
        Check.eq(0, Report.fromJson("{}").apps.size());
        Check.eq(0, Report.fromJson("[]").apps.size());
        Check.eq(0, Report.fromJson("{\"apps\": 7}").apps.size());
        Report r = Report.fromJson("{\"schema\": 1, \"apps\": [null, 3, {"
                + "\"id\": \"uid:1\", \"uid\": \"x\", \"name\": 5,"
                + "\"exposure\": {\"level\": \"HIGH\"},"
                + "\"bytes_up\": -5, \"bytes_down\": 1.5e3, \"flows\": \"9\","
                + "\"vendors\": [{\"services\": [{\"id\": \"s\", \"kit_in_app\": \"yes\","
                + " \"names\": [\"a\", 1, null]}]}],"
                + "\"findings\": [{\"severity\": \"critical\", \"count\": 0,"
                + " \"first_seen\": \"yesterday\", \"flows\": [1, -2, \"3\"],"
                + " \"evidence\": {\"n\": 5, \"b\": true, \"o\": {\"x\": 1}}}]}]}");
        Check.eq("", r.schema);
        Check.eq(3, r.apps.size());
        AppExposure empty = r.apps.get(0);
        Check.eq("", empty.id);
        Check.eq(-1L, empty.uid);
        Check.eq(Level.NONE, empty.level);
        Check.eq("Unknown app", Presenter.title(empty));

        AppExposure odd = r.apps.get(2);
        Check.eq(-1L, odd.uid);
        Check.eq("", odd.name);
        Check.eq("uid:1", Presenter.title(odd));
        Check.eq(Level.HIGH, odd.level);
        Check.eq(0L, odd.bytesUp);
        Check.eq(1500L, odd.bytesDown);
        Check.eq(0L, odd.flows);
        ServiceView s = odd.vendors.get(0).services.get(0);
        Check.eq("s", s.name);
        Check.eq(null, s.kitInApp);
        Check.eq(List.of("a"), s.names);
        Check.eq("", odd.vendors.get(0).name);
        FindingView f = odd.findings.get(0);
        Check.eq(Level.NONE, f.severity);
        Check.eq(1L, f.count);
        Check.eq(null, f.firstSeen);
        Check.eq(List.of(1L), f.flows);
        Check.eq("5", f.evidence.get("n"));
        Check.eq("true", f.evidence.get("b"));
        Check.eq(null, f.evidence.get("o"));
        Check.eq("Something in this app's traffic is worth a look.", Presenter.explanation(f));
    }
}
