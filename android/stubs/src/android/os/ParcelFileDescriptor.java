// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.os;

public class ParcelFileDescriptor {
    private ParcelFileDescriptor() {}

    public int detachFd() { throw new RuntimeException("stub"); }
}
