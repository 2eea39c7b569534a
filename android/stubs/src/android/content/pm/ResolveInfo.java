// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

public class ResolveInfo {
    public ActivityInfo activityInfo;

    public ResolveInfo() { throw new RuntimeException("stub"); }
}
