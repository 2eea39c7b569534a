// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

public class ActivityInfo extends ComponentInfo {
    public ActivityInfo() { throw new RuntimeException("stub"); }
}
