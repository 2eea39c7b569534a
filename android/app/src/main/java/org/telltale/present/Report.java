package org.telltale.present;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A typed view of the core's exposure report ({@code telltale.report/1},
 * docs/report-schema.md). Built leniently: missing or odd members take defaults, so only input
 * that is not JSON at all is refused.
 */
public final class Report {
    /** The schema the report names; empty when missing. */
    public final String schema;
    /** What was analysed (a file name for offline reports); may be empty. */
    public final String source;
    /** The signature set's id, so results can be reproduced; may be empty. */
    public final String signaturesId;
    /** Flows seen in total. */
    public final long totalFlows;
    /** Apps in the order the report gives (most exposed first). */
    public final List<AppExposure> apps;

    /** The view of an already parsed report (a {@link Json#parse} result). */
    public Report(Object parsed) {
        Map<String, Object> m = Fields.object(parsed);
        schema = Fields.string(m, "schema", "");
        source = Fields.string(Fields.object(m, "input"), "source", "");
        signaturesId = Fields.string(Fields.object(m, "signatures"), "id", "");
        totalFlows = Fields.count(Fields.object(m, "totals"), "flows");
        List<AppExposure> a = new ArrayList<>();
        for (Object o : Fields.list(m, "apps")) {
            a.add(new AppExposure(Fields.object(o)));
        }
        apps = Collections.unmodifiableList(a);
    }

    /** Parses report JSON text into a view. */
    public static Report fromJson(String text) throws JsonException {
        return new Report(Json.parse(text));
    }
}
