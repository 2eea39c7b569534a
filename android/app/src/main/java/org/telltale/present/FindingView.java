package org.telltale.present;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/** What an app exposed: one (folded) finding of the report's {@code findings[]}. */
public final class FindingView {
    /** Stable finding id; empty when missing. */
    public final String id;
    /** Kind id ({@code cleartext-http} ...); empty when missing. */
    public final String kind;
    /** Severity; {@link Level#NONE} when missing or unknown. */
    public final Level severity;
    /** Vendor id the finding concerns, or empty. */
    public final String vendor;
    /** Service id the finding concerns, or empty. */
    public final String service;
    /** One line saying what was seen; may be empty. */
    public final String summary;
    /** The core's plain-language explanation; may be empty (see {@link Presenter#explanation}). */
    public final String explanation;
    /** Evidence, values as strings, identifiers masked by the core unless revealed. */
    public final Map<String, String> evidence;
    /** How many times it was seen (at least 1). */
    public final long count;
    /** First time seen, or {@code null} when missing or malformed. */
    public final Instant firstSeen;
    /** Last time seen, or {@code null} when missing or malformed. */
    public final Instant lastSeen;
    /** Ids of the first flows it was seen on. */
    public final List<Long> flows;

    FindingView(Map<String, Object> m) {
        id = Fields.string(m, "id", "");
        kind = Fields.string(m, "kind", "");
        severity = Level.fromId(Fields.string(m, "severity", null));
        vendor = Fields.string(m, "vendor", "");
        service = Fields.string(m, "service", "");
        summary = Fields.string(m, "summary", "");
        explanation = Fields.string(m, "explanation", "");
        evidence = Fields.stringMap(m, "evidence");
        count = Math.max(1L, Fields.count(m, "count"));
        firstSeen = instant(Fields.string(m, "first_seen", null));
        lastSeen = instant(Fields.string(m, "last_seen", null));
        flows = Fields.counts(m, "flows");
    }

    private static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
