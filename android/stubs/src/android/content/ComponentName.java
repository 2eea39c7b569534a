// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content;

public final class ComponentName {
    private ComponentName() {}
}
