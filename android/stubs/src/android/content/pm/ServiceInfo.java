// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

public class ServiceInfo extends ComponentInfo {
    public static final int FOREGROUND_SERVICE_TYPE_SPECIAL_USE = 0x40000000;

    public ServiceInfo() { throw new RuntimeException("stub"); }
}
