// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.net;

import android.app.PendingIntent;
import android.app.Service;
import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.os.ParcelFileDescriptor;

public class VpnService extends Service {
    public VpnService() { throw new RuntimeException("stub"); }

    public static Intent prepare(Context context) { throw new RuntimeException("stub"); }

    public boolean protect(int socket) { throw new RuntimeException("stub"); }

    public void onRevoke() { throw new RuntimeException("stub"); }

    public class Builder {
        public Builder() { throw new RuntimeException("stub"); }

        public Builder setSession(String session) { throw new RuntimeException("stub"); }

        public Builder setMtu(int mtu) { throw new RuntimeException("stub"); }

        public Builder addAddress(String address, int prefixLength) { throw new RuntimeException("stub"); }

        public Builder addRoute(String address, int prefixLength) { throw new RuntimeException("stub"); }

        public Builder addDnsServer(String address) { throw new RuntimeException("stub"); }

        public Builder setConfigureIntent(PendingIntent intent) { throw new RuntimeException("stub"); }

        public Builder addAllowedApplication(String packageName)
                throws PackageManager.NameNotFoundException { throw new RuntimeException("stub"); }

        public Builder addDisallowedApplication(String packageName)
                throws PackageManager.NameNotFoundException { throw new RuntimeException("stub"); }

        public ParcelFileDescriptor establish() { throw new RuntimeException("stub"); }
    }
}
