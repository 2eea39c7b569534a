package org.telltale.present;

import java.util.List;
import java.util.Map;

/** One service of a vendor that an app reached or looked up (the report's {@code services[]}). */
public final class ServiceView {
    /** Stable service id ({@code bugly}); empty when missing. */
    public final String id;
    /** Display name ({@code Bugly}); the id when missing. */
    public final String name;
    /** Category ({@code crash}, {@code ads} ...); empty when missing. */
    public final String category;
    /** One plain-language sentence on what the service is and can learn; may be empty. */
    public final String description;
    /**
     * {@code TRUE} when the traffic comes from the vendor's kit built into someone else's app,
     * {@code FALSE} for the vendor's own app, {@code null} when the app's package is unknown.
     */
    public final Boolean kitInApp;
    /** Flows to the service. */
    public final long connections;
    /** DNS flows that asked for its names. */
    public final long lookups;
    /** Bytes the app sent to it. */
    public final long bytesUp;
    /** Bytes it sent back. */
    public final long bytesDown;
    /** Server names seen (or a protocol's short name, {@code MMTLS}). */
    public final List<String> names;

    ServiceView(Map<String, Object> m) {
        id = Fields.string(m, "id", "");
        name = Fields.string(m, "name", id);
        category = Fields.string(m, "category", "");
        description = Fields.string(m, "description", "");
        kitInApp = Fields.bool(m, "kit_in_app");
        connections = Fields.count(m, "connections");
        lookups = Fields.count(m, "lookups");
        bytesUp = Fields.count(m, "bytes_up");
        bytesDown = Fields.count(m, "bytes_down");
        names = Fields.strings(m, "names");
    }
}
