// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.os;

public class BaseBundle {
    BaseBundle() {}

    public boolean getBoolean(String key) { throw new RuntimeException("stub"); }

    public void putBoolean(String key, boolean value) { throw new RuntimeException("stub"); }
}
