// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

public class ComponentInfo extends PackageItemInfo {
    public ApplicationInfo applicationInfo;

    public ComponentInfo() { throw new RuntimeException("stub"); }
}
