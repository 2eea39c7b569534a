// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.util;

public class AndroidException extends Exception {
    public AndroidException() { throw new RuntimeException("stub"); }
}
