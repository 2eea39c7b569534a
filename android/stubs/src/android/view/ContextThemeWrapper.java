// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.view;

import android.content.ContextWrapper;

public class ContextThemeWrapper extends ContextWrapper {
    public ContextThemeWrapper() { super(null); throw new RuntimeException("stub"); }
}
