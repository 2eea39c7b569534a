// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content.pm;

public class PackageItemInfo {
    public String packageName;

    public PackageItemInfo() { throw new RuntimeException("stub"); }

    public CharSequence loadLabel(PackageManager pm) { throw new RuntimeException("stub"); }
}
