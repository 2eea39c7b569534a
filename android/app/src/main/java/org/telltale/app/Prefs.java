package org.telltale.app;

import android.content.Context;
import android.content.SharedPreferences;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/** The user's settings, in the app's private SharedPreferences. Changes apply at the next start. */
final class Prefs {
    private static final String FILE = "telltale";
    private static final String IPV6 = "ipv6";
    private static final String MASK = "mask_identifiers";
    private static final String APPS = "monitored_apps";

    private final SharedPreferences sp;

    private Prefs(SharedPreferences sp) {
        this.sp = sp;
    }

    static Prefs of(Context context) {
        return new Prefs(context.getSharedPreferences(FILE, Context.MODE_PRIVATE));
    }

    /** Whether IPv6 goes through the monitor (on) or is blocked (off). Default on. */
    boolean ipv6() {
        return sp.getBoolean(IPV6, true);
    }

    void setIpv6(boolean on) {
        sp.edit().putBoolean(IPV6, on).apply();
    }

    /** Whether the core masks identifiers in reports and exports. Default on. */
    boolean maskIdentifiers() {
        return sp.getBoolean(MASK, true);
    }

    void setMaskIdentifiers(boolean on) {
        sp.edit().putBoolean(MASK, on).apply();
    }

    /** Package names to monitor; empty means every app (but Telltale itself). */
    Set<String> monitoredApps() {
        Set<String> s = sp.getStringSet(APPS, null);
        // getStringSet's result must not be modified: copy it.
        return s == null ? Collections.emptySet() : new HashSet<>(s);
    }

    void setMonitoredApps(Set<String> packages) {
        sp.edit().putStringSet(APPS, new HashSet<>(packages)).apply();
    }
}
