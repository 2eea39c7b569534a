package org.telltale.app;

import android.app.Notification;
import android.app.NotificationChannel;
import android.app.NotificationManager;
import android.app.PendingIntent;
import android.content.Intent;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageManager;
import android.content.pm.ServiceInfo;
import android.graphics.drawable.Icon;
import android.net.ConnectivityManager;
import android.net.LinkProperties;
import android.net.Network;
import android.net.VpnService;
import android.os.Build;
import android.os.ParcelFileDescriptor;
import android.util.Log;

import org.telltale.R;
import org.telltale.bridge.Host;
import org.telltale.bridge.Native;
import org.telltale.bridge.NativeConfig;
import org.telltale.present.AppRow;
import org.telltale.present.Presenter;
import org.telltale.present.Report;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The monitor: a local VPN whose TUN descriptor goes to the native relay ({@link Native}), which
 * forwards every packet to the real network through protected sockets and classifies it. This
 * class only configures the interface, answers the relay's questions ({@link Host}) and keeps
 * the foreground notification up to date.
 *
 * <p>Threads: Android calls the lifecycle methods on the main thread; starting and stopping the
 * native monitor (which waits for the relay) runs on {@link #control}; the notification is
 * refreshed on {@link #poller}; the {@link Host} methods are called on the native relay thread.
 */
public final class MonitorService extends VpnService implements Host {
    static final String ACTION_START = "org.telltale.action.START";
    static final String ACTION_STOP = "org.telltale.action.STOP";

    /** The TUN's own addresses and the in-TUN resolver the native relay answers. */
    static final String TUN_V4 = "10.111.0.2";
    static final String TUN_V6 = "fd74:7400::2";
    static final String DNS_V4 = "10.111.0.53";
    static final int MTU = 1500;

    private static final String TAG = "Telltale";
    private static final String CHANNEL = "monitor";
    private static final int NOTIFICATION_ID = 1;
    private static final long POLL_SECONDS = 3;

    /** Whether the native monitor runs in this process; read by the activities. */
    private static volatile boolean running;
    /**
     * Held while the native monitor starts or stops: a service instance the system recreated
     * must not start it while the previous instance is still stopping it.
     */
    private static final Object LOCK = new Object();

    private final ExecutorService control = Executors.newSingleThreadExecutor();
    private final Map<Integer, String[]> appInfoCache = new ConcurrentHashMap<>();
    private ScheduledExecutorService poller;
    private ConnectivityManager connectivity;
    private ConnectivityManager.NetworkCallback networkCallback;
    /** The resolver the running monitor forwards DNS to ({@code 192.0.2.1:53}), or null. */
    private volatile String upstreamDns;

    /** Whether the monitor runs. */
    static boolean isRunning() {
        return running;
    }

    @Override
    public void onCreate() {
        super.onCreate();
        connectivity = getSystemService(ConnectivityManager.class);
        NotificationChannel channel = new NotificationChannel(CHANNEL,
                getString(R.string.channel_name), NotificationManager.IMPORTANCE_LOW);
        channel.setDescription(getString(R.string.channel_description));
        channel.setShowBadge(false);
        getSystemService(NotificationManager.class).createNotificationChannel(channel);
    }

    @Override
    public int onStartCommand(Intent intent, int flags, int startId) {
        String action = intent == null ? null : intent.getAction();
        if (ACTION_STOP.equals(action)) {
            control.execute(this::shutdown);
            return START_NOT_STICKY;
        }
        // ACTION_START from the app, SERVICE_INTERFACE from Always-on VPN, or a null intent when
        // the system restarts the service (START_STICKY) after the process was killed: in all
        // three the monitor (re)starts from the saved settings.
        goForeground(buildNotification(getString(R.string.notif_starting), null));
        control.execute(this::startMonitor);
        return START_STICKY;
    }

    @Override
    public void onRevoke() {
        // The user started another VPN or revoked the permission: the interface is gone.
        control.execute(this::shutdown);
    }

    @Override
    public void onDestroy() {
        control.execute(() -> {
            unwatchNetwork();
            stopNative();
        });
        control.shutdown();
        super.onDestroy();
    }

    // ---- Host: called on the native relay thread; quick, never calls back into Native. ----

    @Override
    public boolean protect(int fd) {
        return super.protect(fd);
    }

    @Override
    public int connectionOwnerUid(int protocol, String srcAddr, int srcPort, String dstAddr,
            int dstPort) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q && (protocol == 6 || protocol == 17)) {
            try {
                // Literal addresses: getByName parses them without any lookup.
                InetSocketAddress local =
                        new InetSocketAddress(InetAddress.getByName(srcAddr), srcPort);
                InetSocketAddress remote =
                        new InetSocketAddress(InetAddress.getByName(dstAddr), dstPort);
                return connectivity.getConnectionOwnerUid(protocol, local, remote);
            } catch (UnknownHostException | RuntimeException e) {
                return -1;
            }
        }
        return -1; // Before Android 10 the native side reads /proc/net instead.
    }

    @Override
    public String[] appInfo(int uid) {
        String[] cached = appInfoCache.get(uid);
        if (cached != null) {
            return cached;
        }
        PackageManager pm = getPackageManager();
        String[] packages = pm.getPackagesForUid(uid);
        if (packages == null || packages.length == 0) {
            return null;
        }
        String pkg = packages[0];
        String label = pkg;
        try {
            ApplicationInfo ai = pm.getApplicationInfo(pkg, 0);
            label = pm.getApplicationLabel(ai).toString();
        } catch (PackageManager.NameNotFoundException e) {
            // Keep the package name as the label.
        }
        String[] info = {pkg, label};
        appInfoCache.put(uid, info);
        return info;
    }

    // ---- Start and stop, on the control thread. ----

    private void startMonitor() {
        synchronized (LOCK) {
            startMonitorLocked();
        }
    }

    private void startMonitorLocked() {
        if (running) {
            return;
        }
        Prefs prefs = Prefs.of(this);
        String dns = findUpstreamDns();
        ParcelFileDescriptor tun;
        try {
            tun = configure(prefs).establish();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (tun == null) {
            // Not prepared: the user has not consented (or withdrew it).
            fail(new IllegalStateException("the VPN permission is missing"));
            return;
        }
        try {
            // From here the descriptor is the native side's, which closes it, also on failure.
            Native.start(this, tun.detachFd(), configJson(prefs, dns));
        } catch (RuntimeException | LinkageError e) {
            fail(e);
            return;
        }
        upstreamDns = dns;
        running = true;
        watchNetwork();
        startPolling();
    }

    private Builder configure(Prefs prefs) {
        Builder b = new Builder()
                .setSession(getString(R.string.vpn_session))
                .setMtu(MTU)
                .addAddress(TUN_V4, 32)
                .addRoute("0.0.0.0", 0)
                .addDnsServer(DNS_V4)
                .setConfigureIntent(PendingIntent.getActivity(this, 0,
                        new Intent(this, MainActivity.class), PendingIntent.FLAG_IMMUTABLE));
        if (prefs.ipv6()) {
            b.addAddress(TUN_V6, 128).addRoute("::", 0);
        }
        // Without an IPv6 address or route, Android blocks the apps' IPv6 while the VPN is up,
        // so IPv6 off never lets traffic go around the monitor.
        Set<String> allowed = prefs.monitoredApps();
        allowed.remove(getPackageName());
        boolean any = false;
        for (String pkg : allowed) {
            try {
                b.addAllowedApplication(pkg);
                any = true;
            } catch (PackageManager.NameNotFoundException e) {
                Log.i(TAG, "monitored app no longer installed: " + pkg);
            }
        }
        if (!any) {
            // Allowed and disallowed lists cannot be mixed; with no allowed list, every app but
            // Telltale itself (whose relay sockets are also protected) goes through the monitor.
            try {
                b.addDisallowedApplication(getPackageName());
            } catch (PackageManager.NameNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return b;
    }

    /** The configuration for {@link Native#start}. */
    private String configJson(Prefs prefs, String dns) {
        File capture = new File(getNoBackupFilesDir(), "live.pcapng");
        return new NativeConfig()
                .mtu(MTU)
                .showIdentifiers(!prefs.maskIdentifiers())
                .capturePath(capture.getAbsolutePath())
                .dns(DNS_V4, dns)
                .json();
    }

    /**
     * The real resolver of the network the phone uses now, as {@code addr:53}: an IPv4 one if
     * there is one, else a global IPv6 one; null when offline. Telltale is left out of its own
     * VPN, so its default network is the underlying one even while the VPN is up.
     */
    private String findUpstreamDns() {
        Network n = connectivity.getActiveNetwork();
        LinkProperties lp = n == null ? null : connectivity.getLinkProperties(n);
        return lp == null ? null : NativeConfig.upstreamResolver(lp.getDnsServers());
    }

    /**
     * Restarts the monitor when the phone moves to a network with another resolver (Wi-Fi to
     * mobile data): the relay's DNS upstream is fixed at start, and the old resolver is usually
     * unreachable from the new network. The report starts again after such a restart.
     */
    private void watchNetwork() {
        if (networkCallback != null) {
            return;
        }
        networkCallback = new ConnectivityManager.NetworkCallback() {
            @Override
            public void onLinkPropertiesChanged(Network network, LinkProperties lp) {
                String dns = NativeConfig.upstreamResolver(lp.getDnsServers());
                String current = upstreamDns;
                if (dns != null && !dns.equals(current)) {
                    control.execute(() -> {
                        if (running && !dns.equals(upstreamDns)) {
                            Log.i(TAG, "resolver changed; restarting the monitor");
                            stopNative();
                            startMonitor();
                        }
                    });
                }
            }
        };
        try {
            connectivity.registerDefaultNetworkCallback(networkCallback);
        } catch (RuntimeException e) {
            Log.w(TAG, "cannot watch the network", e);
            networkCallback = null;
        }
    }

    private void unwatchNetwork() {
        if (networkCallback != null) {
            try {
                connectivity.unregisterNetworkCallback(networkCallback);
            } catch (RuntimeException e) {
                // Already unregistered.
            }
            networkCallback = null;
        }
    }

    /** Stops the native monitor (waiting for the relay) and the polling; keeps the service. */
    private void stopNative() {
        stopPolling();
        synchronized (LOCK) {
            stopNativeLocked();
        }
    }

    private void stopNativeLocked() {
        if (running) {
            running = false;
            try {
                Native.stop();
            } catch (RuntimeException | LinkageError e) {
                Log.w(TAG, "stop failed", e);
            }
        }
    }

    /** Stops everything and the service itself. */
    private void shutdown() {
        unwatchNetwork();
        stopNative();
        stopForeground(STOP_FOREGROUND_REMOVE);
        stopSelf();
    }

    private void fail(Throwable e) {
        Log.e(TAG, "cannot start the monitor", e);
        unwatchNetwork();
        stopNative();
        // Leave a (dismissable) notification saying why, then stop.
        stopForeground(STOP_FOREGROUND_REMOVE);
        Notification n = buildNotification(
                getString(R.string.notif_failed, String.valueOf(e.getMessage())), null);
        n.flags &= ~Notification.FLAG_ONGOING_EVENT;
        getSystemService(NotificationManager.class).notify(NOTIFICATION_ID + 1, n);
        stopSelf();
    }

    // ---- Notification. ----

    private void startPolling() {
        stopPolling();
        poller = Executors.newSingleThreadScheduledExecutor();
        poller.scheduleWithFixedDelay(this::refreshNotification, 0, POLL_SECONDS,
                TimeUnit.SECONDS);
    }

    private void stopPolling() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    private void refreshNotification() {
        if (!running) {
            return;
        }
        Report report = Ui.snapshot();
        String counts;
        String details = null;
        if (report == null) {
            counts = getString(R.string.status_no_report);
        } else {
            List<AppRow> rows = Presenter.rows(report);
            counts = getString(R.string.notif_counts, rows.size(), report.totalFlows);
            StringBuilder sb = new StringBuilder(counts);
            for (int i = 0; i < Math.min(3, rows.size()); i++) {
                sb.append('\n').append(rows.get(i).line());
            }
            details = sb.toString();
            if (!rows.isEmpty()) {
                counts = counts + " · " + getString(R.string.notif_top, rows.get(0).title,
                        rows.get(0).levelLabel);
            }
        }
        if (running) {
            getSystemService(NotificationManager.class)
                    .notify(NOTIFICATION_ID, buildNotification(counts, details));
        }
    }

    private Notification buildNotification(String text, String bigText) {
        PendingIntent open = PendingIntent.getActivity(this, 0,
                new Intent(this, MainActivity.class), PendingIntent.FLAG_IMMUTABLE);
        PendingIntent stop = PendingIntent.getService(this, 1,
                new Intent(this, MonitorService.class).setAction(ACTION_STOP),
                PendingIntent.FLAG_IMMUTABLE);
        Notification.Builder b = new Notification.Builder(this, CHANNEL)
                .setSmallIcon(R.drawable.ic_eye)
                .setContentTitle(getString(R.string.notif_title))
                .setContentText(text)
                .setContentIntent(open)
                .setOngoing(true)
                .setOnlyAlertOnce(true)
                .setShowWhen(false)
                .setCategory(Notification.CATEGORY_SERVICE)
                .addAction(new Notification.Action.Builder(
                        Icon.createWithResource(this, R.drawable.ic_eye),
                        getString(R.string.stop), stop).build());
        if (bigText != null) {
            b.setStyle(new Notification.BigTextStyle().bigText(bigText));
        }
        return b.build();
    }

    private void goForeground(Notification n) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.UPSIDE_DOWN_CAKE) {
            startForeground(NOTIFICATION_ID, n, ServiceInfo.FOREGROUND_SERVICE_TYPE_SPECIAL_USE);
        } else {
            startForeground(NOTIFICATION_ID, n);
        }
    }
}
