// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.os;

public final class Bundle extends BaseBundle {
    public Bundle() { throw new RuntimeException("stub"); }
}
