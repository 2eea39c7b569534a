package org.telltale.app;

import android.app.Activity;
import android.graphics.Typeface;
import android.os.Bundle;
import android.view.View;
import android.widget.Button;
import android.widget.ImageView;
import android.widget.LinearLayout;
import android.widget.TextView;

import org.telltale.R;
import org.telltale.present.AppExposure;
import org.telltale.present.FindingView;
import org.telltale.present.Presenter;
import org.telltale.present.Report;
import org.telltale.present.ServiceView;
import org.telltale.present.VendorView;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One app in detail: its level and why, every finding explained in plain words with its
 * evidence (identifiers masked until the user taps reveal), the services it reached, and its
 * most recent connections that the report describes.
 */
public final class AppActivity extends Activity {
    static final String EXTRA_APP_ID = "org.telltale.extra.APP_ID";
    private static final int MAX_RECENT = 10;

    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private String appId;
    private AppExposure app;
    private boolean reveal;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_app);
        appId = getIntent().getStringExtra(EXTRA_APP_ID);
        reveal = savedInstanceState != null && savedInstanceState.getBoolean("reveal");
        Button b = findViewById(R.id.reveal);
        b.setOnClickListener(v -> {
            reveal = !reveal;
            render();
        });
    }

    @Override
    protected void onSaveInstanceState(Bundle out) {
        super.onSaveInstanceState(out);
        out.putBoolean("reveal", reveal);
    }

    @Override
    protected void onResume() {
        super.onResume();
        io.execute(() -> {
            Report report = Ui.snapshot();
            AppExposure found = null;
            if (report != null) {
                for (AppExposure a : report.apps) {
                    if (a.id.equals(appId)) {
                        found = a;
                        break;
                    }
                }
            }
            AppExposure result = found;
            runOnUiThread(() -> {
                app = result;
                render();
            });
        });
    }

    @Override
    protected void onDestroy() {
        io.shutdown();
        super.onDestroy();
    }

    private void render() {
        TextView title = findViewById(R.id.title);
        if (app == null) {
            title.setText(R.string.app_gone);
            return;
        }
        setTitle(Presenter.title(app));
        title.setText(Presenter.title(app));
        ((TextView) findViewById(R.id.package_name)).setText(
                app.packageName.isEmpty() ? app.id : app.packageName);
        ((ImageView) findViewById(R.id.icon)).setImageDrawable(Ui.icon(this, app.packageName));
        TextView level = findViewById(R.id.level);
        level.setText(getString(R.string.level_title, Presenter.levelLabel(app.level)));
        level.setTextColor(getColor(Ui.levelColor(app.level)));
        ((TextView) findViewById(R.id.level_meaning)).setText(Presenter.levelMeaning(app.level));
        TextView reason = findViewById(R.id.reason);
        reason.setText(app.reason);
        reason.setVisibility(app.reason.isEmpty() ? View.GONE : View.VISIBLE);
        ((TextView) findViewById(R.id.traffic)).setText(getString(R.string.app_traffic,
                app.flows, Presenter.formatBytes(app.bytesUp),
                Presenter.formatBytes(app.bytesDown)));
        ((Button) findViewById(R.id.reveal)).setText(reveal ? R.string.hide : R.string.reveal);
        // Revealing only shows what the core kept: with masking on, it masked them itself.
        findViewById(R.id.reveal_note).setVisibility(
                reveal && Prefs.of(this).maskIdentifiers() ? View.VISIBLE : View.GONE);
        renderFindings(findViewById(R.id.findings));
        renderServices(findViewById(R.id.services));
        renderRecent(findViewById(R.id.connections));
    }

    private void renderFindings(LinearLayout box) {
        box.removeAllViews();
        if (app.findings.isEmpty()) {
            box.addView(text(getString(R.string.no_findings), false, true));
        }
        Instant now = Instant.now();
        for (FindingView f : app.findings) {
            TextView head = text(Presenter.headline(f, reveal), true, false);
            head.setTextColor(getColor(Ui.levelColor(f.severity)));
            head.setPadding(0, dp(12), 0, 0);
            box.addView(head);
            box.addView(text(Presenter.explanation(f), false, false));
            for (String line : Presenter.evidenceLines(f, reveal)) {
                TextView ev = text(line, false, true);
                ev.setTypeface(Typeface.MONOSPACE);
                ev.setTextIsSelectable(reveal);
                box.addView(ev);
            }
            String when = Presenter.relativeTime(f.lastSeen, now);
            if (!when.isEmpty()) {
                box.addView(text(f.count > 1
                        ? getString(R.string.finding_count, f.count, when)
                        : getString(R.string.finding_once, when), false, true));
            }
        }
        if (app.findingsDropped > 0) {
            box.addView(text(getString(R.string.dropped, app.findingsDropped), false, true));
        }
    }

    private void renderServices(LinearLayout box) {
        box.removeAllViews();
        boolean any = false;
        for (VendorView v : app.vendors) {
            for (ServiceView s : v.services) {
                any = true;
                String head = v.name + ": " + s.name
                        + (s.category.isEmpty() ? "" : " (" + s.category + ")");
                TextView t = text(head, true, false);
                t.setPadding(0, dp(12), 0, 0);
                box.addView(t);
                if (!s.description.isEmpty()) {
                    box.addView(text(s.description, false, false));
                }
                if (Boolean.TRUE.equals(s.kitInApp)) {
                    box.addView(text(getString(R.string.kit_in_app), false, false));
                }
                box.addView(text(getString(R.string.service_line, s.connections, s.lookups,
                        Presenter.formatBytes(s.bytesUp)), false, true));
                if (!s.names.isEmpty()) {
                    TextView names = text(String.join(", ", s.names), false, true);
                    names.setTypeface(Typeface.MONOSPACE);
                    box.addView(names);
                }
            }
            if (v.networkOnlyFlows > 0) {
                any = true;
                TextView t = text(getString(R.string.vendor_network, v.name, v.networkOnlyFlows),
                        false, false);
                t.setPadding(0, dp(12), 0, 0);
                box.addView(t);
            }
        }
        if (!any) {
            box.addView(text(getString(R.string.no_services), false, true));
        }
    }

    /** The latest connections that showed something ({@link Presenter#recent}). */
    private void renderRecent(LinearLayout box) {
        box.removeAllViews();
        List<FindingView> recent = Presenter.recent(app, MAX_RECENT);
        if (recent.isEmpty()) {
            box.addView(text(getString(R.string.no_connections), false, true));
            return;
        }
        Instant now = Instant.now();
        for (FindingView f : recent) {
            box.addView(text(Presenter.relativeTime(f.lastSeen, now) + " · "
                    + Presenter.summary(f, reveal), false, false));
        }
    }

    private TextView text(String s, boolean bold, boolean secondary) {
        TextView t = new TextView(this);
        t.setText(s);
        if (bold) {
            t.setTypeface(Typeface.DEFAULT_BOLD);
        }
        if (secondary) {
            t.setTextColor(getColor(R.color.secondary_text));
        }
        t.setPadding(0, dp(2), 0, 0);
        return t;
    }

    private int dp(int v) {
        return Math.round(v * getResources().getDisplayMetrics().density);
    }
}
