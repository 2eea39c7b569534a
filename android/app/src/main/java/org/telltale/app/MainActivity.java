package org.telltale.app;

import android.Manifest;
import android.app.Activity;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.net.Uri;
import android.net.VpnService;
import android.os.Build;
import android.os.Bundle;
import android.os.Handler;
import android.os.Looper;
import android.os.ParcelFileDescriptor;
import android.view.LayoutInflater;
import android.view.View;
import android.view.ViewGroup;
import android.widget.BaseAdapter;
import android.widget.Button;
import android.widget.ImageView;
import android.widget.ListView;
import android.widget.TextView;
import android.widget.Toast;

import org.telltale.R;
import org.telltale.bridge.Native;
import org.telltale.present.AppExposure;
import org.telltale.present.AppRow;
import org.telltale.present.Presenter;
import org.telltale.present.Report;

import java.io.FileNotFoundException;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The app list: start and stop, every monitored app ordered by exposure (Presenter rows), and
 * the exports. The report is read from the native monitor every few seconds while visible.
 */
public final class MainActivity extends Activity {
    private static final int REQ_VPN = 1;
    private static final int REQ_EXPORT_JSON = 2;
    private static final int REQ_EXPORT_PCAPNG = 3;
    private static final int REQ_NOTIFICATIONS = 4;
    private static final long REFRESH_MS = 2000;

