package org.telltale.present;

/** What one line of the app list shows; built by {@link Presenter#row}. */
public final class AppRow {
    /** The app's id, to open its details. */
    public final String appId;
    /** The app's label, else its package name, else its id. */
    public final String title;
    /** Exposure level, for the colour or icon. */
    public final Level level;
    /** The level as a word ({@code High}). */
    public final String levelLabel;
    /**
     * Services reached, Tencent first ({@code Tencent: Bugly, Tencent Map; ByteDance: Pangle});
     * may be empty.
     */
    public final String services;
    /** Bytes sent, formatted ({@code 2.7 KB sent}). */
    public final String sent;

    AppRow(String appId, String title, Level level, String levelLabel, String services,
            String sent) {
        this.appId = appId;
        this.title = title;
        this.level = level;
        this.levelLabel = levelLabel;
        this.services = services;
        this.sent = sent;
    }

    /**
     * The row in a few words, for the notification: {@code Daily News: High (Tencent: Bugly)},
     * without the brackets when no service was reached.
     */
    public String line() {
        return title + ": " + levelLabel + (services.isEmpty() ? "" : " (" + services + ")");
    }

    /** The row as one line ({@code Daily News | High | ... | 2.7 KB sent}), for logs and tests. */
    @Override
    public String toString() {
        return title + " | " + levelLabel + " | " + services + " | " + sent;
    }
}
