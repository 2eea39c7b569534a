// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content;

import android.net.Uri;
import android.os.ParcelFileDescriptor;

import java.io.FileNotFoundException;

public abstract class ContentResolver {
    private ContentResolver() {}

    public final ParcelFileDescriptor openFileDescriptor(Uri uri, String mode)
            throws FileNotFoundException { throw new RuntimeException("stub"); }
}