    private final Handler handler = new Handler(Looper.getMainLooper());
    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private final Runnable refresher = this::refresh;
    private AppAdapter adapter;
    private TextView status;
    private TextView summary;
    private TextView empty;
    private Button toggle;
    private boolean resumed;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_main);
        status = findViewById(R.id.status);
        summary = findViewById(R.id.summary);
        empty = findViewById(R.id.empty);
        toggle = findViewById(R.id.toggle);
        ListView list = findViewById(R.id.apps);
        adapter = new AppAdapter();
        list.setAdapter(adapter);
        list.setOnItemClickListener((parent, view, position, id) -> {
            AppExposure app = adapter.getItem(position).app;
            startActivity(new Intent(this, AppActivity.class)
                    .putExtra(AppActivity.EXTRA_APP_ID, app.id));
        });
        toggle.setOnClickListener(v -> onToggle());
        findViewById(R.id.settings).setOnClickListener(
                v -> startActivity(new Intent(this, SettingsActivity.class)));
        findViewById(R.id.export_json).setOnClickListener(
                v -> createDocument(REQ_EXPORT_JSON, "application/json", "json"));
        findViewById(R.id.export_pcapng).setOnClickListener(
                v -> createDocument(REQ_EXPORT_PCAPNG, "application/octet-stream", "pcapng"));
        if (savedInstanceState == null
                && Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU
                && checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS)
                        != PackageManager.PERMISSION_GRANTED) {
            // The live counts are in the notification; monitoring works without it too. Asked
            // here rather than at start, so it does not cover the VPN consent dialog.
            requestPermissions(new String[] {Manifest.permission.POST_NOTIFICATIONS},
                    REQ_NOTIFICATIONS);
        }
    }

    @Override
    protected void onResume() {
        super.onResume();
        resumed = true;
        refresh();
    }

    @Override
    protected void onPause() {
        resumed = false;
        handler.removeCallbacks(refresher);
        super.onPause();
    }

    @Override
    protected void onDestroy() {
        io.shutdown();
        super.onDestroy();
    }

    private void onToggle() {
        if (MonitorService.isRunning()) {
            startService(new Intent(this, MonitorService.class)
                    .setAction(MonitorService.ACTION_STOP));
            handler.postDelayed(refresher, 500);
            return;
        }
        Intent consent = VpnService.prepare(this);
        if (consent != null) {
            startActivityForResult(consent, REQ_VPN);
        } else {
            onActivityResult(REQ_VPN, RESULT_OK, null);
        }
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        if (requestCode == REQ_VPN) {
            if (resultCode == RESULT_OK) {
                startForegroundService(new Intent(this, MonitorService.class)
                        .setAction(MonitorService.ACTION_START));
                handler.postDelayed(refresher, 500);
            } else {
                Toast.makeText(this, R.string.consent_refused, Toast.LENGTH_LONG).show();
            }
        } else if ((requestCode == REQ_EXPORT_JSON || requestCode == REQ_EXPORT_PCAPNG)
                && resultCode == RESULT_OK && data != null && data.getData() != null) {
            export(data.getData(), requestCode == REQ_EXPORT_PCAPNG);
        }
    }

    /** Asks the user where to save, through the Storage Access Framework. */
    private void createDocument(int request, String mime, String extension) {
        String stamp = new SimpleDateFormat("yyyyMMdd-HHmmss", Locale.ROOT).format(new Date());
        Intent i = new Intent(Intent.ACTION_CREATE_DOCUMENT)
                .addCategory(Intent.CATEGORY_OPENABLE)
                .setType(mime)
                .putExtra(Intent.EXTRA_TITLE, "telltale-" + stamp + "." + extension);
        startActivityForResult(i, request);
    }

    /** Writes the report or capture to the chosen document; the native side closes the fd. */
    private void export(Uri uri, boolean pcapng) {
        io.execute(() -> {
            String error = null;
            try {
                ParcelFileDescriptor pfd = getContentResolver().openFileDescriptor(uri, "w");
                if (pfd == null) {
                    throw new FileNotFoundException(uri.toString());
                }
                int fd = pfd.detachFd();
                if (pcapng) {
                    Native.exportPcapng(fd);
                } else {
                    Native.exportJson(fd);
                }
            } catch (Exception | LinkageError e) {
                error = String.valueOf(e.getMessage());
            }
            String message = error == null ? getString(R.string.export_done)
                    : getString(R.string.export_failed, error);
            runOnUiThread(() -> Toast.makeText(this, message, Toast.LENGTH_LONG).show());
        });
    }

    /** Reads the report off the UI thread and shows it; repeats while the screen is visible. */
    private void refresh() {
        handler.removeCallbacks(refresher);
        if (io.isShutdown()) {
            return;
        }
        io.execute(() -> {
            Report report = Ui.snapshot();
            List<Item> items = new ArrayList<>();
            if (report != null) {
                for (AppExposure app : Presenter.order(report.apps)) {
                    items.add(new Item(app, Presenter.row(app)));
                }
            }
            long flows = report == null ? 0 : report.totalFlows;
            runOnUiThread(() -> show(items, flows));
        });
        if (resumed) {
            handler.postDelayed(refresher, REFRESH_MS);
        }
    }

    private void show(List<Item> items, long flows) {
        boolean running = MonitorService.isRunning();
        status.setText(running ? R.string.status_running : R.string.status_stopped);
        toggle.setText(running ? R.string.stop : R.string.start);
        summary.setText(items.isEmpty() ? ""
                : getString(R.string.summary_apps, items.size(), flows));
        empty.setVisibility(items.isEmpty() ? View.VISIBLE : View.GONE);
        adapter.set(items);
    }

    /** One list entry: the app and its row. */
    private static final class Item {
        final AppExposure app;
        final AppRow row;

        Item(AppExposure app, AppRow row) {
            this.app = app;
            this.row = row;
        }
    }

    /** The app list's adapter over row_app.xml. */
    private final class AppAdapter extends BaseAdapter {
        private List<Item> items = new ArrayList<>();

        void set(List<Item> newItems) {
            items = newItems;
            notifyDataSetChanged();
        }

        @Override
        public int getCount() {
            return items.size();
        }

        @Override
        public Item getItem(int position) {
            return items.get(position);
        }

        @Override
        public long getItemId(int position) {
            return position;
        }

        @Override
        public View getView(int position, View convertView, ViewGroup parent) {
            View v = convertView != null ? convertView
                    : LayoutInflater.from(MainActivity.this).inflate(R.layout.row_app, parent,
                            false);
            Item item = items.get(position);
            AppRow row = item.row;
            ((ImageView) v.findViewById(R.id.icon))
                    .setImageDrawable(Ui.icon(MainActivity.this, item.app.packageName));
            ((TextView) v.findViewById(R.id.title)).setText(row.title);
            TextView services = v.findViewById(R.id.services);
            services.setText(row.services);
            services.setVisibility(row.services.isEmpty() ? View.GONE : View.VISIBLE);
            ((TextView) v.findViewById(R.id.sent)).setText(row.sent);
            TextView level = v.findViewById(R.id.level);
            level.setText(row.levelLabel);
            level.setBackgroundColor(getColor(Ui.levelColor(row.level)));
            return v;
        }
    }
}
