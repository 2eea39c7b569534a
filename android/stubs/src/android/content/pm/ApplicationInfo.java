// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

public class ApplicationInfo extends PackageItemInfo {
    public ApplicationInfo() { throw new RuntimeException("stub"); }
}
