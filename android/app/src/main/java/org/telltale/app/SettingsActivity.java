package org.telltale.app;

import android.app.Activity;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.content.pm.ResolveInfo;
import android.os.Bundle;
import android.widget.ArrayAdapter;
import android.widget.ListView;
import android.widget.Switch;

import org.telltale.R;

import java.text.Collator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Settings, stored by {@link Prefs}: IPv6 on or off, identifier masking, and which apps are
 * monitored (none ticked: all). They apply when monitoring next starts.
 */
public final class SettingsActivity extends Activity {
    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private Prefs prefs;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_settings);
        prefs = Prefs.of(this);

        Switch ipv6 = findViewById(R.id.ipv6);
        ipv6.setChecked(prefs.ipv6());
        ipv6.setOnCheckedChangeListener((b, on) -> prefs.setIpv6(on));
        Switch mask = findViewById(R.id.mask);
        mask.setChecked(prefs.maskIdentifiers());
        mask.setOnCheckedChangeListener((b, on) -> prefs.setMaskIdentifiers(on));

        ListView list = findViewById(R.id.apps);
        list.setChoiceMode(ListView.CHOICE_MODE_MULTIPLE);
        io.execute(() -> {
            List<Choice> apps = launcherApps();
            runOnUiThread(() -> showApps(list, apps));
        });
    }

    @Override
    protected void onDestroy() {
        io.shutdown();
        super.onDestroy();
    }

    private void showApps(ListView list, List<Choice> apps) {
        if (isDestroyed()) {
            return;
        }
        list.setAdapter(new ArrayAdapter<>(this,
                android.R.layout.simple_list_item_multiple_choice, apps));
        Set<String> chosen = prefs.monitoredApps();
        for (int i = 0; i < apps.size(); i++) {
            list.setItemChecked(i, chosen.contains(apps.get(i).packageName));
        }
        list.setOnItemClickListener((parent, view, position, id) -> {
            Set<String> now = new HashSet<>(prefs.monitoredApps());
            String pkg = apps.get(position).packageName;
            if (list.isItemChecked(position)) {
                now.add(pkg);
            } else {
                now.remove(pkg);
            }
            prefs.setMonitoredApps(now);
        });
    }

    /** The apps with a launcher icon, but Telltale, sorted by label. */
    private List<Choice> launcherApps() {
        PackageManager pm = getPackageManager();
        Intent launcher = new Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_LAUNCHER);
        Set<String> seen = new HashSet<>();
        List<Choice> out = new ArrayList<>();
        for (ResolveInfo ri : pm.queryIntentActivities(launcher, 0)) {
            String pkg = ri.activityInfo.packageName;
            if (pkg.equals(getPackageName()) || !seen.add(pkg)) {
                continue;
            }
            out.add(new Choice(pkg, ri.activityInfo.applicationInfo.loadLabel(pm).toString()));
        }
        Collator collator = Collator.getInstance();
        out.sort((a, b) -> collator.compare(a.label, b.label));
        return out;
    }

    /** One app in the list. */
    private static final class Choice {
        final String packageName;
        final String label;

        Choice(String packageName, String label) {
            this.packageName = packageName;
            this.label = label;
        }

        @Override
        public String toString() {
            return label + "\n" + packageName;
        }
    }
}
