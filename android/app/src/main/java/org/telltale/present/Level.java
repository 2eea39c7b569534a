package org.telltale.present;

import java.util.Locale;

/**
 * How serious something is, least first: an app's exposure level ({@code none} to {@code high})
 * or a finding's severity ({@code info} to {@code high}). {@code info} findings count as none
 * toward an app's level, so {@link #INFO} ranks just above {@link #NONE}.
 */
public enum Level {
    /** Nothing exposed (exposure levels only). */
    NONE("none"),
    /** Worth knowing, exposes nothing by itself (finding severities only). */
    INFO("info"),
    /** Low. */
    LOW("low"),
    /** Medium. */
    MEDIUM("medium"),
    /** High. */
    HIGH("high");

    private final String id;

    Level(String id) {
        this.id = id;
    }

    /** The id the report uses ({@code none}, {@code info}, {@code low} ...). */
    public String id() {
        return id;
    }

    /** The level for a report id; an unknown or missing id is {@link #NONE}. */
    public static Level fromId(String id) {
        if (id != null) {
            String lower = id.toLowerCase(Locale.ROOT);
            for (Level l : values()) {
                if (l.id.equals(lower)) {
                    return l;
                }
            }
        }
        return NONE;
    }
}
