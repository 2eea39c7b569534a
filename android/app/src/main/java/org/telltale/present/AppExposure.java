package org.telltale.present;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** One app's exposure: the report's {@code apps[]} entry, with defaults for anything missing. */
public final class AppExposure {
    /** Stable app id ({@code uid:10234} or {@code addr:...}); empty when missing. */
    public final String id;
    /** Android uid, or -1 when not known. */
    public final long uid;
    /** Package name, or empty. */
    public final String packageName;
    /** Label, or empty. */
    public final String name;
    /** The device address, for {@code addr:} apps; else empty. */
    public final String address;
    /** Exposure level. */
    public final Level level;
    /** The core's one-sentence reason for the level; may be empty. */
    public final String reason;
    /** Flows the app made. */
    public final long flows;
    /** Bytes the app sent. */
    public final long bytesUp;
    /** Bytes the app received. */
    public final long bytesDown;
    /** Vendors reached, the one it exchanged most bytes with first. */
    public final List<VendorView> vendors;
    /** Findings, most serious first. */
    public final List<FindingView> findings;
    /** Findings beyond the per-app limit, counted but not listed. */
    public final long findingsDropped;

    AppExposure(Map<String, Object> m) {
        id = Fields.string(m, "id", "");
        uid = m.get("uid") instanceof Long ? (Long) m.get("uid") : -1L;
        packageName = Fields.string(m, "package", "");
        name = Fields.string(m, "name", "");
        address = Fields.string(m, "address", "");
        Map<String, Object> exposure = Fields.object(m, "exposure");
        level = Level.fromId(Fields.string(exposure, "level", null));
        reason = Fields.string(exposure, "reason", "");
        flows = Fields.count(m, "flows");
        bytesUp = Fields.count(m, "bytes_up");
        bytesDown = Fields.count(m, "bytes_down");
        List<VendorView> v = new ArrayList<>();
        for (Object o : Fields.list(m, "vendors")) {
            v.add(new VendorView(Fields.object(o)));
        }
        vendors = Collections.unmodifiableList(v);
        List<FindingView> f = new ArrayList<>();
        for (Object o : Fields.list(m, "findings")) {
            f.add(new FindingView(Fields.object(o)));
        }
        findings = Collections.unmodifiableList(f);
        findingsDropped = Fields.count(m, "findings_dropped");
    }
}
