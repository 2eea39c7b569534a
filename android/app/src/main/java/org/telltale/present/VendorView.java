package org.telltale.present;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** A vendor (Tencent, ByteDance ...) an app reached, and its services ({@code vendors[]}). */
public final class VendorView {
    /** Stable vendor id ({@code tencent}); empty when missing. */
    public final String id;
    /** Display name ({@code Tencent}); the id when missing. */
    public final String name;
    /** Services reached, as the report lists them. */
    public final List<ServiceView> services;
    /** Flows to the vendor's network with no evidence of any of its services. */
    public final long networkOnlyFlows;
    /** Bytes sent on those flows. */
    public final long networkOnlyBytesUp;

    VendorView(Map<String, Object> m) {
        id = Fields.string(m, "id", "");
        name = Fields.string(m, "name", id);
        List<ServiceView> s = new ArrayList<>();
        for (Object o : Fields.list(m, "services")) {
            s.add(new ServiceView(Fields.object(o)));
        }
        services = Collections.unmodifiableList(s);
        Map<String, Object> net = Fields.object(m, "network_only");
        networkOnlyFlows = Fields.count(net, "flows");
        networkOnlyBytesUp = Fields.count(net, "bytes_up");
    }

    /** True for Tencent, the vendor this monitor exists to watch. */
    public boolean isTencent() {
        return "tencent".equals(id);
    }
}
